import type { StoredEvent } from '../../functions/src/domain/events.js';
import type { Lead } from '../../functions/src/domain/lead.js';
import type { Member } from '../../functions/src/domain/member.js';
import type { Policy } from '../../functions/src/domain/policy.js';
import {
  NOW,
  aLead,
  aManager,
  aRep,
  aVisit,
  anOwnedLead,
} from '../../functions/src/domain/test-fixtures.js';
import { addHours } from '../../functions/src/domain/time.js';
import type { Visit } from '../../functions/src/domain/visits.js';
import type { Store } from '../../functions/src/store/port.js';

export { NOW };

/** Shaped like a real spreadsheet id: 44 characters of the URL alphabet. */
export const SPREADSHEET_ID = '1LeadPoolTestSheet_0123456789abcdefghijklmno';

export const ANA = 'ana@example.com';
export const BO = 'bo@example.com';

export const hoursFromNow = (hours: number) => addHours(NOW, hours).toISOString();

export type Seed = {
  policy?: Partial<Policy>;
  members?: Member[];
  leads?: Lead[];
  visits?: Visit[];
  events?: StoredEvent[];
};

/** Writes `seed` in one transaction, as if the API had done it. */
export async function seed(store: Store, parts: Seed): Promise<void> {
  await store.transaction(async (tx) => {
    const policy = await tx.getPolicy();
    if (parts.policy) tx.savePolicy({ ...policy, ...parts.policy });
    for (const member of parts.members ?? []) tx.saveMember(member);
    for (const lead of parts.leads ?? []) tx.saveLead(lead);
    for (const visit of parts.visits ?? []) tx.saveVisit(visit);
    tx.appendEvents(parts.events ?? []);
  });
}

export function aClaim(id: string, subject: string, at: string): StoredEvent {
  return {
    id,
    type: 'lead.claimed',
    at,
    seq: 0,
    leadId: null,
    subject,
    actor: subject,
    relayedBy: null,
    requestId: null,
    before: null,
    after: null,
    data: null,
  };
}

/** `count` pool leads, one a minute from a day before NOW, so their order is known. */
export function poolLeads(count: number, prefix = 'pool'): Lead[] {
  return Array.from({ length: count }, (_, index) =>
    aLead({
      id: `${prefix}-${String(index).padStart(5, '0')}`,
      company: `${prefix} company ${index}`,
      phone: '',
      createdAt: new Date(NOW.getTime() - 86_400_000 + index * 60_000).toISOString(),
    }),
  );
}

/**
 * A small team at 09:00 on Monday 2 March in Shanghai: two reps in two groups and a
 * manager; pool, owned, customer and closed leads; three visits today and one yesterday.
 */
export function aTeamDay(): Seed {
  return {
    policy: { visitQuota: 2, effectiveQuota: 1 },
    members: [
      // Counters that match the owned leads below, as the jobs read them.
      aRep({ email: ANA, name: 'Ana', group: 'East', ownedCount: 3 }),
      aRep({ email: BO, name: 'Bo', group: 'West', ownedCount: 1 }),
      aManager(),
    ],
    leads: [
      aLead({ id: 'p-new', company: 'New Pool Co', createdAt: hoursFromNow(-1) }),
      aLead({ id: 'p-old', company: 'Old Pool Co', createdAt: hoursFromNow(-48) }),
      anOwnedLead(ANA, { id: 'o-later', company: 'Later Co' }),
      anOwnedLead(ANA, {
        id: 'o-overdue',
        company: 'Overdue Co',
        followUpDueAt: hoursFromNow(-1.5),
      }),
      anOwnedLead(ANA, { id: 'o-soon', company: 'Soon Co', followUpDueAt: hoursFromNow(5.5) }),
      anOwnedLead(ANA, {
        id: 'c-1',
        company: 'Customer Co',
        status: 'customer',
        stage: 'contract',
        followUpDueAt: null,
        dealDueAt: null,
      }),
      // The deal deadline comes before the follow-up: the earlier one counts.
      anOwnedLead(BO, {
        id: 'o-bo',
        company: 'Bo Co',
        followUpDueAt: hoursFromNow(48),
        dealDueAt: hoursFromNow(10),
      }),
      aLead({ id: 'x-1', company: 'Closed Co', status: 'closed', closeReason: 'lost' }),
    ],
    visits: [
      aVisit({
        id: 'v-1',
        leadId: 'o-soon',
        at: hoursFromNow(-0.5),
        outcome: 'effective',
        met: 'owner',
        note: 'Signed the trial',
      }),
      aVisit({
        id: 'v-2',
        leadId: 'cold-1',
        at: hoursFromNow(-10 / 60),
        met: 'staff',
        note: 'Floor 12',
        prospect: {
          company: 'Blue Harbor',
          contactName: '',
          title: '',
          phone: '',
          products: 'printers',
        },
        prospectOutcome: 'pool',
      }),
      aVisit({
        id: 'v-3',
        repEmail: BO,
        leadId: 'x-1',
        at: hoursFromNow(-20 / 60),
        note: 'Closed since',
        qc: { sampleId: '2026-03-02', verdict: null, note: null, by: null, at: null },
      }),
      aVisit({
        id: 'v-0',
        day: '2026-03-01',
        leadId: 'o-later',
        at: hoursFromNow(-20),
        qc: { sampleId: '2026-03-01', verdict: null, note: null, by: null, at: null },
      }),
    ],
    events: [aClaim('e-1', ANA, hoursFromNow(-2))],
  };
}
