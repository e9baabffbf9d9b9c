import type { sheets_v4 } from '@googleapis/sheets';

import { COLUMNS, TAB_NAMES, type TabName } from './projection.js';
import { columnLetter, type TabGrid } from './values.js';

/** Names our protections, so a later set-up recognises them. */
export const PROTECTION_NOTE = 'Lead Pool: written by the server on every sync';

export const CHART_TITLE = 'Visits and effective visits per rep today';

/** Ids for tabs the sync adds, far from the 0 of a new spreadsheet's first tab. */
const FIRST_SHEET_ID = 7_100_001;

/** The grid of a tab the sync adds: the size Sheets gives a new one, said so the sync knows it. */
const NEW_TAB_ROWS = 1000;
const NEW_TAB_COLUMNS = 26;

const leadsColumn = (name: (typeof COLUMNS.Leads)[number]) =>
  columnLetter(COLUMNS.Leads.indexOf(name));

/** Overdue first: of two matching rules Sheets applies the earlier. */
export const LEADS_FORMATS = [
  {
    formula: `=AND(ISNUMBER($${leadsColumn('Hours left')}2),$${leadsColumn('Hours left')}2<0)`,
    colour: { red: 0.96, green: 0.78, blue: 0.76 },
  },
  {
    formula: `=$${leadsColumn('Due soon')}2=TRUE`,
    colour: { red: 1, green: 0.9, blue: 0.6 },
  },
];

/** What a spreadsheet already has of ours in one of its tabs. */
type ExistingTab = {
  sheetId: number;
  title: string;
  rows: number;
  columns: number;
  frozen: boolean;
  protections: string[];
  formulas: string[];
  charts: string[];
};

export type Existing = { tabs: readonly ExistingTab[]; usedIds: ReadonlySet<number> };

/** What a spreadsheet never synced is assumed to have. */
export const NOTHING: Existing = { tabs: [], usedIds: new Set() };

export function existingOf(spreadsheet: sheets_v4.Schema$Spreadsheet): Existing {
  const tabs: ExistingTab[] = [];
  const usedIds = new Set<number>();
  for (const sheet of spreadsheet.sheets ?? []) {
    const { sheetId, title, gridProperties } = sheet.properties ?? {};
    if (typeof sheetId !== 'number' || !title) continue;

    usedIds.add(sheetId);
    tabs.push({
      sheetId,
      title,
      rows: gridProperties?.rowCount ?? 0,
      columns: gridProperties?.columnCount ?? 0,
      frozen: (gridProperties?.frozenRowCount ?? 0) > 0,
      protections: (sheet.protectedRanges ?? []).flatMap((range) => range.description ?? []),
      formulas: (sheet.conditionalFormats ?? []).flatMap((rule) =>
        (rule.booleanRule?.condition?.values ?? []).flatMap(
          (value) => value.userEnteredValue ?? [],
        ),
      ),
      charts: (sheet.charts ?? []).flatMap((chart) => chart.spec?.title ?? []),
    });
  }

  return { tabs, usedIds };
}

/** The fields `existingOf` reads, and no more. */
export const DESCRIBE_FIELDS =
  'sheets(properties(sheetId,title,gridProperties(rowCount,columnCount,frozenRowCount)),' +
  'protectedRanges(description),' +
  'conditionalFormats(booleanRule(condition(values(userEnteredValue)))),charts(spec(title)))';

const nameKey = (title: string) => title.trim().toLowerCase();

/**
 * The spreadsheet's tab for one of ours. Sheets refuses a second tab whose name differs only
 * in case, and a person who renamed "Pool" to "pool " still means the same tab, so names are
 * matched without regard to case or surrounding spaces; an exact match wins over those.
 */
function findTab(existing: Existing, tab: TabName): ExistingTab | undefined {
  return (
    existing.tabs.find((candidate) => candidate.title === tab) ??
    existing.tabs.find((candidate) => nameKey(candidate.title) === nameKey(tab))
  );
}

export type SetUp = {
  /** The sheet and grid of every tab, the ones to be added included. */
  grids: Map<TabName, TabGrid>;
  /** What the spreadsheet lacks: none when it has everything. */
  requests: sheets_v4.Schema$Request[];
};

/**
 * The requests that give the spreadsheet every tab, the protections, the Leads colours and
 * the Today chart — only those it does not have yet. A tab is added with an id and a grid
 * chosen here, header frozen, so the same batch can write into it knowing its size; the write
 * grows the grids it needs larger and freezes the header of a tab found without.
 */
export function setUp(existing: Existing): SetUp {
  const requests: sheets_v4.Schema$Request[] = [];
  const grids = new Map<TabName, TabGrid>();
  const found = new Map<TabName, ExistingTab>();
  let nextId = FIRST_SHEET_ID;
  for (const tab of TAB_NAMES) {
    const match = findTab(existing, tab);
    if (match) {
      const { sheetId, rows, columns, frozen } = match;
      grids.set(tab, { sheetId, rows, columns, frozen });
      found.set(tab, match);
      continue;
    }

    while (existing.usedIds.has(nextId)) nextId += 1;
    const sheetId = nextId;
    grids.set(tab, { sheetId, rows: NEW_TAB_ROWS, columns: NEW_TAB_COLUMNS, frozen: true });
    requests.push({
      addSheet: {
        properties: {
          sheetId,
          title: tab,
          gridProperties: {
            rowCount: NEW_TAB_ROWS,
            columnCount: NEW_TAB_COLUMNS,
            frozenRowCount: 1,
          },
        },
      },
    });
    nextId += 1;
  }

  const idOf = (tab: TabName) => grids.get(tab)!.sheetId;
  const has = (tab: TabName, key: 'protections' | 'formulas' | 'charts', value: string) =>
    found.get(tab)?.[key].includes(value) ?? false;

  // People type into Import (leads to add) and Visits (visits the relay logs).
  for (const tab of TAB_NAMES) {
    if (tab === 'Import' || tab === 'Visits' || has(tab, 'protections', PROTECTION_NOTE)) continue;

    requests.push({ addProtectedRange: { protectedRange: protection(tab, idOf(tab)) } });
  }

  LEADS_FORMATS.forEach(({ formula, colour }, index) => {
    if (has('Leads', 'formulas', formula)) return;

    requests.push({
      addConditionalFormatRule: {
        index,
        rule: {
          ranges: [
            {
              sheetId: idOf('Leads'),
              startRowIndex: 1,
              startColumnIndex: 0,
              endColumnIndex: COLUMNS.Leads.length,
            },
          ],
          booleanRule: {
            condition: { type: 'CUSTOM_FORMULA', values: [{ userEnteredValue: formula }] },
            format: { backgroundColor: colour },
          },
        },
      },
    });
  });

  if (!has('Today', 'charts', CHART_TITLE)) {
    requests.push({ addChart: { chart: todayChart(idOf('Today')) } });
  }

  return { grids, requests };
}

/**
 * A warning, not a lock: the add-on renders the server's answers into these tabs as the
 * signed-in user, and a lock would refuse it. The sync overwrites any edit in the tab's columns
 * anyway; only the Owner column of Leads is meant for people (a manager's edit there becomes
 * an assignment). A column a person adds beside the data is theirs, and no sync writes it.
 */
function protection(tab: TabName, sheetId: number): sheets_v4.Schema$ProtectedRange {
  const range: sheets_v4.Schema$ProtectedRange = {
    range: { sheetId },
    description: PROTECTION_NOTE,
    warningOnly: true,
  };
  if (tab !== 'Leads') return range;

  const owner = COLUMNS.Leads.indexOf('Owner');
  return {
    ...range,
    unprotectedRanges: [
      { sheetId, startRowIndex: 1, startColumnIndex: owner, endColumnIndex: owner + 1 },
    ],
  };
}

function todayChart(sheetId: number): sheets_v4.Schema$EmbeddedChart {
  const column = (name: (typeof COLUMNS.Today)[number]) => {
    const index = COLUMNS.Today.indexOf(name);
    return {
      sourceRange: {
        sources: [
          { sheetId, startRowIndex: 0, startColumnIndex: index, endColumnIndex: index + 1 },
        ],
      },
    };
  };

  return {
    spec: {
      title: CHART_TITLE,
      basicChart: {
        chartType: 'COLUMN',
        legendPosition: 'BOTTOM_LEGEND',
        headerCount: 1,
        domains: [{ domain: column('Rep') }],
        series: [
          { series: column('Visits'), targetAxis: 'LEFT_AXIS' },
          { series: column('Effective'), targetAxis: 'LEFT_AXIS' },
        ],
      },
    },
    position: {
      overlayPosition: {
        anchorCell: { sheetId, rowIndex: 0, columnIndex: COLUMNS.Today.length + 1 },
        widthPixels: 640,
        heightPixels: 360,
      },
    },
  };
}
