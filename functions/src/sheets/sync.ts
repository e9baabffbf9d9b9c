import type { sheets_v4 } from '@googleapis/sheets';

import type { Logger } from '../log.js';
import type { Store, SyncState } from '../store/port.js';
import { batchesOf } from './batches.js';
import { DESCRIBE_FIELDS, existingOf, NOTHING, setUp } from './layout.js';
import { projectSheet, type SheetView } from './projection.js';
import {
  isOutOfDateWrite,
  messageOf,
  openSheetsApi,
  statusOf,
  type SheetsApi,
  type SheetsOptions,
} from './sheets-api.js';
import { loadSheetState } from './state.js';
import { layoutFields, savedLayout } from './sync-record.js';
import { sheetWrite, type SheetWrite } from './values.js';

export type SyncDeps = { store: Store; log: Logger; sheets?: SheetsOptions };

export type SyncCounts = {
  /** 0 when the policy names no spreadsheet and nothing was done. */
  configured: number;
  tabs: number;
  /** Data rows written, headers not counted. */
  rows: number;
  /**
   * Rows the previous sync wrote that this one blanked. Rows others wrote below are blanked
   * too, but the sync does not read the sheet to count them.
   */
  cleared: number;
  /** HTTP requests sent to the Sheets API, retries and failed tries included. */
  requests: number;
  /** 1 when tabs, protections, formats or the chart had to be created. */
  setUp: number;
};

const NOT_CONFIGURED: SyncCounts = {
  configured: 0,
  tabs: 0,
  rows: 0,
  cleared: 0,
  requests: 0,
  setUp: 0,
};

/**
 * Writes every tab of the shared sheet from the store in one `batchUpdate`, which on a new
 * spreadsheet also creates the tabs, protections, formats and the chart; a team whose tabs
 * are more than one request may carry takes several, in order. A sync that fails changes
 * nothing in the store, and the next one writes everything again.
 */
export async function syncSheet(deps: SyncDeps, now: Date): Promise<SyncCounts> {
  const { spreadsheetId } = await deps.store.getPolicy();
  if (spreadsheetId === null) {
    deps.log('INFO', 'sheet sync skipped', { reason: 'no spreadsheetId in the policy' });
    return NOT_CONFIGURED;
  }

  const [state, previous] = await Promise.all([
    loadSheetState(deps.store, now),
    deps.store.transaction((tx) => tx.getSyncState()),
  ]);
  const views = projectSheet(state);
  const known = previous?.spreadsheetId === spreadsheetId ? previous : null;

  const api = await openSheetsApi(spreadsheetId, deps.sheets ?? {}, deps.log);
  const written = await writeSheet(api, deps.log, views, known);

  await saveState(deps.store, spreadsheetId, known, written, now);

  const counts: SyncCounts = {
    configured: 1,
    tabs: views.length,
    rows: views.reduce((total, view) => total + view.rows.length, 0),
    cleared: clearedRows(known?.rows ?? {}, written.write.rows),
    requests: api.requests(),
    setUp: written.setUp ? 1 : 0,
  };
  deps.log('INFO', 'sheet synced', { spreadsheetId, ...counts });
  return counts;
}

type Written = { write: SheetWrite; chartId: number; setUp: boolean };

/**
 * Sends the requests in as few batches as fit the API's payload limit, in order, so a tab is
 * added and a grid grown before the writes that need them. Each batch applies whole or not at
 * all, but the batches are not one transaction: when one fails after another succeeded, the
 * tabs the earlier ones wrote are new and the rest as the last sync left them until a sync
 * succeeds, and a grid they grew is grown again by the next sync, as the store does not know.
 */
async function send(api: SheetsApi, requests: sheets_v4.Schema$Request[]): Promise<void> {
  for (const batch of batchesOf(requests, api.batchBytes)) await api.batchUpdate(batch);
}

/**
 * With every tab's sheet and grid and the chart known from the last sync, the sheet is written
 * blind. On a spreadsheet never synced, everything is assumed missing and created with the
 * first batch. When either is refused — people deleted a tab, or rows or columns the write
 * needs, or a tab of one of our names exists already — or the saved state lacks the sheets or
 * the chart (it was saved before they were kept), the spreadsheet is read, and the sync adds
 * what it lacks, grows what is too small and writes every tab again, the tabs an earlier batch
 * wrote included.
 */
async function writeSheet(
  api: SheetsApi,
  log: Logger,
  views: readonly SheetView[],
  known: SyncState | null,
): Promise<Written> {
  const previousRows = known?.rows ?? {};
  const saved = known && savedLayout(known);
  if (saved) {
    const write = sheetWrite(views, saved.grids, previousRows);
    try {
      await send(api, write.requests);
      return { write, chartId: saved.chartId, setUp: false };
    } catch (error) {
      if (!isOutOfDateWrite(error)) throw error;

      log('INFO', 'the spreadsheet changed since the last sync; reading it to write again', {
        error: messageOf(error),
      });
    }
  } else if (!known) {
    const blind = setUp(NOTHING);
    const write = sheetWrite(views, blind.grids, previousRows);
    try {
      await send(api, [...blind.requests, ...write.requests]);
      return { write, chartId: blind.chartId, setUp: true };
    } catch (error) {
      if (statusOf(error) !== 400) throw error;

      log('INFO', 'the spreadsheet has some tabs already; reading it to add the rest', {
        error: messageOf(error),
      });
    }
  }

  const found = setUp(existingOf(await api.describe(DESCRIBE_FIELDS)));
  const write = sheetWrite(views, found.grids, previousRows);
  await send(api, [...found.requests, ...write.requests]);

  return { write, chartId: found.chartId, setUp: found.requests.length > 0 };
}

function clearedRows(before: Record<string, number>, after: Record<string, number>): number {
  return Object.entries(after).reduce(
    (total, [tab, rows]) => total + Math.max(0, (before[tab] ?? 0) - rows),
    0,
  );
}

/** Each key of `mine` at the larger of its two counts. */
function larger(mine: Record<string, number>, theirs: Record<string, number> = {}) {
  return Object.fromEntries(
    Object.entries(mine).map(([key, count]) => [key, Math.max(count, theirs[key] ?? 0)]),
  );
}

/**
 * Saves what this sync wrote. When another sync saved since this one read the state, the two
 * wrote in either order, so each tab's written rows and grid rows are kept at the larger of
 * the two: the next sync then blanks Visits down to whatever either wrote, and takes no grid
 * for smaller than either left it. The sheet and chart ids are this sync's; should a sheet id
 * be out of date, the next sync's write is refused and it reads the spreadsheet.
 */
async function saveState(
  store: Store,
  spreadsheetId: string,
  read: SyncState | null,
  { write, chartId }: Written,
  now: Date,
): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.getSyncState();
    const raced =
      current !== null &&
      current.spreadsheetId === spreadsheetId &&
      current.revision !== read?.revision;
    const { sheetIds, gridRows } = layoutFields({ grids: write.grids, chartId });

    tx.saveSyncState({
      spreadsheetId,
      rows: raced ? larger(write.rows, current.rows) : write.rows,
      sheetIds,
      gridRows: raced ? larger(gridRows, current.gridRows) : gridRows,
      chartId,
      revision: (current?.revision ?? 0) + 1,
      syncedAt: now.toISOString(),
    });
  });
}
