import { EVENT_TYPES } from '../../functions/src/domain/events.js';
import { LEAD_STATUSES } from '../../functions/src/domain/lead.js';
import type { Store } from '../../functions/src/store/port.js';

const ALL = 1_000_000;

/**
 * What a request could have changed, read through the public Store API, cheaply enough to
 * take before and after every request of a property test. Every write the rules make
 * appends an event (visits, reports and verdicts included), so the event count stands for
 * the visits and reports, which can only be listed one day at a time. Idempotency records
 * are left out: a refusal by a rule is saved under its key by design.
 */
export async function storeFingerprint(store: Store) {
  const [members, policy, events, jobRuns, qcQueue, ...leads] = await Promise.all([
    store.listMembers(),
    store.getPolicy(),
    store.listEventsBetween('', '\uffff', EVENT_TYPES),
    store.listJobRuns(ALL),
    store.listQcQueue(ALL, null).then((page) => page.items),
    ...LEAD_STATUSES.map((status) => store.listLeadsWithStatus(status, ALL, null)),
  ]);

  return {
    members: members.map((member) => JSON.stringify(member)).sort(),
    policy,
    leads: LEAD_STATUSES.map((status, index) => `${status}: ${leads[index]?.items.length}`),
    events: events.length,
    jobRuns: jobRuns.map((run) => `${run.id} ${run.status}`),
    qcQueue: qcQueue.map((visit) => visit.id),
  };
}
