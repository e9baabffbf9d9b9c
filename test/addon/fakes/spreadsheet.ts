/// <reference types="google-apps-script" />
import type { Fake } from './fake.js';
import type { FakeHtmlOutput } from './services.js';

type Range = GoogleAppsScript.Spreadsheet.Range;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Base = typeof GoogleAppsScript.Base;

/** A block of a fake sheet; reads and writes go straight to the sheet's grid. */
export class FakeRange implements Fake<
  Range,
  | 'getValues'
  | 'setValues'
  | 'setValue'
  | 'getNotes'
  | 'setNotes'
  | 'setNote'
  | 'clearNote'
  | 'setNumberFormats'
  | 'getRow'
  | 'getColumn'
  | 'getNumRows'
  | 'getNumColumns'
  | 'getLastRow'
  | 'getLastColumn'
  | 'getSheet'
  | 'getCell'
> {
  constructor(
    readonly sheet: FakeSheet,
    private readonly row: number,
    private readonly column: number,
    private readonly numRows: number,
    private readonly numColumns: number,
  ) {
    if (row < 1 || column < 1 || numRows < 1 || numColumns < 1) {
      throw new Error(`Exception: The coordinates of the range are outside the sheet.`);
    }
  }

  getValues(): unknown[][] {
    return this.map((r, c) => this.sheet.cell(r, c));
  }

  setValues(values: unknown[][]): FakeRange {
    this.checkShape(values, 'data');
    this.each((r, c, i, j) => this.sheet.setCell(r, c, values[i]![j]));
    this.sheet.writes += 1;

    return this;
  }

  setValue(value: unknown): FakeRange {
    return this.setValues(this.map(() => value));
  }

  getNotes(): string[][] {
    return this.map((r, c) => this.sheet.noteAt(r, c));
  }

  setNotes(notes: (string | null)[][]): FakeRange {
    this.checkShape(notes, 'notes');
    this.each((r, c, i, j) => this.sheet.setNote(r, c, notes[i]![j] ?? ''));

    return this;
  }

  setNote(note: string | null): FakeRange {
    this.each((r, c) => this.sheet.setNote(r, c, note ?? ''));

    return this;
  }

  clearNote(): FakeRange {
    return this.setNote(null);
  }

  setNumberFormats(formats: string[][]): FakeRange {
    this.checkShape(formats, 'formats');
    this.each((r, c, i, j) => this.sheet.formats.set(`${r},${c}`, formats[i]![j]!));

    return this;
  }

  getRow(): number {
    return this.row;
  }

  getColumn(): number {
    return this.column;
  }

  getNumRows(): number {
    return this.numRows;
  }

  getNumColumns(): number {
    return this.numColumns;
  }

  getLastRow(): number {
    return this.row + this.numRows - 1;
  }

  getLastColumn(): number {
    return this.column + this.numColumns - 1;
  }

  getSheet(): FakeSheet {
    return this.sheet;
  }

  getCell(row: number, column: number): FakeRange {
    return new FakeRange(this.sheet, this.row + row - 1, this.column + column - 1, 1, 1);
  }

  private map<T>(cell: (row: number, column: number) => T): T[][] {
    return Array.from({ length: this.numRows }, (_, i) =>
      Array.from({ length: this.numColumns }, (_, j) => cell(this.row + i, this.column + j)),
    );
  }

  private each(cell: (row: number, column: number, i: number, j: number) => void): void {
    this.map((row, column) => {
      cell(row, column, row - this.row, column - this.column);
    });
  }

  // Apps Script refuses a write whose shape differs from the range, and so does the fake.
  private checkShape(values: unknown[][], what: string): void {
    const columns = values.every((row) => row.length === this.numColumns);
    if (values.length !== this.numRows || !columns) {
      throw new Error(
        `Exception: The number of rows or columns in the ${what} does not match the range.`,
      );
    }
  }
}

/** A tab: a grid of values, its notes and number formats. */
export class FakeSheet implements Fake<
  Sheet,
  'getName' | 'getDataRange' | 'getRange' | 'getLastRow' | 'getLastColumn' | 'setFrozenRows'
> {
  private readonly grid: unknown[][] = [];
  private readonly notes = new Map<string, string>();
  readonly formats = new Map<string, string>();
  frozenRows = 0;
  /** How many value writes reached the sheet: the add-on should write once per step. */
  writes = 0;

  constructor(
    readonly spreadsheet: FakeSpreadsheet,
    private readonly name: string,
    values: unknown[][] = [],
  ) {
    values.forEach((row, i) => row.forEach((value, j) => this.setCell(i + 1, j + 1, value)));
  }

  getName(): string {
    return this.name;
  }

  getDataRange(): FakeRange {
    return new FakeRange(
      this,
      1,
      1,
      Math.max(this.getLastRow(), 1),
      Math.max(this.getLastColumn(), 1),
    );
  }

  getRange(row: number, column: number, numRows = 1, numColumns = 1): FakeRange {
    return new FakeRange(this, row, column, numRows, numColumns);
  }

  getLastRow(): number {
    let last = 0;
    this.grid.forEach((row, i) => {
      if (row.some((value) => value !== '' && value !== undefined)) last = i + 1;
    });

    return last;
  }

  getLastColumn(): number {
    let last = 0;
    for (const row of this.grid) {
      row.forEach((value, j) => {
        if (value !== '' && value !== undefined) last = Math.max(last, j + 1);
      });
    }

    return last;
  }

  setFrozenRows(rows: number): void {
    this.frozenRows = rows;
  }

  cell(row: number, column: number): unknown {
    return this.grid[row - 1]?.[column - 1] ?? '';
  }

  setCell(row: number, column: number, value: unknown): void {
    const cells = (this.grid[row - 1] ??= []);
    // Sheets stores a null as an empty cell.
    cells[column - 1] = value ?? '';
  }

  noteAt(row: number, column: number): string {
    return this.notes.get(`${row},${column}`) ?? '';
  }

  setNote(row: number, column: number, note: string): void {
    if (note) this.notes.set(`${row},${column}`, note);
    else this.notes.delete(`${row},${column}`);
  }

  /** Everything the sheet holds, trimmed to its content. */
  values(): unknown[][] {
    return this.getLastRow() === 0 ? [] : this.getDataRange().getValues();
  }

  /** The data rows as objects keyed by the header row. */
  records(): Record<string, unknown>[] {
    const [headers = [], ...rows] = this.values();

    return rows.map((row) => Object.fromEntries(headers.map((h, i) => [String(h), row[i]])));
  }

  /** Selects rows as a user would, making them the active range. */
  select(row: number, numRows = 1): FakeRange {
    const range = this.getRange(row, 1, numRows, Math.max(this.getLastColumn(), 1));
    this.spreadsheet.activeRange = range;

    return range;
  }
}

export class FakeSpreadsheet implements Fake<
  Spreadsheet,
  'getSheetByName' | 'getSheets' | 'insertSheet' | 'toast' | 'getId'
> {
  readonly sheets = new Map<string, FakeSheet>();
  readonly toasts: { message: string; title: string }[] = [];
  activeRange: FakeRange | null = null;

  constructor(private readonly id = 'spreadsheet-1') {}

  getSheetByName(name: string): FakeSheet | null {
    return this.sheets.get(name) ?? null;
  }

  getSheets(): FakeSheet[] {
    return [...this.sheets.values()];
  }

  /** Sheets refuses a tab whose name differs from another's only in case. */
  insertSheet(name: string): FakeSheet {
    const taken = [...this.sheets.keys()].some((n) => n.toLowerCase() === name.toLowerCase());
    if (taken) throw new Error(`Exception: A sheet with the name "${name}" already exists.`);

    return this.addSheet(name);
  }

  toast(message: string, title = '', _timeoutSeconds?: number | null): void {
    this.toasts.push({ message, title });
  }

  getId(): string {
    return this.id;
  }

  addSheet(name: string, values: unknown[][] = []): FakeSheet {
    const sheet = new FakeSheet(this, name, values);
    this.sheets.set(name, sheet);

    return sheet;
  }

  sheet(name: string): FakeSheet {
    const sheet = this.sheets.get(name);
    if (!sheet) throw new Error(`No ${name} tab`);

    return sheet;
  }
}

export class FakeSpreadsheetApp implements Fake<
  GoogleAppsScript.Spreadsheet.SpreadsheetApp,
  'getActiveSpreadsheet' | 'getActiveRange' | 'getUi'
> {
  constructor(
    readonly spreadsheet: FakeSpreadsheet,
    readonly ui: FakeUi,
  ) {}

  getActiveSpreadsheet(): FakeSpreadsheet {
    return this.spreadsheet;
  }

  /** Sheets always has an active range, if only a cell; a test says which by selecting. */
  getActiveRange(): FakeRange {
    if (!this.spreadsheet.activeRange) throw new Error('The test selected nothing');

    return this.spreadsheet.activeRange;
  }

  getUi(): FakeUi {
    return this.ui;
  }
}

const BUTTON = { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' };
const BUTTON_SET = { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO' };

/** The dialogs, menus and sidebars the add-on showed; prompts answer from a queue. */
export class FakeUi implements Fake<
  GoogleAppsScript.Base.Ui,
  'alert' | 'prompt' | 'createAddonMenu' | 'showSidebar' | 'Button' | 'ButtonSet'
> {
  readonly Button = BUTTON as unknown as Base['Button'];
  readonly ButtonSet = BUTTON_SET as unknown as Base['ButtonSet'];
  readonly alerts: { title: string; message: string }[] = [];
  readonly sidebars: FakeHtmlOutput[] = [];
  menu: FakeMenu | null = null;
  private readonly answers: (string | null)[] = [];

  alert(title: string, message: string, _buttons: GoogleAppsScript.Base.ButtonSet) {
    this.alerts.push({ title, message });

    return this.Button.OK;
  }

  /** The next prompts' answers; null is Cancel. */
  answerPrompts(...answers: (string | null)[]): void {
    this.answers.push(...answers);
  }

  prompt(_title: string, _question: string, _buttons: GoogleAppsScript.Base.ButtonSet) {
    if (this.answers.length === 0) throw new Error('The test did not answer this prompt');

    return new FakePromptResponse(this.answers.shift() ?? null, this.Button);
  }

  createAddonMenu(): FakeMenu {
    return new FakeMenu(this);
  }

  showSidebar(page: GoogleAppsScript.HTML.HtmlOutput): void {
    this.sidebars.push(page as unknown as FakeHtmlOutput);
  }
}

export class FakePromptResponse implements Fake<
  GoogleAppsScript.Base.PromptResponse,
  'getSelectedButton' | 'getResponseText'
> {
  constructor(
    private readonly answer: string | null,
    private readonly buttons: Base['Button'],
  ) {}

  getSelectedButton() {
    return this.answer === null ? this.buttons.CANCEL : this.buttons.OK;
  }

  getResponseText(): string {
    return this.answer ?? '';
  }
}

export class FakeMenu implements Fake<
  GoogleAppsScript.Base.Menu,
  'addItem' | 'addSeparator' | 'addToUi'
> {
  readonly items: string[] = [];

  constructor(private readonly ui: FakeUi) {}

  addItem(caption: string, functionName: string): FakeMenu {
    this.items.push(`${caption} → ${functionName}`);

    return this;
  }

  addSeparator(): FakeMenu {
    this.items.push('---');

    return this;
  }

  addToUi(): void {
    this.ui.menu = this;
  }
}
