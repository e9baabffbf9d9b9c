import { auth as googleAuth } from '@googleapis/sheets';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { anOwnedLead } from '../../functions/src/domain/test-fixtures.js';
import type { LogFields, Severity } from '../../functions/src/log.js';
import { CHART_TITLE, LEADS_FORMATS, PROTECTION_NOTE } from '../../functions/src/sheets/layout.js';
import { projectTab } from '../../functions/src/sheets/projection.js';
import { SheetsApiError } from '../../functions/src/sheets/sheets-api.js';
import { loadSheetState } from '../../functions/src/sheets/state.js';
import { syncSheet, type SyncDeps } from '../../functions/src/sheets/sync.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { FakeSheetsServer } from './fake-sheets-server.js';
import { ANA, NOW, SPREADSHEET_ID, aTeamDay, poolLeads, seed } from './fixtures.js';

let fake: FakeSheetsServer;
beforeAll(async () => {
  fake = await FakeSheetsServer.start();
});
afterAll(async () => fake.close());

type LogLine = { severity: Severity; message: string } & LogFields;

let store: SqliteStore;
let logs: LogLine[];
let sleeps: number[];
let deps: SyncDeps;
beforeEach(async () => {
  fake.received.length = 0;
  fake.create(SPREADSHEET_ID);
  store = new SqliteStore(':memory:');
  await seed(store, { ...aTeamDay(), policy: { spreadsheetId: SPREADSHEET_ID } });
  logs = [];
  sleeps = [];

  // A token the fake accepts, so no request ever leaves for Google. The client's own copy of
  // google-auth-library, as the project's copy is a different version with other types.
  const auth = new googleAuth.OAuth2();
  auth.setCredentials({ access_token: fake.accessToken });
  deps = {
    store,
    log: (severity, message, fields = {}) => logs.push({ severity, message, ...fields }),
    sheets: {
      rootUrl: fake.rootUrl,
      auth,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
    },
  };
});
afterEach(async () => store.close());

const rowsOf = (tab: string) => fake.rows(SPREADSHEET_ID, tab);

/** A tab as the views answer it, seen as the fake shows cells: trailing empty ones dropped. */
async function expectedRows(tab: 'Pool' | 'Leads' | 'Today') {
  const view = projectTab(tab, await loadSheetState(store, NOW));

  return [view.columns, ...view.rows].map((row) => {
    const cells = row.map((cell) => cell ?? '');
    return cells.slice(0, cells.findLastIndex((cell) => cell !== '') + 1);
  });
}

describe('syncSheet', () => {
  describe('on a spreadsheet never synced', () => {
    it('creates tabs, protections, formats and chart in one batchUpdate, then writes', async () => {
      const counts = await syncSheet(deps, NOW);

      expect(fake.received.map(({ call, status }) => [call, status])).toEqual([
        ['batch', 200],
        ['values', 200],
      ]);
      expect(counts).toMatchObject({ configured: 1, tabs: 7, requests: 2, setUp: 1 });
      expect(fake.tabs(SPREADSHEET_ID).map((tab) => tab.title)).toEqual([
        'Sheet1',
        'Pool',
        'Leads',
        'Visits',
        'Today',
        'QC',
        'Settings',
        'Import',
      ]);
    });

    it('warns on edits to tabs only the server writes, but the Owner column', async () => {
      await syncSheet(deps, NOW);

      const protectedTabs = fake
        .tabs(SPREADSHEET_ID)
        .filter((tab) =>
          tab.protectedRanges.some((range) => range.description === PROTECTION_NOTE),
        );
      expect(protectedTabs.map((tab) => tab.title)).toEqual([
        'Pool',
        'Leads',
        'Today',
        'QC',
        'Settings',
      ]);
      const leads = fake.tab(SPREADSHEET_ID, 'Leads');
      expect(leads.protectedRanges).toEqual([
        {
          range: { sheetId: leads.sheetId },
          description: PROTECTION_NOTE,
          warningOnly: true,
          // Column E, below the header.
          unprotectedRanges: [
            { sheetId: leads.sheetId, startRowIndex: 1, startColumnIndex: 4, endColumnIndex: 5 },
          ],
        },
      ]);
      expect(fake.tab(SPREADSHEET_ID, 'Import').protectedRanges).toEqual([]);
    });

    it('colours overdue rows red before due-soon rows amber on Leads', async () => {
      await syncSheet(deps, NOW);

      const rules = fake.tab(SPREADSHEET_ID, 'Leads').conditionalFormats;
      expect(rules.map((rule) => rule.booleanRule.condition.values[0]?.userEnteredValue)).toEqual([
        '=AND(ISNUMBER($I2),$I2<0)',
        '=$J2=TRUE',
      ]);
      expect(rules.map((rule) => rule.booleanRule.format.backgroundColor)).toEqual(
        LEADS_FORMATS.map((format) => format.colour),
      );
    });

    it('charts visits and effective visits by rep on Today, beside the board', async () => {
      await syncSheet(deps, NOW);

      const today = fake.tab(SPREADSHEET_ID, 'Today');
      const [chart] = today.charts;
      const column = (data: { sourceRange: { sources: { startColumnIndex?: number }[] } }) =>
        data.sourceRange.sources[0]?.startColumnIndex;
      expect(today.charts).toHaveLength(1);
      expect(chart?.spec.title).toBe(CHART_TITLE);
      expect(chart?.spec.basicChart.domains.map(({ domain }) => column(domain))).toEqual([1]);
      expect(chart?.spec.basicChart.series.map(({ series }) => column(series))).toEqual([2, 3]);
      expect(chart?.position.overlayPosition.anchorCell).toEqual({
        sheetId: today.sheetId,
        rowIndex: 0,
        columnIndex: 8,
      });
    });

    it('writes every tab as the views answer it, with empty cells for nulls', async () => {
      await syncSheet(deps, NOW);

      expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
      expect(rowsOf('Leads')).toEqual(await expectedRows('Leads'));
      expect(rowsOf('Today')).toEqual(await expectedRows('Today'));
      expect(rowsOf('Import')).toEqual([
        [
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
      ]);
    });

    it('adds only what is missing when some of the tabs exist already', async () => {
      fake.create(SPREADSHEET_ID, ['Pool']);
      const pool = fake.tab(SPREADSHEET_ID, 'Pool').sheetId;
      // Rows of a sync the store has no record of, at the very end of the grid.
      fake.type(SPREADSHEET_ID, 'Pool', 999, ['left over']);

      const counts = await syncSheet(deps, NOW);

      // The blind set-up is refused as a whole, so the spreadsheet is read first.
      expect(fake.received.map(({ call, status }) => [call, status])).toEqual([
        ['batch', 400],
        ['get', 200],
        ['batch', 200],
        ['values', 200],
      ]);
      expect(counts.requests).toBe(4);
      expect(fake.tabs(SPREADSHEET_ID).filter((tab) => tab.title === 'Pool')).toHaveLength(1);
      expect(fake.tab(SPREADSHEET_ID, 'Pool').sheetId).toBe(pool);
      expect(fake.tab(SPREADSHEET_ID, 'Pool').protectedRanges).toHaveLength(1);
      expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
    });
  });

  describe('on a spreadsheet synced before', () => {
    beforeEach(async () => {
      await syncSheet(deps, NOW);
      fake.received.length = 0;
    });

    it('writes everything in one values.batchUpdate and sets nothing up', async () => {
      const counts = await syncSheet(deps, NOW);

      expect(fake.received.map(({ call }) => call)).toEqual(['values']);
      expect(counts).toMatchObject({ requests: 1, setUp: 0 });
    });

    it('blanks the rows of leads that left a tab since the last sync', async () => {
      const owned = (id: string) => anOwnedLead(ANA, { id, company: `${id} Co` });
      await seed(store, { leads: [owned('p-new'), owned('p-old')] });
      fake.type(SPREADSHEET_ID, 'Pool', 5, ['typed by someone']);

      const counts = await syncSheet(deps, NOW);

      expect(counts.cleared).toBe(2);
      expect(rowsOf('Pool')).toEqual([
        ['Lead ID', 'Company', 'Contact', 'Title', 'Phone', 'Region', 'Source', 'Created'],
        // Below what the server ever wrote is not the server's to clear.
        [],
        [],
        [],
        [],
        ['typed by someone'],
      ]);
      expect(rowsOf('Leads')).toEqual(await expectedRows('Leads'));
    });

    it('leaves the leads managers pasted into Import as they are', async () => {
      const pasted = ['Acme', 'Li Wei', 'Owner', '13800138000', 'Pudong', 'fair', '', ANA];
      fake.type(SPREADSHEET_ID, 'Import', 1, pasted);

      await syncSheet(deps, NOW);

      expect(rowsOf('Import')[1]).toEqual(pasted);
    });

    it('puts back a tab deleted since, and writes again', async () => {
      fake.deleteTab(SPREADSHEET_ID, 'Visits');

      const counts = await syncSheet(deps, NOW);

      expect(fake.received.map(({ call, status }) => [call, status])).toEqual([
        ['values', 400],
        ['get', 200],
        ['batch', 200],
        ['values', 200],
      ]);
      expect(counts).toMatchObject({ requests: 4, setUp: 1 });
      expect(fake.tab(SPREADSHEET_ID, 'Visits').protectedRanges).toHaveLength(0);
      expect(fake.tab(SPREADSHEET_ID, 'Leads').conditionalFormats).toHaveLength(2);
      expect(fake.tab(SPREADSHEET_ID, 'Today').charts).toHaveLength(1);
      expect(rowsOf('Visits')).toHaveLength(4);
    });

    it('waits and tries again when the API answers 429', async () => {
      fake.failNext(2, 429, 'values');

      const counts = await syncSheet(deps, NOW);

      expect(sleeps).toEqual([1000, 2000]);
      expect(counts.requests).toBe(3);
      expect(logs.filter((line) => line.severity === 'WARNING')).toMatchObject([
        { message: 'Sheets API call failed; retrying', status: 429, attempt: 1, delayMs: 1000 },
        { message: 'Sheets API call failed; retrying', status: 429, attempt: 2, delayMs: 2000 },
      ]);
    });

    it('fails once every attempt answered 500, and leaves the store as it was', async () => {
      const before = await store.transaction((tx) => tx.getSyncState());
      await seed(store, { leads: [anOwnedLead(ANA, { id: 'p-new' })] });
      fake.failNext(5, 500);

      const sync = syncSheet(deps, NOW);

      await expect(sync).rejects.toThrow(SheetsApiError);
      await expect(sync).rejects.toMatchObject({ status: 500, attempts: 5 });
      expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
      expect(await store.transaction((tx) => tx.getSyncState())).toEqual(before);
      expect(fake.count()).toBe(5);
    });

    it('does not retry a request the API refused', async () => {
      fake.deleteTab(SPREADSHEET_ID, 'Visits');
      fake.failNext(1, 400, 'batch');

      await expect(syncSheet(deps, NOW)).rejects.toMatchObject({ status: 400, attempts: 1 });
      expect(sleeps).toEqual([]);
    });

    it('clears what another sync wrote while this one was writing', async () => {
      // Another sync that saved while this one wrote: it had written 50 rows of Pool.
      const racing = fake.onValues(async () => {
        const state = await store.transaction((tx) => tx.getSyncState());
        await store.transaction(async (tx) => {
          tx.saveSyncState({ ...state!, rows: { ...state!.rows, Pool: 50 }, revision: 99 });
        });
      });

      await syncSheet(deps, NOW);
      racing.stop();
      const next = await syncSheet(deps, NOW);

      expect((await store.transaction((tx) => tx.getSyncState()))?.rows.Pool).toBe(3);
      expect(next.cleared).toBe(50 - 3);
    });
  });

  it('writes 10,000 pool leads in two requests on the first sync and one after', async () => {
    await seed(store, { leads: poolLeads(10_000) });

    const first = await syncSheet(deps, NOW);
    const second = await syncSheet(deps, NOW);

    expect(first).toMatchObject({ requests: 2, setUp: 1 });
    expect(second).toMatchObject({ requests: 1, setUp: 0 });
    expect(first.rows).toBeGreaterThan(10_000);
    expect(rowsOf('Pool')).toHaveLength(10_003);
    expect(fake.received.map(({ call }) => call)).toEqual(['batch', 'values', 'values']);
  });

  it('does nothing, and says so, when the policy names no spreadsheet', async () => {
    await seed(store, { policy: { spreadsheetId: null } });

    const counts = await syncSheet(deps, NOW);

    expect(counts).toEqual({ configured: 0, tabs: 0, rows: 0, cleared: 0, requests: 0, setUp: 0 });
    expect(fake.count()).toBe(0);
    expect(await store.transaction((tx) => tx.getSyncState())).toBeNull();
  });

  it('starts over on a spreadsheet the policy names instead of the last one', async () => {
    await syncSheet(deps, NOW);
    const other = SPREADSHEET_ID.replace('Test', 'Next');
    fake.create(other);
    await seed(store, { policy: { spreadsheetId: other } });

    const counts = await syncSheet(deps, NOW);

    expect(counts).toMatchObject({ setUp: 1, cleared: 0 });
    expect(fake.rows(other, 'Pool')).toEqual(await expectedRows('Pool'));
  });
});
