import type { DaySummary } from '../app/summary.js';
import { isDueSoon, nextDueAt, type Lead } from '../domain/lead.js';
import { PolicySchema, type Policy } from '../domain/policy.js';
import { hoursBetween, teamDay, teamTime } from '../domain/time.js';
import type { Visit } from '../domain/visits.js';

export const TAB_NAMES = ['Pool', 'Leads', 'Visits', 'Today', 'QC', 'Settings', 'Import'] as const;

export type TabName = (typeof TAB_NAMES)[number];

export type Cell = string | number | boolean | null;

/** One tab as the sheet shows it: the header, then one row per record. */
export type SheetView = { tab: TabName; columns: string[]; rows: Cell[][] };

export const COLUMNS = {
  Pool: ['Lead ID', 'Company', 'Contact', 'Title', 'Phone', 'Region', 'Source', 'Created'],
  Leads: [
    'Lead ID',
    'Company',
    'Contact',
    'Phone',
    'Owner',
    'Status',
    'Stage',
    'Follow-up due',
    'Hours left',
    'Due soon',
    'Deal due',
  ],
  Visits: ['Visit ID', 'Time', 'Rep', 'Lead ID', 'Company', 'Outcome', 'Met', 'Cold', 'Note', 'QC'],
  Today: [
    'Group',
    'Rep',
    'Visits',
    'Effective',
    'Cold',
    'Claims',
    'Quota met',
    'Visit quota',
    'Effective quota',
  ],
  QC: ['Visit ID', 'Day', 'Rep', 'Lead ID', 'Outcome', 'Met', 'Note', 'Verdict'],
  Settings: ['Setting', 'Value'],
  Import: [
    'Company',
    'Contact',
    'Title',
    'Phone',
    'Region',
    'Source',
    'Notes',
    'Owner email',
    'Result',
  ],
} as const satisfies Record<TabName, readonly string[]>;

/**
 * What the tabs are drawn from. Only the parts a tab needs are filled in when fewer tabs
 * are asked for; see `loadSheetState`.
 */
export type SheetState = {
  policy: Policy;
  now: Date;
  /** The team day `now` falls on. */
  day: string;
  pool: readonly Lead[];
  /** Owned and customer leads. */
  leads: readonly Lead[];
  /** The day's visits, by time. */
  visits: readonly Visit[];
  /** The leads the day's visits were to, by id. */
  visitedLeads: ReadonlyMap<string, Lead>;
  summary: DaySummary;
  /** Sampled visits awaiting a verdict, oldest day first. */
  qcQueue: readonly Visit[];
};

/** The tab a path segment names, ignoring case; null when there is none. */
export function tabNamed(name: string): TabName | null {
  const wanted = name.toLowerCase();

  return TAB_NAMES.find((tab) => tab.toLowerCase() === wanted) ?? null;
}

/**
 * A time as the sheet shows it: `YYYY-MM-DD HH:MM` on the team's wall clock. Sheets compare
 * and sort these as text, which matches time order; the sync sends them as text, never dates.
 */
export function sheetTime(iso: string | null, timeZone: string): string | null {
  if (iso === null) return null;

  const at = new Date(iso);
  return `${teamDay(at, timeZone)} ${teamTime(at, timeZone)}`;
}

/** Whole hours until the lead's earliest deadline, rounded down: negative once overdue. */
export function hoursLeft(lead: Lead, now: Date): number | null {
  const due = nextDueAt(lead);
  if (due === null) return null;

  return Math.floor(hoursBetween(now, new Date(due)));
}

/** Each owner's leads together, owned before customers, the most urgent first. */
function leadOrder(a: Lead, b: Lead): number {
  const rank = (lead: Lead) => (lead.status === 'owned' ? 0 : 1);

  return (
    (a.ownerEmail ?? '').localeCompare(b.ownerEmail ?? '') ||
    rank(a) - rank(b) ||
    (nextDueAt(a) ?? '').localeCompare(nextDueAt(b) ?? '') ||
    a.id.localeCompare(b.id)
  );
}

function poolRows(state: SheetState): Cell[][] {
  const zone = state.policy.timeZone;

  return state.pool.map((lead) => [
    lead.id,
    lead.company,
    lead.contactName,
    lead.title,
    lead.phone,
    lead.region,
    lead.source,
    sheetTime(lead.createdAt, zone),
  ]);
}

function leadRows(state: SheetState): Cell[][] {
  const { policy, now } = state;

  return [...state.leads]
    .sort(leadOrder)
    .map((lead) => [
      lead.id,
      lead.company,
      lead.contactName,
      lead.phone,
      lead.ownerEmail,
      lead.status,
      lead.stage,
      sheetTime(lead.followUpDueAt, policy.timeZone),
      hoursLeft(lead, now),
      isDueSoon(lead, policy, now),
      sheetTime(lead.dealDueAt, policy.timeZone),
    ]);
}

function qcCell(visit: Visit): Cell {
  if (!visit.qc) return null;

  return visit.qc.verdict ?? 'queued';
}

function visitRows(state: SheetState): Cell[][] {
  return state.visits.map((visit) => {
    // A cold visit names the company the rep walked into; a lead visit, the lead's.
    const lead = visit.leadId === null ? undefined : state.visitedLeads.get(visit.leadId);
    const company = visit.prospect?.company ?? lead?.company ?? null;

    return [
      visit.id,
      sheetTime(visit.at, state.policy.timeZone),
      visit.repEmail,
      visit.leadId,
      company,
      visit.outcome,
      visit.met,
      visit.prospect !== null,
      visit.note,
      qcCell(visit),
    ];
  });
}

/** The quotas are on every row, beside what each rep did, for the Today chart to draw. */
function todayRows(state: SheetState): Cell[][] {
  const { visitQuota, effectiveQuota } = state.policy;

  return state.summary.groups.flatMap(({ group, reps }) =>
    reps.map((rep) => [
      group,
      rep.email,
      rep.visits,
      rep.effective,
      rep.cold,
      rep.claims,
      rep.quotaMet,
      visitQuota,
      effectiveQuota,
    ]),
  );
}

function qcRows(state: SheetState): Cell[][] {
  return state.qcQueue.map((visit) => [
    visit.id,
    visit.day,
    visit.repEmail,
    visit.leadId,
    visit.outcome,
    visit.met,
    visit.note,
    visit.qc?.verdict ?? null,
  ]);
}

/** The policy's fields in the order the schema declares them, under their API names. */
function settingRows(state: SheetState): Cell[][] {
  return Object.keys(PolicySchema.shape).map((key) => [
    key,
    state.policy[key as keyof Policy] ?? null,
  ]);
}

const ROWS: Record<TabName, (state: SheetState) => Cell[][]> = {
  Pool: poolRows,
  Leads: leadRows,
  Visits: visitRows,
  Today: todayRows,
  QC: qcRows,
  Settings: settingRows,
  // Managers paste new leads here; the server owns the header only.
  Import: () => [],
};

export function projectTab(tab: TabName, state: SheetState): SheetView {
  return { tab, columns: [...COLUMNS[tab]], rows: ROWS[tab](state) };
}

/** Every tab, in the order the sheet shows them. */
export function projectSheet(state: SheetState): SheetView[] {
  return TAB_NAMES.map((tab) => projectTab(tab, state));
}
