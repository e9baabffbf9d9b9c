import type { sheets_v4 } from '@googleapis/sheets';

import type { Cell, SheetView, TabName } from './projection.js';

/** The column letter of a 0-based index: A … Z, AA … */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }

  return letters;
}

/**
 * Blank rows a written tab keeps below its data, as many as a new tab has in all. The add-on
 * redraws a tab without adding rows, and reps type new visits below the last one.
 */
export const ROWS_BELOW = 1000;

/** A tab's sheet and the size of its grid, as the last sync left it or as just read. */
export type TabGrid = {
  sheetId: number;
  rows: number;
  /**
   * Null when the spreadsheet was not read: a write that reads nothing first takes the view's
   * columns to be there still, and Sheets refuses it when a person has deleted some.
   */
  columns: number | null;
  /** Whether the header row is frozen. */
  frozen: boolean;
};

/** The requests that write every tab, and what the next sync needs to know of them. */
export type SheetWrite = {
  requests: sheets_v4.Schema$Request[];
  /** Rows written to each tab, header included; none for Import, which gets its header only. */
  rows: Record<string, number>;
  /** Each tab's grid once the requests are applied. */
  grids: Map<TabName, TabGrid>;
};

/**
 * A string is sent as a stringValue, which Sheets stores as it is: a company named
 * "=HYPERLINK(…)" stays text, and the "YYYY-MM-DD HH:MM" times stay the text they were sent as.
 * An empty string and a null both leave the cell empty.
 */
function cellData(cell: Cell): sheets_v4.Schema$CellData {
  if (cell === null || cell === '') return {};

  if (typeof cell === 'string') return { userEnteredValue: { stringValue: cell } };
  if (typeof cell === 'number') return { userEnteredValue: { numberValue: cell } };
  return { userEnteredValue: { boolValue: cell } };
}

function rowData(cells: readonly Cell[]): sheets_v4.Schema$RowData {
  return { values: cells.map(cellData) };
}

/**
 * Grows a grid that has fewer than `rows` rows or `columns` columns, and freezes its header.
 * A grid only ever grows, and by appending: a size set outright would cut the rows and
 * columns a person added, and with them what they typed there, whenever the size the sync
 * remembers is out of date.
 */
function fitGrid(grid: TabGrid, rows: number, columns: number) {
  const requests: sheets_v4.Schema$Request[] = [];
  const append = (dimension: 'ROWS' | 'COLUMNS', length: number) =>
    requests.push({ appendDimension: { sheetId: grid.sheetId, dimension, length } });

  if (grid.rows < rows) append('ROWS', rows - grid.rows);
  if (grid.columns !== null && grid.columns < columns) append('COLUMNS', columns - grid.columns);
  if (!grid.frozen) {
    requests.push({
      updateSheetProperties: {
        properties: { sheetId: grid.sheetId, gridProperties: { frozenRowCount: 1 } },
        fields: 'gridProperties.frozenRowCount',
      },
    });
  }

  const fitted: TabGrid = {
    sheetId: grid.sheetId,
    rows: Math.max(grid.rows, rows),
    columns: grid.columns === null ? null : Math.max(grid.columns, columns),
    frozen: true,
  };
  return { requests, grid: fitted };
}

/**
 * Every cell of the view's columns from the header down, in one range: Sheets clears the
 * value and the note of each cell of it that the rows do not reach. The range ends at the
 * view's last column, so a column a person added beside the data keeps what they typed. Its
 * rows end at `endRow`, or with the grid when that is null: every row below the data is then
 * emptied, whoever wrote it — rows of leads that left the tab, rows the add-on's Refresh drew
 * below — with the notes the add-on left on rows that may now hold other leads. A request too
 * large to send whole is cut into consecutive ranges by `batchesOf`, the last ending here.
 */
function cellsRequest(
  view: SheetView,
  sheetId: number,
  endRow: number | null,
): sheets_v4.Schema$Request {
  return {
    updateCells: {
      range: {
        sheetId,
        startRowIndex: 0,
        ...(endRow === null ? {} : { endRowIndex: endRow }),
        startColumnIndex: 0,
        endColumnIndex: view.columns.length,
      },
      rows: [view.columns, ...view.rows].map(rowData),
      fields: 'userEnteredValue,note',
    },
  };
}

/**
 * Reps type new visits into the empty rows below the Visits tab's, and the add-on's relay
 * sends a row once it has enough fields, or leaves a note on it saying why it would not.
 * Emptying every row below would wipe those rows, so on Visits the range ends at the last row
 * this sync or the previous one wrote: a day's visits are still cleared when the next day
 * begins, and the notes on those rows still go, as the rows may now hold other visits. A row
 * typed just below the last one is overwritten when more visits arrive before the relay has
 * sent it; the sync does not read the sheet, so it cannot tell such a row apart. Rows people
 * deleted since the last sync are not there to blank: the range ends with the grid at most.
 */
function visitsEndRow(written: number, previous: number, grid: TabGrid): number {
  return Math.min(Math.max(written, previous), grid.rows);
}

/** The Import tab gets its header only: the rows below are the managers'. */
function headerRequest(view: SheetView, sheetId: number): sheets_v4.Schema$Request {
  return {
    updateCells: {
      range: {
        sheetId,
        startRowIndex: 0,
        endRowIndex: 1,
        startColumnIndex: 0,
        endColumnIndex: view.columns.length,
      },
      rows: [rowData(view.columns)],
      fields: 'userEnteredValue',
    },
  };
}

/**
 * Writes every tab into its grid, grown first where the rows and ROWS_BELOW blank ones, or
 * the view's columns, need more than it has. `previousRows` are those the last sync wrote.
 */
export function sheetWrite(
  views: readonly SheetView[],
  grids: ReadonlyMap<TabName, TabGrid>,
  previousRows: Readonly<Record<string, number>>,
): SheetWrite {
  const requests: sheets_v4.Schema$Request[] = [];
  const rows: Record<string, number> = {};
  const fitted = new Map<TabName, TabGrid>();
  for (const view of views) {
    const grid = grids.get(view.tab);
    if (!grid) throw new Error(`No sheet for the ${view.tab} tab`);

    if (view.tab === 'Import') {
      const fit = fitGrid(grid, 1, view.columns.length);
      requests.push(...fit.requests, headerRequest(view, grid.sheetId));
      fitted.set(view.tab, fit.grid);
      continue;
    }

    const written = view.rows.length + 1;
    const fit = fitGrid(grid, written + ROWS_BELOW, view.columns.length);
    const endRow =
      view.tab === 'Visits' ? visitsEndRow(written, previousRows[view.tab] ?? 0, fit.grid) : null;
    requests.push(...fit.requests, cellsRequest(view, grid.sheetId, endRow));
    fitted.set(view.tab, fit.grid);
    rows[view.tab] = written;
  }

  return { requests, rows, grids: fitted };
}
