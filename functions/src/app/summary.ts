import type { EventType, StoredEvent } from '../domain/events.js';
import type { Member } from '../domain/member.js';
import type { Policy } from '../domain/policy.js';
import { nextDay, startOfTeamDay } from '../domain/time.js';
import type { Visit } from '../domain/visits.js';
import type { Store } from '../store/port.js';

export type DayNumbers = {
  visits: number;
  effective: number;
  cold: number;
  prospects: number;
  claims: number;
  reclaims: number;
  conversions: number;
};

export type RepDay = DayNumbers & {
  email: string;
  name: string;
  quotaMet: boolean;
  reported: boolean;
  /** The day's visits whose verdict is now fabricated; a member shows the all-time count. */
  fabricatedVisitsOnDay: number;
};

export type GroupDay = { group: string; totals: DayNumbers; reps: RepDay[] };

export type DaySummary = { day: string; groups: GroupDay[] };

const SUMMARY_EVENTS: readonly EventType[] = ['lead.claimed', 'lead.reclaimed', 'lead.converted'];

/** One rep's visit numbers for a day, as `GET /v1/me` and the evening summary count them. */
export function visitNumbers(visits: readonly Visit[]) {
  return {
    visits: visits.length,
    effective: visits.filter((visit) => visit.outcome === 'effective').length,
    cold: visits.filter((visit) => visit.prospect !== null).length,
    prospects: visits.filter(
      (visit) => visit.prospectOutcome === 'owned' || visit.prospectOutcome === 'pool',
    ).length,
  };
}

export function quotaMet(numbers: { visits: number; effective: number }, policy: Policy): boolean {
  return numbers.visits >= policy.visitQuota && numbers.effective >= policy.effectiveQuota;
}

/**
 * What managers read at the evening meeting: each group's reps with their visits, claims,
 * reclaims and conversions for the team day, who met the quota, who reported, and whose
 * visits of that day QC has found fabricated.
 */
export async function summariseDay(store: Store, policy: Policy, day: string): Promise<DaySummary> {
  const from = startOfTeamDay(day, policy.timeZone).toISOString();
  const to = startOfTeamDay(nextDay(day), policy.timeZone).toISOString();
  const [members, visits, events, reports] = await Promise.all([
    store.listMembers(),
    store.listVisits(day),
    store.listEventsBetween(from, to, SUMMARY_EVENTS),
    store.listReports(day),
  ]);

  const reported = new Set(reports.map((report) => report.repEmail));
  const reps = members.filter((member) => member.role === 'rep');
  const rows = reps.map((rep) => repDay(rep, visits, events, reported, policy));

  const groups = [...new Set(reps.map((rep) => rep.group))].sort();
  return {
    day,
    groups: groups.map((group) => {
      const inGroup = rows.filter((_, index) => reps[index]!.group === group);
      return { group, totals: totalOf(inGroup), reps: inGroup };
    }),
  };
}

function repDay(
  rep: Member,
  visits: readonly Visit[],
  events: readonly StoredEvent[],
  reported: ReadonlySet<string>,
  policy: Policy,
): RepDay {
  const own = visits.filter((visit) => visit.repEmail === rep.email);
  const numbers = visitNumbers(own);
  const count = (type: EventType) =>
    events.filter((event) => event.type === type && event.subject === rep.email).length;

  return {
    email: rep.email,
    name: rep.name,
    ...numbers,
    claims: count('lead.claimed'),
    reclaims: count('lead.reclaimed'),
    conversions: count('lead.converted'),
    quotaMet: quotaMet(numbers, policy),
    reported: reported.has(rep.email),
    fabricatedVisitsOnDay: own.filter((visit) => visit.qc?.verdict === 'fabricated').length,
  };
}

function totalOf(reps: readonly RepDay[]): DayNumbers {
  const sum = (pick: (rep: RepDay) => number) => reps.reduce((total, rep) => total + pick(rep), 0);

  return {
    visits: sum((rep) => rep.visits),
    effective: sum((rep) => rep.effective),
    cold: sum((rep) => rep.cold),
    prospects: sum((rep) => rep.prospects),
    claims: sum((rep) => rep.claims),
    reclaims: sum((rep) => rep.reclaims),
    conversions: sum((rep) => rep.conversions),
  };
}
