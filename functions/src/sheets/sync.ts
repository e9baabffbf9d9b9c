import type { Logger } from '../log.js';
import type { Store, SyncState } from '../store/port.js';
import {
  DESCRIBE_FIELDS,
  existingOf,
  gridRows,
  NOTHING,
  setUpRequests,
  type Existing,
} from './layout.js';
import { projectSheet } from './projection.js';
import {
  isMissingTab,
  messageOf,
  openSheetsApi,
  statusOf,
  type SheetsApi,
  type SheetsOptions,
} from './sheets-api.js';
import { loadSheetState } from './state.js';
import { valueWrite } from './values.js';

export type SyncDeps = { store: Store; log: Logger; sheets?: SheetsOptions };

export type SyncCounts = {
  /** 0 when the policy names no spreadsheet and nothing was done. */
  configured: number;
  tabs: number;
  /** Data rows written, headers not counted. */
  rows: number;
  /** Rows blanked because the previous sync wrote more. */
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
 * Writes every tab of the shared sheet from the store: one `values.batchUpdate` in steady
 * state, plus one `batchUpdate` when tabs, protections, formats or the chart are missing.
 * A sync that fails leaves the store as it was; the next one writes everything again.
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
  let write = valueWrite(views, known?.rows ?? {});

  const api = await openSheetsApi(spreadsheetId, deps.sheets ?? {}, deps.log);
  let setUp = false;
  if (!known) {
    // Tabs this sync did not create may hold rows of an earlier sync it has no record of
    // (a state lost, a spreadsheet named again): blank them down to the end of the grid.
    const found = await setUpSheet(api, deps.log, { blind: true });
    if (found) write = valueWrite(views, gridRows(found));
    setUp = true;
  }

  try {
    await api.writeValues(write.request);
  } catch (error) {
    // Someone deleted or renamed a tab since the last sync: put it back and write again.
    if (setUp || !isMissingTab(error)) throw error;

    await setUpSheet(api, deps.log, { blind: false });
    setUp = true;
    await api.writeValues(write.request);
  }

  await saveState(deps.store, spreadsheetId, previous, write.rows, now);

  const counts: SyncCounts = {
    configured: 1,
    tabs: views.length,
    rows: views.reduce((total, view) => total + view.rows.length, 0),
    cleared: write.cleared,
    requests: api.requests(),
    setUp: setUp ? 1 : 0,
  };
  deps.log('INFO', 'sheet synced', { spreadsheetId, ...counts });
  return counts;
}

/**
 * On a spreadsheet never synced, everything is assumed missing and created in one request.
 * When that is refused (a tab of that name exists already), the spreadsheet is read and
 * only what it lacks is created. Answers what was read, if anything.
 */
async function setUpSheet(
  api: SheetsApi,
  log: Logger,
  { blind }: { blind: boolean },
): Promise<Existing | null> {
  if (blind) {
    try {
      await api.batchUpdate(setUpRequests(NOTHING));
      return null;
    } catch (error) {
      if (statusOf(error) !== 400) throw error;

      log('INFO', 'the spreadsheet has some tabs already; reading it to add the rest', {
        error: messageOf(error),
      });
    }
  }

  const existing = existingOf(await api.describe(DESCRIBE_FIELDS));
  const requests = setUpRequests(existing);
  if (requests.length > 0) await api.batchUpdate(requests);

  return existing;
}

/**
 * Saves what this sync wrote. When another sync saved since this one read the state, the
 * two may have written in either order, so the larger row count of each tab is kept: the
 * next sync then blanks whatever either left behind.
 */
async function saveState(
  store: Store,
  spreadsheetId: string,
  read: SyncState | null,
  rows: Record<string, number>,
  now: Date,
): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.getSyncState();
    const raced =
      current !== null &&
      current.spreadsheetId === spreadsheetId &&
      current.revision !== read?.revision;
    const merged = { ...rows };
    if (raced) {
      for (const [tab, count] of Object.entries(current.rows)) {
        merged[tab] = Math.max(count, merged[tab] ?? 0);
      }
    }

    tx.saveSyncState({
      spreadsheetId,
      rows: merged,
      revision: (current?.revision ?? 0) + 1,
      syncedAt: now.toISOString(),
    });
  });
}
