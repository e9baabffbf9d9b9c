import type { sheets_v4 } from '@googleapis/sheets';

import { COLUMNS, TAB_NAMES, type TabName } from './projection.js';
import { columnLetter } from './values.js';

/** Names our protections, so a later set-up recognises them. */
export const PROTECTION_NOTE = 'Lead Pool: written by the server on every sync';

export const CHART_TITLE = 'Visits and effective visits per rep today';

/** Ids for tabs the sync adds, far from the 0 of a new spreadsheet's first tab. */
const FIRST_SHEET_ID = 7_100_001;

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

/** What a spreadsheet already has of ours, tab by tab. */
type ExistingTab = {
  sheetId: number;
  /** The rows of its grid, written or not. */
  rowCount: number;
  protections: string[];
  formulas: string[];
  charts: string[];
};

export type Existing = { tabs: ReadonlyMap<string, ExistingTab>; usedIds: ReadonlySet<number> };

/** What a spreadsheet never synced is assumed to have. */
export const NOTHING: Existing = { tabs: new Map(), usedIds: new Set() };

export function existingOf(spreadsheet: sheets_v4.Schema$Spreadsheet): Existing {
  const tabs = new Map<string, ExistingTab>();
  const usedIds = new Set<number>();
  for (const sheet of spreadsheet.sheets ?? []) {
    const { sheetId, title, gridProperties } = sheet.properties ?? {};
    if (typeof sheetId !== 'number' || !title) continue;

    usedIds.add(sheetId);
    tabs.set(title, {
      sheetId,
      rowCount: gridProperties?.rowCount ?? 0,
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
  'sheets(properties(sheetId,title,gridProperties(rowCount)),protectedRanges(description),' +
  'conditionalFormats(booleanRule(condition(values(userEnteredValue)))),charts(spec(title)))';

/**
 * The requests that give the spreadsheet every tab with its header row frozen, the
 * protections, the Leads colours and the Today chart — only those it does not have yet.
 */
/** Each tab's grid height: how far down a sync that knows nothing of it must blank. */
export function gridRows(existing: Existing): Record<string, number> {
  return Object.fromEntries([...existing.tabs].map(([title, tab]) => [title, tab.rowCount]));
}

export function setUpRequests(existing: Existing): sheets_v4.Schema$Request[] {
  const requests: sheets_v4.Schema$Request[] = [];
  const ids = new Map<TabName, number>();
  let nextId = FIRST_SHEET_ID;
  for (const tab of TAB_NAMES) {
    const found = existing.tabs.get(tab);
    if (found) {
      ids.set(tab, found.sheetId);
      continue;
    }

    while (existing.usedIds.has(nextId)) nextId += 1;
    ids.set(tab, nextId);
    requests.push({
      addSheet: {
        properties: { sheetId: nextId, title: tab, gridProperties: { frozenRowCount: 1 } },
      },
    });
    nextId += 1;
  }

  const idOf = (tab: TabName) => ids.get(tab)!;
  const has = (tab: TabName, key: 'protections' | 'formulas' | 'charts', value: string) =>
    existing.tabs.get(tab)?.[key].includes(value) ?? false;

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

  return requests;
}

/**
 * A warning, not a lock: the add-on renders the server's answers into these tabs as the
 * signed-in user, and a lock would refuse it. The sync overwrites any edit anyway; only the
 * Owner column of Leads is meant for people (a manager's edit there becomes an assignment).
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
