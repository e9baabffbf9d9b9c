import type { sheets_v4 } from '@googleapis/sheets';

import type { SheetView, TabName } from './projection.js';

/** The column letter of a 0-based index: A … Z, AA … */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }

  return letters;
}

function a1(tab: TabName, width: number, height: number): string {
  return `'${tab}'!A1:${columnLetter(width - 1)}${height}`;
}

type ValueWrite = {
  request: sheets_v4.Schema$BatchUpdateValuesRequest;
  /** Rows each tab now has, header included. */
  rows: Record<string, number>;
  cleared: number;
};

/**
 * Every tab's header and rows, then blank rows down to where the previous sync wrote, so a
 * tab that shrank shows no leftovers. The Import tab gets its header only: the rows below
 * are the managers'.
 */
export function valueWrite(
  views: readonly SheetView[],
  previousRows: Readonly<Record<string, number>>,
): ValueWrite {
  const data: sheets_v4.Schema$ValueRange[] = [];
  const rows: Record<string, number> = {};
  let cleared = 0;
  for (const view of views) {
    const width = view.columns.length;
    if (view.tab === 'Import') {
      data.push({ range: a1(view.tab, width, 1), majorDimension: 'ROWS', values: [view.columns] });
      continue;
    }

    // A null in a write leaves the cell as it was; an empty string empties it.
    const values: (string | number | boolean)[][] = [
      view.columns,
      ...view.rows.map((row) => row.map((cell) => cell ?? '')),
    ];
    rows[view.tab] = values.length;
    const blank = new Array<string>(width).fill('');
    const stale = Math.max(0, (previousRows[view.tab] ?? 0) - values.length);
    for (let index = 0; index < stale; index += 1) values.push(blank);
    cleared += stale;

    data.push({ range: a1(view.tab, width, values.length), majorDimension: 'ROWS', values });
  }

  // RAW keeps every value as written: a company called "=HYPERLINK(…)" stays text, and
  // times stay the text they were sent as.
  return { request: { valueInputOption: 'RAW', data }, rows, cleared };
}
