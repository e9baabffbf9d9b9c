import type { sheets_v4 } from '@googleapis/sheets';

import { COLUMNS, TAB_NAMES, type TabName } from './projection.js';
import { columnLetter, type TabGrid } from './values.js';

/** Names our protections, so a later set-up recognises them. */
export const PROTECTION_NOTE = 'Lead Pool: written by the server on every sync';

export const CHART_TITLE = 'Visits and effective visits per rep today, against the quotas';

/**
 * Titles of the Today charts earlier versions drew, which the quotas' lines replace. Such a
 * chart sits over the columns the quotas now fill, and would show the same bars twice.
 */
export const FORMER_CHART_TITLES = ['Visits and effective visits per rep today'];

/** Ids for tabs the sync adds, far from the 0 of a new spreadsheet's first tab. */
const FIRST_SHEET_ID = 7_100_001;

/** The id the sync gives the chart it adds, far from those of its tabs. */
const FIRST_CHART_ID = 7_200_001;

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
  charts: { chartId: number; title: string }[];
};

/** `usedIds` holds the ids of sheets and charts alike, so an id the sync picks is free. */
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
      charts: (sheet.charts ?? []).flatMap(({ chartId, spec }) =>
        typeof chartId === 'number' ? [{ chartId, title: spec?.title ?? '' }] : [],
      ),
    });
    for (const { chartId } of sheet.charts ?? []) {
      if (typeof chartId === 'number') usedIds.add(chartId);
    }
  }

  return { tabs, usedIds };
}

/** The fields `existingOf` reads, and no more. */
export const DESCRIBE_FIELDS =
  'sheets(properties(sheetId,title,gridProperties(rowCount,columnCount,frozenRowCount)),' +
  'protectedRanges(description),' +
  'conditionalFormats(booleanRule(condition(values(userEnteredValue)))),' +
  'charts(chartId,spec(title)))';

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
  /** The Today chart's id, found or to be added. */
  chartId: number;
  /** What the spreadsheet lacks: none when it has everything. */
  requests: sheets_v4.Schema$Request[];
};

/**
 * The requests that give the spreadsheet every tab, the protections, the Leads colours and
 * the Today chart — only those it does not have yet. A tab is added with an id and a grid
 * chosen here, header frozen, so the same sync can write into it knowing its size; the write
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
  const has = (tab: TabName, key: 'protections' | 'formulas', value: string) =>
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

  const chart = chartSetUp(found.get('Today'), idOf('Today'), existing.usedIds);
  requests.push(...chart.requests);

  return { grids, chartId: chart.chartId, requests };
}

/**
 * The Today chart found by its title, or one added with an id chosen here, so the sync can
 * keep it without reading the reply. A chart an earlier version drew is deleted first.
 */
function chartSetUp(today: ExistingTab | undefined, sheetId: number, used: ReadonlySet<number>) {
  const charts = today?.charts ?? [];
  const current = charts.find((chart) => chart.title === CHART_TITLE);
  if (current) return { chartId: current.chartId, requests: [] };

  let chartId = FIRST_CHART_ID;
  while (used.has(chartId)) chartId += 1;
  const former = charts.filter((chart) => FORMER_CHART_TITLES.includes(chart.title));
  const requests: sheets_v4.Schema$Request[] = [
    ...former.map(({ chartId: objectId }) => ({ deleteEmbeddedObject: { objectId } })),
    { addChart: { chart: todayChart(sheetId, chartId) } },
  ];

  return { chartId, requests };
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

/**
 * A combo chart: each rep's visits and effective visits as columns, and the two quotas as
 * lines across them, so a column below its line is a rep short of that quota. The quotas are
 * columns of Today, the same number on every row, because a chart draws ranges, not numbers.
 * It sits right of the board, one column clear of it.
 */
function todayChart(sheetId: number, chartId: number): sheets_v4.Schema$EmbeddedChart {
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

  const series = (name: (typeof COLUMNS.Today)[number], type: 'COLUMN' | 'LINE') => ({
    series: column(name),
    targetAxis: 'LEFT_AXIS',
    type,
  });

  return {
    chartId,
    spec: {
      title: CHART_TITLE,
      basicChart: {
        chartType: 'COMBO',
        legendPosition: 'BOTTOM_LEGEND',
        headerCount: 1,
        domains: [{ domain: column('Rep') }],
        series: [
          series('Visits', 'COLUMN'),
          series('Effective', 'COLUMN'),
          series('Visit quota', 'LINE'),
          series('Effective quota', 'LINE'),
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
