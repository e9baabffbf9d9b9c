import { LeadPoolError } from './api.js';
import type { CellValue, View } from './types.js';

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/** A tab read in one call: its header row and its data rows (data row i is sheet row i + 2). */
export type Table = { sheet: Sheet; headers: string[]; rows: unknown[][] };

export const FIRST_DATA_ROW = 2;

export function readTable(sheet: Sheet): Table {
  const values = sheet.getDataRange().getValues();
  const [headers = [], ...rows] = values;

  return { sheet, headers: headers.map((header) => String(header).trim()), rows };
}

/** Headers match whatever their case, spaces and punctuation: "Follow-up due", "follow up due". */
export function headerKey(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}]/gu, '');
}

/** The 0-based index of the first column named like any of `names`, or -1. */
export function columnOf(headers: readonly string[], ...names: string[]): number {
  const keys = names.map(headerKey);

  return headers.findIndex((header) => keys.includes(headerKey(header)));
}

export function requireColumn(table: Table, name: string, ...aliases: string[]): number {
  const column = columnOf(table.headers, name, ...aliases);
  if (column < 0) {
    throw new LeadPoolError(
      'SHEET_LAYOUT',
      `The ${table.sheet.getName()} tab has no "${name}" column. Run Refresh sheet to restore it.`,
    );
  }

  return column;
}

export function text(value: unknown): string {
  if (value === null || value === undefined) return '';

  return String(value).trim();
}

/** Tab names as people tell them apart: "leads " is the Leads tab someone renamed. */
function sameTabName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function isTab(sheet: Sheet, name: string): boolean {
  return sameTabName(sheet.getName(), name);
}

/** The tab of that name, matched as `sameTabName` does, so a renamed tab is still ours. */
export function tab(name: string): Sheet | null {
  const sheets = SpreadsheetApp.getActiveSpreadsheet().getSheets();

  return sheets.find((sheet) => isTab(sheet, name)) ?? null;
}

/**
 * Writes a view over its tab in one call, creating the tab if needed. The block written is
 * as long as the old content too, so rows the view no longer has are blanked; columns
 * beside the view's are left alone, as they are ones people added. On Visits, rows a rep
 * has typed but the relay has not logged (no Visit ID yet) stay where they are, with their
 * notes, and the view's rows are written around them.
 * Text is written as plain text: setValues parses strings as typed input, and would turn
 * ids, phone numbers and the server's "YYYY-MM-DD HH:MM" times into numbers and dates.
 */
export function renderView(view: View): Sheet {
  const existing = tab(view.tab);
  const sheet = existing ?? SpreadsheetApp.getActiveSpreadsheet().insertSheet(view.tab);
  if (!existing) sheet.setFrozenRows(1);

  const width = Math.max(view.columns.length, 1);
  const drafts = existing && isTab(sheet, 'Visits') ? unloggedRows_(sheet, width) : new Map();
  const height = Math.max(view.rows.length + drafts.size + 1, sheet.getLastRow(), 1);
  const values: CellValue[][] = [];
  const formats: string[][] = [];
  let next = 0;
  for (let r = 0; r < height; r++) {
    // A draft stays on its row, beside whatever a person typed in columns of their own.
    const source = r === 0 ? view.columns : (drafts.get(r + 1) ?? view.rows[next++]);
    const row: CellValue[] = [];
    const rowFormats: string[] = [];
    for (let c = 0; c < width; c++) {
      const value = source?.[c] ?? '';
      const formula = isFormulaLike_(value);
      row.push(formula ? asText(value) : value);
      rowFormats.push(typeof value === 'string' && !formula ? '@' : 'General');
    }
    values.push(row);
    formats.push(rowFormats);
  }

  // Notes the relay left belong to rows that may now hold other leads, but a draft keeps the
  // note saying why the relay refused it.
  const range = sheet.getRange(1, 1, height, width);
  if (drafts.size === 0) {
    range.clearNote();
  } else {
    const notes = range.getNotes();
    range.setNotes(notes.map((row, r) => (drafts.has(r + 1) ? row : row.map(() => ''))));
  }
  range.setNumberFormats(formats);
  range.setValues(values);

  return sheet;
}

/**
 * Apps Script writes a string starting with "=" as a formula. A lead named "=IMPORTXML(…)"
 * must stay a name, so it is written after an apostrophe, which Sheets keeps out of the value.
 */
export function asText(value: CellValue): CellValue {
  return isFormulaLike_(value) ? `'${String(value)}` : value;
}

function isFormulaLike_(value: CellValue): boolean {
  return typeof value === 'string' && value.startsWith('=');
}

/** A sheet row redrawn from a view row: each column the view has takes the view's value. */
export function mergeViewRow(
  headers: readonly string[],
  current: readonly unknown[],
  view: View,
  viewRow: readonly CellValue[],
): unknown[] {
  return headers.map((header, index) => {
    const column = columnOf(view.columns, header);
    return column < 0 ? (current[index] ?? '') : asText(viewRow[column] ?? '');
  });
}

/** Finds a view row by the value of one of its columns. */
export function findViewRow(view: View, column: string, value: string): CellValue[] | null {
  const index = columnOf(view.columns, column);
  if (index < 0) return null;

  return view.rows.find((row) => text(row[index]) === value) ?? null;
}

/** The sheet row numbers of the active selection, header excluded, and the table they are in. */
export function selection(): { table: Table; rowNumbers: number[] } {
  const range = SpreadsheetApp.getActiveRange();
  if (!range) throw new LeadPoolError('NO_SELECTION', 'Select the rows of the leads first.');

  const table = readTable(range.getSheet());
  const rowNumbers: number[] = [];
  for (let row = range.getRow(); row < range.getRow() + range.getNumRows(); row++) {
    if (row >= FIRST_DATA_ROW && row - FIRST_DATA_ROW < table.rows.length) rowNumbers.push(row);
  }

  return { table, rowNumbers };
}

export type SelectedLead = { id: string; company: string };

/** The leads of the selected rows, in order, without blanks or repeats. */
export function selectedLeads(): SelectedLead[] {
  const { table, rowNumbers } = selection();
  const idColumn = requireColumn(table, 'Lead ID');
  const companyColumn = columnOf(table.headers, 'Company');
  const leads = new Map<string, SelectedLead>();
  for (const rowNumber of rowNumbers) {
    const row = table.rows[rowNumber - FIRST_DATA_ROW] ?? [];
    const id = text(row[idColumn]);
    if (id && !leads.has(id)) leads.set(id, { id, company: text(row[companyColumn]) || id });
  }

  if (leads.size === 0) {
    throw new LeadPoolError('NO_SELECTION', 'Select the rows of the leads first.');
  }

  return [...leads.values()];
}

/** The first selected lead, when the selection is on a tab with lead rows; else null. */
export function preselectedLeadId(): string | null {
  try {
    return selectedLeads()[0]?.id ?? null;
  } catch (error) {
    if (error instanceof LeadPoolError) return null;
    throw error;
  }
}

/**
 * Rows of a Visits tab with something in its columns but no Visit ID, by sheet row: visits
 * a rep is still typing, or ones the relay refused and the rep will correct.
 */
function unloggedRows_(sheet: Sheet, width: number): Map<number, CellValue[]> {
  const table = readTable(sheet);
  const visitId = columnOf(table.headers, 'Visit ID');
  const drafts = new Map<number, CellValue[]>();
  if (visitId < 0) return drafts;

  table.rows.forEach((row, index) => {
    const cells = Array.from({ length: width }, (_, column) => (row[column] ?? '') as CellValue);
    if (text(row[visitId]) === '' && cells.some((cell) => text(cell) !== '')) {
      drafts.set(index + FIRST_DATA_ROW, cells);
    }
  });

  return drafts;
}
