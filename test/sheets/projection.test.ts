import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_POLICY } from '../../functions/src/domain/policy.js';
import { aLead, anOwnedLead } from '../../functions/src/domain/test-fixtures.js';
import {
  hoursLeft,
  projectSheet,
  projectTab,
  sheetTime,
  tabNamed,
  TAB_NAMES,
  type SheetView,
  type TabName,
} from '../../functions/src/sheets/projection.js';
import { loadSheetState } from '../../functions/src/sheets/state.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { ANA, BO, NOW, aTeamDay, hoursFromNow, seed } from './fixtures.js';

let store: SqliteStore;
let views: Map<TabName, SheetView>;
beforeEach(async () => {
  store = new SqliteStore(':memory:');
  await seed(store, aTeamDay());
  const state = await loadSheetState(store, NOW);
  views = new Map(projectSheet(state).map((view) => [view.tab, view]));
});
afterEach(async () => store.close());

const view = (tab: TabName) => views.get(tab)!;

describe('projectSheet', () => {
  it('draws every tab, in the order the sheet shows them', () => {
    expect([...views.keys()]).toEqual([
      'Pool',
      'Leads',
      'Visits',
      'Today',
      'QC',
      'Settings',
      'Import',
    ]);
  });

  it('gives every row as many cells as its tab has columns', () => {
    for (const { columns, rows } of views.values()) {
      for (const row of rows) expect(row).toHaveLength(columns.length);
    }
  });

  it('shows pool leads oldest first, with their creation time on the team clock', () => {
    expect(view('Pool')).toEqual({
      tab: 'Pool',
      columns: ['Lead ID', 'Company', 'Contact', 'Title', 'Phone', 'Region', 'Source', 'Created'],
      rows: [
        [
          'p-old',
          'Old Pool Co',
          'Li Wei',
          'Owner',
          '+86 138 0013 8000',
          'Pudong',
          'trade fair',
          '2026-02-28 09:00',
        ],
        [
          'p-new',
          'New Pool Co',
          'Li Wei',
          'Owner',
          '+86 138 0013 8000',
          'Pudong',
          'trade fair',
          '2026-03-02 08:00',
        ],
      ],
    });
  });

  it("shows each owner's owned leads, most urgent first, then their customers", () => {
    expect(view('Leads')).toEqual({
      tab: 'Leads',
      columns: [
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
      rows: [
        [
          'o-overdue',
          'Overdue Co',
          'Li Wei',
          '+86 138 0013 8000',
          ANA,
          'owned',
          'new',
          '2026-03-02 07:30',
          -2,
          true,
          '2026-04-01 09:00',
        ],
        [
          'o-soon',
          'Soon Co',
          'Li Wei',
          '+86 138 0013 8000',
          ANA,
          'owned',
          'new',
          '2026-03-02 14:30',
          5,
          true,
          '2026-04-01 09:00',
        ],
        [
          'o-later',
          'Later Co',
          'Li Wei',
          '+86 138 0013 8000',
          ANA,
          'owned',
          'new',
          '2026-03-05 09:00',
          72,
          false,
          '2026-04-01 09:00',
        ],
        [
          'c-1',
          'Customer Co',
          'Li Wei',
          '+86 138 0013 8000',
          ANA,
          'customer',
          'contract',
          null,
          null,
          false,
          null,
        ],
        [
          'o-bo',
          'Bo Co',
          'Li Wei',
          '+86 138 0013 8000',
          BO,
          'owned',
          'new',
          '2026-03-04 09:00',
          10,
          true,
          '2026-03-02 19:00',
        ],
      ],
    });
  });

  it("shows today's visits by time, naming the company of the lead or the cold visit", () => {
    expect(view('Visits')).toEqual({
      tab: 'Visits',
      columns: [
        'Visit ID',
        'Time',
        'Rep',
        'Lead ID',
        'Company',
        'Outcome',
        'Met',
        'Cold',
        'Note',
        'QC',
      ],
      rows: [
        [
          'v-1',
          '2026-03-02 08:30',
          ANA,
          'o-soon',
          'Soon Co',
          'effective',
          'owner',
          false,
          'Signed the trial',
          null,
        ],
        // Closed since the visit: the company is still read from the lead.
        [
          'v-3',
          '2026-03-02 08:40',
          BO,
          'x-1',
          'Closed Co',
          'potential',
          'staff',
          false,
          'Closed since',
          'queued',
        ],
        [
          'v-2',
          '2026-03-02 08:50',
          ANA,
          'cold-1',
          'Blue Harbor',
          'potential',
          'staff',
          true,
          'Floor 12',
          null,
        ],
      ],
    });
  });

  it('shows the quota board by group, with claims, the quotas and who met them', () => {
    expect(view('Today')).toEqual({
      tab: 'Today',
      columns: [
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
      rows: [
        ['East', ANA, 2, 1, 1, 1, true, 2, 1],
        ['West', BO, 1, 0, 0, 0, false, 2, 1],
      ],
    });
  });

  it("puts the policy's quotas on every rep's row, as they stand today", async () => {
    await seed(store, { policy: { visitQuota: 6, effectiveQuota: 3 } });

    const today = projectTab('Today', await loadSheetState(store, NOW, ['Today']));

    expect(today.rows.map((row) => row.slice(-3))).toEqual([
      [false, 6, 3],
      [false, 6, 3],
    ]);
  });

  it('shows queued visits of every day, oldest day first, with no verdict yet', () => {
    expect(view('QC')).toEqual({
      tab: 'QC',
      columns: ['Visit ID', 'Day', 'Rep', 'Lead ID', 'Outcome', 'Met', 'Note', 'Verdict'],
      rows: [
        [
          'v-0',
          '2026-03-01',
          ANA,
          'o-later',
          'potential',
          'staff',
          'Left a brochure at the front desk',
          null,
        ],
        ['v-3', '2026-03-02', BO, 'x-1', 'potential', 'staff', 'Closed since', null],
      ],
    });
  });

  it('shows every policy field under its API name, the spreadsheet id among them', () => {
    const { columns, rows } = view('Settings');

    expect(columns).toEqual(['Setting', 'Value']);
    expect(rows).toContainEqual(['visitQuota', 2]);
    expect(rows).toContainEqual(['timeZone', 'Asia/Shanghai']);
    expect(rows).toContainEqual(['spreadsheetId', null]);
    expect(rows.map(([setting]) => setting).sort()).toEqual(Object.keys(DEFAULT_POLICY).sort());
  });

  it('gives the Import tab its header and never any row', () => {
    expect(view('Import')).toEqual({
      tab: 'Import',
      columns: [
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
      rows: [],
    });
  });

  it('leaves closed leads out of every tab but the visits that name them', () => {
    const mentions = [...views.values()]
      .filter((candidate) => candidate.tab !== 'Visits' && candidate.tab !== 'QC')
      .flatMap((candidate) => candidate.rows.flat());

    expect(mentions).not.toContain('x-1');
  });
});

describe('loadSheetState', () => {
  it('reads only what the tabs asked for need', async () => {
    const state = await loadSheetState(store, NOW, ['Settings']);

    expect(state).toMatchObject({ pool: [], leads: [], visits: [], qcQueue: [] });
    expect(projectTab('Settings', state)).toEqual(view('Settings'));
  });
});

describe('hoursLeft', () => {
  it.each([
    ['an hour and a half overdue', -1.5, -2],
    ['a minute overdue', -1 / 60, -1],
    ['due in half an hour', 0.5, 0],
    ['due in 23 hours 59 minutes', 23 + 59 / 60, 23],
  ])('rounds down when %s', (_name, hours, expected) => {
    const lead = anOwnedLead(ANA, { followUpDueAt: hoursFromNow(hours) });

    expect(hoursLeft(lead, NOW)).toBe(expected);
  });

  it('has nothing to count down for a pool lead', () => {
    expect(hoursLeft(aLead(), NOW)).toBeNull();
  });
});

describe('sheetTime', () => {
  it('shows a time on the team wall clock, to the minute', () => {
    expect(sheetTime('2026-03-01T16:05:59Z', 'Asia/Shanghai')).toBe('2026-03-02 00:05');
    expect(sheetTime('2026-03-01T16:05:59Z', 'Europe/Berlin')).toBe('2026-03-01 17:05');
  });

  it('leaves a missing time empty', () => {
    expect(sheetTime(null, 'Asia/Shanghai')).toBeNull();
  });
});

describe('tabNamed', () => {
  it.each([
    ['pool', 'Pool'],
    ['QC', 'QC'],
    ['qc', 'QC'],
    ['SETTINGS', 'Settings'],
  ] as const)('finds the tab for %s', (name, tab) => {
    expect(tabNamed(name)).toBe(tab);
  });

  it('finds no tab for a name the sheet does not have', () => {
    expect(tabNamed('Sheet1')).toBeNull();
    expect(TAB_NAMES).not.toContain('Sheet1');
  });
});
