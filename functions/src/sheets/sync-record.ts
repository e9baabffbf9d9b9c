import type { SyncState } from '../store/port.js';
import { TAB_NAMES, type TabName } from './projection.js';
import type { TabGrid } from './values.js';

/**
 * Every tab's grid as the last sync left it, for a write that reads nothing first; null when
 * the state lacks a tab's sheet id or grid rows, as one saved before they were kept does.
 * Such a write takes the header to be frozen still and the view's columns to be there: a
 * person who deleted columns, rows or a tab makes Sheets refuse it, and the sync then reads
 * what is there.
 */
export function savedGrids(state: SyncState): Map<TabName, TabGrid> | null {
  const grids = new Map<TabName, TabGrid>();
  for (const tab of TAB_NAMES) {
    const sheetId = state.sheetIds?.[tab];
    const rows = state.gridRows?.[tab];
    if (sheetId === undefined || rows === undefined) return null;

    grids.set(tab, { sheetId, rows, columns: null, frozen: true });
  }

  return grids;
}

/** What the sync state keeps of each tab's grid. */
export function gridFields(
  grids: ReadonlyMap<TabName, TabGrid>,
): Required<Pick<SyncState, 'sheetIds' | 'gridRows'>> {
  const tabs = [...grids];

  return {
    sheetIds: Object.fromEntries(tabs.map(([tab, grid]) => [tab, grid.sheetId])),
    gridRows: Object.fromEntries(tabs.map(([tab, grid]) => [tab, grid.rows])),
  };
}
