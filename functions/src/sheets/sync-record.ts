import type { SyncState } from '../store/port.js';
import { TAB_NAMES, type TabName } from './projection.js';
import type { TabGrid } from './values.js';

/** What the spreadsheet holds, as the last sync left it. */
export type SavedLayout = { grids: Map<TabName, TabGrid>; chartId: number };

/**
 * Every tab's grid and the chart as the last sync left them, for a write that reads nothing
 * first; null when the state lacks a tab's sheet id or grid rows, as one saved before they
 * were kept does, or the chart's id. Such a write takes the header to be frozen still and the
 * view's columns to be there: a person who deleted columns, rows or a tab makes Sheets refuse
 * it, and the sync then reads what is there.
 */
export function savedLayout(state: SyncState): SavedLayout | null {
  const grids = new Map<TabName, TabGrid>();
  for (const tab of TAB_NAMES) {
    const sheetId = state.sheetIds?.[tab];
    const rows = state.gridRows?.[tab];
    if (sheetId === undefined || rows === undefined) return null;

    grids.set(tab, { sheetId, rows, columns: null, frozen: true });
  }

  // A state saved before the chart showed the quotas has no chart id: its sync reads the
  // spreadsheet once, which is how an older spreadsheet gets the chart that replaces its own.
  if (state.chartId === undefined) return null;

  return { grids, chartId: state.chartId };
}

/** What the sync state keeps of each tab's grid and of the chart. */
export function layoutFields({
  grids,
  chartId,
}: SavedLayout): Required<Pick<SyncState, 'sheetIds' | 'gridRows' | 'chartId'>> {
  const tabs = [...grids];

  return {
    sheetIds: Object.fromEntries(tabs.map(([tab, grid]) => [tab, grid.sheetId])),
    gridRows: Object.fromEntries(tabs.map(([tab, grid]) => [tab, grid.rows])),
    chartId,
  };
}
