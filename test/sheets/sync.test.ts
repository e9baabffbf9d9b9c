import { auth as googleAuth } from '@googleapis/sheets';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { aLead, anOwnedLead } from '../../functions/src/domain/test-fixtures.js';
import { addHours } from '../../functions/src/domain/time.js';
import type { LogFields, Severity } from '../../functions/src/log.js';
import { BATCH_BYTES } from '../../functions/src/sheets/batches.js';
import {
  CHART_TITLE,
  FORMER_CHART_TITLES,
  LEADS_FORMATS,
  PROTECTION_NOTE,
} from '../../functions/src/sheets/layout.js';
import { projectTab } from '../../functions/src/sheets/projection.js';
import { SheetsApiError } from '../../functions/src/sheets/sheets-api.js';
import { loadSheetState } from '../../functions/src/sheets/state.js';
import { syncSheet, type SyncDeps } from '../../functions/src/sheets/sync.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { FakeSheetsServer, type FakeTab } from './fake-sheets-server.js';
import { ANA, NOW, SPREADSHEET_ID, aTeamDay, poolLeads, seed } from './fixtures.js';

const TABS_WRITTEN = ['Pool', 'Leads', 'Visits', 'Today', 'QC', 'Settings'];

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

/** Cells as the fake shows them: trailing empty ones dropped. */
function trimmed<T>(cells: readonly (T | '')[]): (T | '')[] {
  return cells.slice(0, cells.findLastIndex((cell) => cell !== '') + 1);
}

/** A tab as the views answer it, seen as the fake shows cells. */
async function expectedRows(tab: 'Pool' | 'Leads' | 'Visits' | 'Today', now = NOW) {
  const view = projectTab(tab, await loadSheetState(store, now));

  return [view.columns, ...view.rows].map((row) => trimmed(row.map((cell) => cell ?? '')));
}

/** The sheet ids the spreadsheet has for our tabs. */
const sheetIds = () =>
  Object.fromEntries(
    [...TABS_WRITTEN, 'Import'].map((tab) => [tab, fake.tab(SPREADSHEET_ID, tab).sheetId]),
  );

/** The ids of the charts on Today. */
const chartIds = () => fake.tab(SPREADSHEET_ID, 'Today').charts.map((chart) => chart.chartId);

/** A column chart of visits and effective visits over column I of Today, as drawn before. */
function formerChart(chartId: number, title: string): FakeTab['charts'][number] {
  const sheetId = fake.tab(SPREADSHEET_ID, 'Today').sheetId;
  const column = (index: number) => ({
    sourceRange: {
      sources: [{ sheetId, startRowIndex: 0, startColumnIndex: index, endColumnIndex: index + 1 }],
    },
  });

  return {
    chartId,
    spec: {
      title,
      basicChart: {
        chartType: 'COLUMN',
        legendPosition: 'BOTTOM_LEGEND',
        headerCount: 1,
        domains: [{ domain: column(1) }],
        series: [2, 3].map((index) => ({ series: column(index), targetAxis: 'LEFT_AXIS' })),
      },
    },
    position: {
      overlayPosition: {
        anchorCell: { sheetId, rowIndex: 0, columnIndex: 8 },
        widthPixels: 640,
        heightPixels: 360,
      },
    },
  };
}

/** The header of the column a chart draws, as the sheet shows it. */
function headerOf(data: { sourceRange: { sources: { startColumnIndex?: number }[] } }) {
  return rowsOf('Today')[0]?.[data.sourceRange.sources[0]?.startColumnIndex ?? -1];
}

describe('syncSheet', () => {
  describe('on a spreadsheet never synced', () => {
    it('creates tabs, protections, formats and chart in the request that writes', async () => {
      const counts = await syncSheet(deps, NOW);

      expect(fake.received.map(({ call, status }) => [call, status])).toEqual([['batch', 200]]);
      expect(counts).toMatchObject({ configured: 1, tabs: 7, requests: 1, setUp: 1 });
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

    it('charts visits as columns, the quotas as lines, beside the Today board', async () => {
      await syncSheet(deps, NOW);

      const today = fake.tab(SPREADSHEET_ID, 'Today');
      const [chart] = today.charts;
      const { chartType, domains, series } = chart!.spec.basicChart;
      expect(today.charts).toHaveLength(1);
      expect(chart?.spec.title).toBe(CHART_TITLE);
      expect(chartType).toBe('COMBO');
      expect(domains.map(({ domain }) => headerOf(domain))).toEqual(['Rep']);
      expect(series.map((one) => [headerOf(one.series), one.type])).toEqual([
        ['Visits', 'COLUMN'],
        ['Effective', 'COLUMN'],
        ['Visit quota', 'LINE'],
        ['Effective quota', 'LINE'],
      ]);
      expect(chart?.position.overlayPosition.anchorCell).toEqual({
        sheetId: today.sheetId,
        rowIndex: 0,
        columnIndex: 10,
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

    it('freezes the header row of every tab, those it found there included', async () => {
      fake.create(SPREADSHEET_ID, ['Leads']);

      await syncSheet(deps, NOW);

      const frozen = [...TABS_WRITTEN, 'Import'].map((title) => [
        title,
        fake.tab(SPREADSHEET_ID, title).frozenRows,
      ]);
      expect(frozen).toEqual([...TABS_WRITTEN, 'Import'].map((title) => [title, 1]));
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
      ]);
      expect(counts.requests).toBe(3);
      expect(fake.tabs(SPREADSHEET_ID).filter((tab) => tab.title === 'Pool')).toHaveLength(1);
      expect(fake.tab(SPREADSHEET_ID, 'Pool').sheetId).toBe(pool);
      expect(fake.tab(SPREADSHEET_ID, 'Pool').protectedRanges).toHaveLength(1);
      expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
    });

    it('takes a tab named in another case, or with spaces around, for its own', async () => {
      fake.create(SPREADSHEET_ID, [' pool ', 'LEADS']);
      const ids = ['Sheet1', ' pool ', 'LEADS'].map(
        (title) => fake.tab(SPREADSHEET_ID, title).sheetId,
      );

      await syncSheet(deps, NOW);

      const tabs = fake.tabs(SPREADSHEET_ID);
      expect(tabs.slice(0, 3).map(({ title, sheetId }) => [title, sheetId])).toEqual([
        ['Sheet1', ids[0]],
        [' pool ', ids[1]],
        ['LEADS', ids[2]],
      ]);
      expect(tabs.map((tab) => tab.title.trim().toLowerCase())).toEqual([
        'sheet1',
        'pool',
        'leads',
        'visits',
        'today',
        'qc',
        'settings',
        'import',
      ]);
      expect(rowsOf(' pool ')).toEqual(await expectedRows('Pool'));
      expect(rowsOf('LEADS')).toEqual(await expectedRows('Leads'));
      expect(fake.tab(SPREADSHEET_ID, 'LEADS').conditionalFormats).toHaveLength(2);
    });
  });

  describe('on a spreadsheet synced before', () => {
    beforeEach(async () => {
      await syncSheet(deps, NOW);
      fake.received.length = 0;
    });

    it('writes everything in one batchUpdate and sets nothing up', async () => {
      const counts = await syncSheet(deps, NOW);

      expect(fake.received.map(({ call }) => call)).toEqual(['batch']);
      expect(counts).toMatchObject({ requests: 1, setUp: 0 });
    });

    it('blanks the rows of leads that left a tab since the last sync', async () => {
      const owned = (id: string) => anOwnedLead(ANA, { id, company: `${id} Co` });
      await seed(store, { leads: [owned('p-new'), owned('p-old')] });

      const counts = await syncSheet(deps, NOW);

      expect(counts.cleared).toBe(2);
      expect(rowsOf('Pool')).toEqual([
        ['Lead ID', 'Company', 'Contact', 'Title', 'Phone', 'Region', 'Source', 'Created'],
      ]);
      expect(rowsOf('Leads')).toEqual(await expectedRows('Leads'));
    });

    it('blanks every row below its own, however many the add-on drew there', async () => {
      await seed(store, { leads: poolLeads(88) });
      // The add-on's last refresh drew 120 pool leads; the sync before it wrote 2.
      for (let row = 1; row <= 120; row += 1) {
        fake.type(SPREADSHEET_ID, 'Pool', row, [`stale-${row}`, 'Gone Co', 'Li Wei']);
      }

      const counts = await syncSheet(deps, NOW);

      expect(rowsOf('Pool')).toHaveLength(1 + 90);
      expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
      expect(counts).toMatchObject({ requests: 1, cleared: 0 });
    });

    it('keeps a column a person added beside Leads, and what they typed in it', async () => {
      fake.type(SPREADSHEET_ID, 'Leads', 0, ['Called?'], 12);
      fake.type(SPREADSHEET_ID, 'Leads', 2, ['yes, twice'], 12);
      fake.type(SPREADSHEET_ID, 'Leads', 40, ['ask Bo'], 12);

      await syncSheet(deps, NOW);

      const rows = rowsOf('Leads');
      const typed = [0, 2, 40].map((row) => rows[row]?.[12]);
      expect(typed).toEqual(['Called?', 'yes, twice', 'ask Bo']);
      expect(rows.slice(0, 6).map((row) => trimmed(row.slice(0, 11)))).toEqual(
        await expectedRows('Leads'),
      );
    });

    it('keeps every column of a grid made wider than 26, and what they hold', async () => {
      fake.addToGrid(SPREADSHEET_ID, 'Leads', { columns: 4 });
      fake.type(SPREADSHEET_ID, 'Leads', 1, ['far right'], 29);

      await syncSheet(deps, NOW);

      expect(fake.tab(SPREADSHEET_ID, 'Leads').columnCount).toBe(30);
      expect(rowsOf('Leads')[1]?.[29]).toBe('far right');
    });

    it('keeps visit rows typed below its own, and the note on one the relay refused', async () => {
      // The relay sends a row once it names whom the rep met; it refused the other one.
      const halfTyped = ['', '', '', 'o-soon', '', 'effective'];
      const refused = ['', '', '', 'no-such-lead', '', 'effective', 'owner'];
      fake.type(SPREADSHEET_ID, 'Visits', 4, halfTyped);
      fake.type(SPREADSHEET_ID, 'Visits', 6, refused);
      fake.annotate(SPREADSHEET_ID, 'Visits', 6, 5, 'Unknown lead.');

      await syncSheet(deps, NOW);

      const written = await expectedRows('Visits');
      expect(rowsOf('Visits')).toEqual([...written, halfTyped, [], refused]);
      expect(fake.notes(SPREADSHEET_ID, 'Visits')).toEqual([[6, 5, 'Unknown lead.']]);
    });

    it('blanks a day of visits when the next begins, but not the rows typed below', async () => {
      const halfTyped = ['', '', '', 'o-soon', '', 'effective'];
      fake.type(SPREADSHEET_ID, 'Visits', 5, halfTyped);
      const tomorrow = addHours(NOW, 24);

      const counts = await syncSheet(deps, tomorrow);

      const header = await expectedRows('Visits', tomorrow);
      expect(header).toHaveLength(1);
      expect(rowsOf('Visits')).toEqual([...header, [], [], [], [], halfTyped]);
      expect(counts.cleared).toBeGreaterThanOrEqual(3);
    });

    it('removes the notes on rows it writes, as those may hold other leads now', async () => {
      fake.annotate(SPREADSHEET_ID, 'Leads', 2, 4, 'Only a manager can assign a lead.');
      fake.annotate(SPREADSHEET_ID, 'Leads', 40, 4, 'Only a manager can assign a lead.');
      fake.annotate(SPREADSHEET_ID, 'Visits', 2, 5, 'A logged visit cannot be changed.');

      await syncSheet(deps, NOW);

      expect(fake.notes(SPREADSHEET_ID, 'Leads')).toEqual([]);
      expect(fake.notes(SPREADSHEET_ID, 'Visits')).toEqual([]);
    });

    it('grows a grid only when its rows and a thousand blank ones need more', async () => {
      await syncSheet(deps, NOW);
      await seed(store, { leads: poolLeads(1000) });
      const counts = await syncSheet(deps, NOW);

      const resizes = fake.received.map(({ kinds }) => kinds.filter((k) => k !== 'updateCells'));
      expect(resizes).toEqual([[], ['appendDimension']]);
      expect(counts.requests).toBe(1);
      expect(fake.tab(SPREADSHEET_ID, 'Pool').rowCount).toBe(1003 + 1000);
      expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
    });

    it('never shrinks a grid, nor cuts the rows a person added when it grows one', async () => {
      fake.addToGrid(SPREADSHEET_ID, 'Pool', { rows: 4000 });
      fake.type(SPREADSHEET_ID, 'Pool', 5001, ['left at the bottom']);
      fake.type(SPREADSHEET_ID, 'Pool', 5002, ['mine'], 12);

      await syncSheet(deps, NOW);
      const kept = fake.tab(SPREADSHEET_ID, 'Pool').rowCount;
      await seed(store, { leads: poolLeads(1000) });
      await syncSheet(deps, NOW);

      // The sync remembers a grid of 1,003 rows, so it appends 1,000 to what is there.
      expect(kept).toBe(5003);
      expect(fake.tab(SPREADSHEET_ID, 'Pool').rowCount).toBe(5003 + 1000);
      expect(rowsOf('Pool').slice(0, 1003)).toEqual(await expectedRows('Pool'));
      const mine = [...new Array<string>(12).fill(''), 'mine'];
      expect(rowsOf('Pool').slice(5001)).toEqual([[], mine]);
    });

    it.each(['Pool', 'Visits'] as const)(
      'reads the spreadsheet and writes again when a person deleted rows of %s it needs',
      async (tab) => {
        fake.deleteRows(SPREADSHEET_ID, tab, 1, fake.tab(SPREADSHEET_ID, tab).rowCount - 2);

        const counts = await syncSheet(deps, NOW);
        const next = await syncSheet(deps, NOW);

        expect(fake.received.map(({ call, status }) => [call, status])).toEqual([
          ['batch', 400],
          ['get', 200],
          ['batch', 200],
          ['batch', 200],
        ]);
        expect(counts).toMatchObject({ requests: 3, setUp: 0 });
        expect(next.requests).toBe(1);
        expect(fake.tab(SPREADSHEET_ID, tab).rowCount).toBe(rowsOf(tab).length + 1000);
        expect(rowsOf(tab)).toEqual(await expectedRows(tab));
      },
    );

    it('widens a grid a person narrowed below the columns of its tab', async () => {
      fake.deleteColumns(SPREADSHEET_ID, 'Leads', 6, 18);

      const counts = await syncSheet(deps, NOW);

      expect(fake.received.map(({ call, status }) => [call, status])).toEqual([
        ['batch', 400],
        ['get', 200],
        ['batch', 200],
      ]);
      expect(counts).toMatchObject({ requests: 3, setUp: 0 });
      expect(fake.tab(SPREADSHEET_ID, 'Leads').columnCount).toBe(11);
      expect(rowsOf('Leads')).toEqual(await expectedRows('Leads'));
    });

    it('writes text as text, and numbers and truth values as themselves', async () => {
      const formula = '=HYPERLINK("https://example.com","Acme")';
      await seed(store, { leads: [aLead({ id: 'p-formula', company: formula, phone: '007' })] });

      await syncSheet(deps, NOW);

      const pool = rowsOf('Pool').find((row) => row[0] === 'p-formula');
      const overdue = rowsOf('Leads').find((row) => row[0] === 'o-overdue');
      expect(pool?.slice(1, 5)).toEqual([formula, 'Li Wei', 'Owner', '007']);
      expect(pool?.[7]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      expect(overdue?.slice(8, 10)).toEqual([-2, true]);
    });

    it('keeps writing a tab a person renamed, in whatever case', async () => {
      fake.renameTab(SPREADSHEET_ID, 'Pool', 'pool');

      const counts = await syncSheet(deps, NOW);

      expect(counts).toMatchObject({ requests: 1, setUp: 0 });
      expect(fake.tabs(SPREADSHEET_ID).filter((tab) => /pool/i.test(tab.title))).toHaveLength(1);
      expect(rowsOf('pool')).toEqual(await expectedRows('Pool'));
    });

    it('keeps sheet ids, grid rows and the chart’s id as fields of the state', async () => {
      const state = await store.transaction((tx) => tx.getSyncState());

      expect(state).toMatchObject({
        rows: { Pool: 3, Leads: 6, Visits: 4, Today: 3, QC: 3, Settings: 16 },
        sheetIds: sheetIds(),
        chartId: chartIds()[0],
        gridRows: {
          Pool: 1003,
          Leads: 1006,
          Visits: 1004,
          Today: 1003,
          QC: 1003,
          Settings: 1016,
          Import: 1000,
        },
      });
      expect(Object.keys(state!.rows)).toEqual(TABS_WRITTEN);
    });

    it('replaces in one read and one write the chart drawn before the quotas were', async () => {
      // As that version left the sheet: its chart over column I, no chart id in the state.
      const today = fake.tab(SPREADSHEET_ID, 'Today');
      today.charts = [formerChart(1_234_567, FORMER_CHART_TITLES[0]!), formerChart(42, 'Mine')];
      const state = await store.transaction((tx) => tx.getSyncState());
      const { chartId: _, ...withoutChart } = state!;
      await store.transaction(async (tx) => tx.saveSyncState(withoutChart));

      const counts = await syncSheet(deps, NOW);
      const next = await syncSheet(deps, NOW);

      const charts = fake.tab(SPREADSHEET_ID, 'Today').charts;
      const saved = await store.transaction((tx) => tx.getSyncState());
      expect(fake.received.map(({ call }) => call)).toEqual(['get', 'batch', 'batch']);
      expect(counts).toMatchObject({ requests: 2, setUp: 1 });
      expect(next).toMatchObject({ requests: 1, setUp: 0 });
      expect(charts.map(({ spec }) => [spec.title, spec.basicChart.chartType])).toEqual([
        ['Mine', 'COLUMN'],
        [CHART_TITLE, 'COMBO'],
      ]);
      expect(saved?.chartId).toBe(charts[1]?.chartId);
    });

    it('reads the spreadsheet once when the saved state has no sheet ids', async () => {
      const state = await store.transaction((tx) => tx.getSyncState());
      const { spreadsheetId, revision, syncedAt } = state!;
      const rows = { Pool: 3, Leads: 6, Visits: 4, Today: 3, QC: 3, Settings: 16 };
      await store.transaction(async (tx) =>
        tx.saveSyncState({ spreadsheetId, rows, revision, syncedAt }),
      );

      const first = await syncSheet(deps, NOW);
      const second = await syncSheet(deps, NOW);

      expect(fake.received.map(({ call }) => call)).toEqual(['get', 'batch', 'batch']);
      expect(first).toMatchObject({ requests: 2, setUp: 0 });
      expect(second).toMatchObject({ requests: 1, setUp: 0 });
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
        ['batch', 400],
        ['get', 200],
        ['batch', 200],
      ]);
      expect(counts).toMatchObject({ requests: 3, setUp: 1 });
      expect(fake.tab(SPREADSHEET_ID, 'Visits').protectedRanges).toHaveLength(0);
      expect(fake.tab(SPREADSHEET_ID, 'Leads').conditionalFormats).toHaveLength(2);
      expect(fake.tab(SPREADSHEET_ID, 'Today').charts).toHaveLength(1);
      expect(rowsOf('Visits')).toHaveLength(4);
    });

    it('waits and tries again when the API answers 429', async () => {
      fake.failNext(2, 429, 'batch');

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

    it('saves a later revision than another sync that saved while it wrote', async () => {
      const racing = fake.onBatch(async () => {
        const state = await store.transaction((tx) => tx.getSyncState());
        await store.transaction(async (tx) => tx.saveSyncState({ ...state!, revision: 99 }));
      });

      await syncSheet(deps, NOW);
      racing.stop();
      const next = await syncSheet(deps, NOW);

      expect((await store.transaction((tx) => tx.getSyncState()))?.revision).toBe(101);
      expect(next.requests).toBe(1);
    });

    describe('in several batches', () => {
      // A budget this small cuts the small team's tabs into batches, as a large team's are.
      const BUDGET = 3000;
      beforeEach(() => {
        deps.sheets = { ...deps.sheets, batchBytes: BUDGET };
      });

      const allTabs = () => ({
        Pool: rowsOf('Pool'),
        Leads: rowsOf('Leads'),
        Visits: rowsOf('Visits'),
        Today: rowsOf('Today'),
      });
      const expectedTabs = async () => ({
        Pool: await expectedRows('Pool'),
        Leads: await expectedRows('Leads'),
        Visits: await expectedRows('Visits'),
        Today: await expectedRows('Today'),
      });

      it('writes every tab as the views answer it, no batch over the budget', async () => {
        await seed(store, { leads: poolLeads(20) });

        const counts = await syncSheet(deps, NOW);

        expect(counts.requests).toBeGreaterThan(2);
        expect(fake.received.every(({ bytes }) => bytes <= BUDGET)).toBe(true);
        expect(allTabs()).toEqual(await expectedTabs());
      });

      it('reads and writes every tab again when a later batch finds a tab deleted', async () => {
        fake.deleteTab(SPREADSHEET_ID, 'Settings');
        await seed(store, { leads: poolLeads(20) });

        await syncSheet(deps, NOW);

        const calls = fake.received.map(({ call, status }) => `${call} ${status}`);
        expect(calls.slice(0, 2)).toEqual(['batch 200', 'batch 200']);
        expect(calls.filter((call) => call !== 'batch 200')).toEqual(['batch 400', 'get 200']);
        expect(allTabs()).toEqual(await expectedTabs());
        expect(rowsOf('Settings')).toHaveLength(16);
      });

      it('saves nothing when a later batch fails, and the next sync catches up', async () => {
        const quota = () => rowsOf('Settings').find(([key]) => key === 'visitQuota')?.[1];
        const before = {
          state: await store.transaction((tx) => tx.getSyncState()),
          quota: quota(),
        };
        await seed(store, { leads: poolLeads(2), policy: { visitQuota: 5 } });
        let batches = 0;
        const failing = fake.onBatch(async () => {
          batches += 1;
          if (batches === 1) fake.failNext(5, 500);
        });

        await expect(syncSheet(deps, NOW)).rejects.toThrow(SheetsApiError);
        failing.stop();

        // The first batch stays applied: Pool is new, Settings as the last sync wrote it.
        expect(await store.transaction((tx) => tx.getSyncState())).toEqual(before.state);
        expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
        expect(quota()).toBe(before.quota);

        await syncSheet(deps, NOW);

        expect(quota()).toBe(5);
        expect(allTabs()).toEqual(await expectedTabs());
      });
    });
  });

  it('writes 10,000 pool leads in one request, on the first sync and after', async () => {
    await seed(store, { leads: poolLeads(10_000) });

    const first = await syncSheet(deps, NOW);
    const second = await syncSheet(deps, NOW);

    expect(first).toMatchObject({ requests: 1, setUp: 1 });
    expect(second).toMatchObject({ requests: 1, setUp: 0 });
    expect(first.rows).toBeGreaterThan(10_000);
    expect(rowsOf('Pool')).toHaveLength(10_003);
    expect(fake.tab(SPREADSHEET_ID, 'Pool').rowCount).toBe(10_003 + 1000);
    expect(fake.received.map(({ call }) => call)).toEqual(['batch', 'batch']);
  });

  describe('with a pool larger than one request may carry', () => {
    // Each pool row is about 440 bytes of JSON, so 30,000 of them are over the 10 MiB the API
    // accepts in one request body.
    beforeEach(async () => {
      await seed(store, { leads: poolLeads(30_000) });
    });

    it('writes it in batches under the limit, the first sync included', async () => {
      const counts = await syncSheet(deps, NOW);

      const largest = Math.max(...fake.received.map(({ bytes }) => bytes));
      expect(counts).toMatchObject({ requests: 2, setUp: 1 });
      expect(fake.received.map(({ status }) => status)).toEqual([200, 200]);
      expect(largest).toBeLessThanOrEqual(BATCH_BYTES);
      expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
    });

    it('still blanks every row below its own once the Pool is cut in two', async () => {
      await syncSheet(deps, NOW);
      const end = rowsOf('Pool').length;
      for (let row = end; row < end + 50; row += 1) {
        fake.type(SPREADSHEET_ID, 'Pool', row, [`stale-${row}`, 'Gone Co']);
      }
      fake.received.length = 0;

      const counts = await syncSheet(deps, NOW);

      // One write a tab and Import's header, and one more for each cut in the Pool.
      const kinds = fake.received.flatMap((request) => request.kinds);
      const writes = kinds.filter((kind) => kind === 'updateCells');
      expect(counts.requests).toBe(2);
      expect(writes.length).toBeGreaterThan(TABS_WRITTEN.length + 1);
      expect(rowsOf('Pool')).toEqual(await expectedRows('Pool'));
    });
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
