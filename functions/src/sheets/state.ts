import { summariseDay } from '../app/summary.js';
import type { Lead, LeadStatus } from '../domain/lead.js';
import { teamDay } from '../domain/time.js';
import type { Store } from '../store/port.js';
import { TAB_NAMES, type SheetState, type TabName } from './projection.js';

/** Leads read per query; a sync reads every page. */
const PAGE_SIZE = 1000;

/**
 * The QC tab shows at most this many queued visits, oldest day first. A team sampling 10 %
 * of its visits stays far below it; a queue longer than this shows only its oldest part.
 */
export const QC_ROWS = 5000;

async function allLeads(store: Store, status: LeadStatus): Promise<Lead[]> {
  const leads: Lead[] = [];
  let page = await store.listLeadsWithStatus(status, PAGE_SIZE, null);
  leads.push(...page.items);
  while (page.next) {
    page = await store.listLeadsWithStatus(status, PAGE_SIZE, page.next);
    leads.push(...page.items);
  }

  return leads;
}

/**
 * Reads from the store what `tabs` are drawn from, and nothing more: the route for one tab
 * does not read the whole pool to show the settings. Parts no asked-for tab needs stay empty.
 */
export async function loadSheetState(
  store: Store,
  now: Date,
  tabs: readonly TabName[] = TAB_NAMES,
): Promise<SheetState> {
  const wants = (tab: TabName) => tabs.includes(tab);
  const policy = await store.getPolicy();
  const day = teamDay(now, policy.timeZone);

  const [pool, owned, customers, visits, summary, qcQueue] = await Promise.all([
    wants('Pool') ? allLeads(store, 'pool') : [],
    wants('Leads') ? allLeads(store, 'owned') : [],
    wants('Leads') ? allLeads(store, 'customer') : [],
    wants('Visits') ? store.listVisits(day) : [],
    wants('Today') ? summariseDay(store, policy, day) : { day, groups: [] },
    wants('QC') ? store.listQcQueue(QC_ROWS, null).then((page) => page.items) : [],
  ]);

  // A visited lead may since have been closed or reclaimed, so it is read by id. A cold
  // visit shows its prospect's company and needs no lead.
  const leadVisits = visits.filter((visit) => visit.prospect === null);
  const visitedIds = [...new Set(leadVisits.flatMap((visit) => visit.leadId ?? []))];
  const visited = await Promise.all(visitedIds.map((id) => store.getLead(id)));
  const visitedLeads = new Map(visited.flatMap((lead) => (lead ? [[lead.id, lead]] : [])));

  return {
    policy,
    now,
    day,
    pool,
    leads: [...owned, ...customers],
    visits,
    visitedLeads,
    summary,
    qcQueue,
  };
}
