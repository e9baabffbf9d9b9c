import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { sheets_v4 } from '@googleapis/sheets';
import * as z from 'zod';

/**
 * The two Sheets v4 routes a sync uses, over spreadsheets kept in memory. Bodies are parsed
 * strictly with the fields the sync sends, so a field the fake does not know about fails the
 * request instead of being ignored. The rules of the real API the sync relies on are kept,
 * with its wording: a body over 10 MiB is refused; a batch applies whole or not at all;
 * updateCells clears, in every cell of its range the rows leave out, the fields its mask
 * names, and writes no further than the grid, which appendDimension grows and
 * updateSheetProperties resizes; a chart keeps the id it was added with, and a series type is
 * for combo charts only.
 */

const Int = z.number().int().min(0);

/** A new tab's grid. */
const NEW_ROWS = 1000;
const NEW_COLUMNS = 26;
const CELL_LIMIT = 10_000_000;
const PAYLOAD_LIMIT = 10_485_760;

const GridRangeSchema = z
  .object({
    sheetId: Int,
    startRowIndex: Int.optional(),
    endRowIndex: Int.optional(),
    startColumnIndex: Int.optional(),
    endColumnIndex: Int.optional(),
  })
  .strict();

const ExtendedValueSchema = z.union([
  z.object({ stringValue: z.string() }).strict(),
  z.object({ numberValue: z.number() }).strict(),
  z.object({ boolValue: z.boolean() }).strict(),
]);

const RowDataSchema = z
  .object({
    values: z.array(z.object({ userEnteredValue: ExtendedValueSchema.optional() }).strict()),
  })
  .strict();

const ColourSchema = z
  .object({ red: z.number().min(0).max(1), green: z.number().min(0).max(1), blue: z.number() })
  .strict();

const ChartDataSchema = z
  .object({ sourceRange: z.object({ sources: z.array(GridRangeSchema).length(1) }).strict() })
  .strict();

const ProtectedRangeSchema = z
  .object({
    range: GridRangeSchema,
    description: z.string(),
    warningOnly: z.boolean(),
    unprotectedRanges: z.array(GridRangeSchema).optional(),
  })
  .strict();

const ConditionalFormatRuleSchema = z
  .object({
    ranges: z.array(GridRangeSchema).min(1),
    booleanRule: z
      .object({
        condition: z
          .object({
            type: z.literal('CUSTOM_FORMULA'),
            values: z.array(z.object({ userEnteredValue: z.string() }).strict()).length(1),
          })
          .strict(),
        format: z.object({ backgroundColor: ColourSchema }).strict(),
      })
      .strict(),
  })
  .strict();

const EmbeddedChartSchema = z
  .object({
    chartId: Int.optional(),
    spec: z
      .object({
        title: z.string(),
        basicChart: z
          .object({
            chartType: z.enum(['COLUMN', 'BAR', 'LINE', 'COMBO']),
            legendPosition: z.enum(['BOTTOM_LEGEND', 'RIGHT_LEGEND', 'NO_LEGEND']),
            headerCount: Int,
            domains: z.array(z.object({ domain: ChartDataSchema }).strict()).length(1),
            series: z
              .array(
                z
                  .object({
                    series: ChartDataSchema,
                    targetAxis: z.enum(['LEFT_AXIS', 'RIGHT_AXIS']),
                    type: z.enum(['COLUMN', 'LINE', 'AREA']).optional(),
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
      })
      .strict(),
    position: z
      .object({
        overlayPosition: z
          .object({
            anchorCell: z.object({ sheetId: Int, rowIndex: Int, columnIndex: Int }).strict(),
            widthPixels: Int,
            heightPixels: Int,
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

const RequestSchema = z.union([
  z
    .object({
      addSheet: z
        .object({
          properties: z
            .object({
              sheetId: Int,
              title: z.string().min(1),
              gridProperties: z
                .object({
                  rowCount: Int.min(1).optional(),
                  columnCount: Int.min(1).optional(),
                  frozenRowCount: Int.optional(),
                })
                .strict()
                .optional(),
            })
            .strict(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      appendDimension: z
        .object({ sheetId: Int, dimension: z.enum(['ROWS', 'COLUMNS']), length: Int.min(1) })
        .strict(),
    })
    .strict(),
  z
    .object({ addProtectedRange: z.object({ protectedRange: ProtectedRangeSchema }).strict() })
    .strict(),
  z
    .object({
      addConditionalFormatRule: z
        .object({ index: Int, rule: ConditionalFormatRuleSchema })
        .strict(),
    })
    .strict(),
  z.object({ addChart: z.object({ chart: EmbeddedChartSchema }).strict() }).strict(),
  z.object({ deleteEmbeddedObject: z.object({ objectId: Int }).strict() }).strict(),
  z
    .object({
      updateSheetProperties: z
        .object({
          properties: z
            .object({
              sheetId: Int,
              gridProperties: z
                .object({
                  rowCount: Int.min(1).optional(),
                  columnCount: Int.min(1).optional(),
                  frozenRowCount: Int.optional(),
                })
                .strict(),
            })
            .strict(),
          fields: z.string().min(1),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      updateCells: z
        .object({
          range: GridRangeSchema,
          rows: z.array(RowDataSchema),
          fields: z.string().min(1),
        })
        .strict(),
    })
    .strict(),
]);

const BatchBodySchema = z.object({ requests: z.array(RequestSchema).min(1) }).strict();

/** Compiles only when what the fake accepts is a part of what the client's typings allow. */
type Fits<T extends Real, Real> = T;

export type BatchBody = Fits<
  z.infer<typeof BatchBodySchema>,
  sheets_v4.Schema$BatchUpdateSpreadsheetRequest
>;

type Request = z.infer<typeof BatchBodySchema>['requests'][number];

export type Value = string | number | boolean;

export type FakeTab = {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
  frozenRows: number;
  protectedRanges: z.infer<typeof ProtectedRangeSchema>[];
  conditionalFormats: z.infer<typeof ConditionalFormatRuleSchema>[];
  /** Each with the id it was given, or one the fake chose, as Sheets does. */
  charts: (z.infer<typeof EmbeddedChartSchema> & { chartId: number })[];
  /** Rows of cells; an empty cell is undefined. */
  grid: (Value | undefined)[][];
  notes: (string | undefined)[][];
};

export type Call = 'get' | 'batch';

export type Received = {
  call: Call;
  spreadsheetId: string;
  status: number;
  bytes: number;
  /** The kind of each request of a batch, as `updateCells`, in order. */
  kinds: string[];
};

class RefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}

function refuse(response: ServerResponse, status: number, message: string): void {
  answer(response, status, {
    error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' },
  });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);

  return Buffer.concat(chunks).toString('utf8');
}

function callOf(method: string | undefined, suffix: string | undefined): Call | null {
  if (suffix === undefined) return method === 'GET' ? 'get' : null;

  return method === 'POST' ? 'batch' : null;
}

/** A field mask's paths: "a(b,c),d" names a.b, a.c and d. */
export function maskPaths(mask: string, prefix = ''): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index <= mask.length; index += 1) {
    const char = mask[index];
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if ((char === ',' || char === undefined) && depth === 0) {
      parts.push(mask.slice(start, index).trim());
      start = index + 1;
    }
  }

  return parts.flatMap((part) => {
    const open = part.indexOf('(');
    if (open < 0) return [`${prefix}${part}`];

    return maskPaths(part.slice(open + 1, -1), `${prefix}${part.slice(0, open)}.`);
  });
}

function valueOf(value: z.infer<typeof ExtendedValueSchema> | undefined): Value | undefined {
  if (value === undefined) return undefined;
  if ('stringValue' in value) return value.stringValue === '' ? undefined : value.stringValue;
  if ('numberValue' in value) return value.numberValue;

  return value.boolValue;
}

/** A body parsed once, as bodies of many megabytes are sent; undefined when it is not JSON. */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The kind of each request of a batch body, or none when it is not one. */
function kindsOf(json: unknown): string[] {
  const { requests } = (json ?? {}) as { requests?: unknown };
  if (!Array.isArray(requests)) return [];

  return requests.flatMap((request: object) => Object.keys(request ?? {}));
}

/** Sets one cell, without making rows for cells that stay empty. */
function put<T>(cells: (T | undefined)[][], row: number, column: number, value: T | undefined) {
  if (value === undefined && cells[row]?.[column] === undefined) return;

  (cells[row] ??= [])[column] = value;
}

export class FakeSheetsServer {
  readonly received: Received[] = [];
  private readonly spreadsheets = new Map<string, FakeTab[]>();
  private readonly failures: { call: Call | null; status: number }[] = [];
  private readonly beforeBatch = new Set<() => Promise<void>>();
  /** Sheets picks a chart's id when the request names none; these look like its own. */
  private lastChartId = 1_944_500_000;
  private readonly server = createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      refuse(response, 500, error instanceof Error ? error.message : String(error));
    });
  });

  private constructor(readonly accessToken: string) {}

  /** Listens on a free loopback port; `rootUrl` is then where the client should go. */
  static async start(accessToken = 'test'): Promise<FakeSheetsServer> {
    const fake = new FakeSheetsServer(accessToken);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));

    return fake;
  }

  get rootUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** A new spreadsheet with its first tab, as Google creates one, and any tabs named. */
  create(spreadsheetId: string, titles: string[] = []): void {
    const tabs = ['Sheet1', ...titles].map((title, index) => this.blankTab(index, title));
    this.spreadsheets.set(spreadsheetId, tabs);
  }

  tabs(spreadsheetId: string): FakeTab[] {
    const tabs = this.spreadsheets.get(spreadsheetId);
    if (!tabs) throw new Error(`No spreadsheet ${spreadsheetId}`);

    return tabs;
  }

  tab(spreadsheetId: string, title: string): FakeTab {
    const tab = this.tabs(spreadsheetId).find((candidate) => candidate.title === title);
    if (!tab) throw new Error(`No tab ${title} in ${spreadsheetId}`);

    return tab;
  }

  /** A tab's cells as the user sees them: empty cells '', trailing empty rows dropped. */
  rows(spreadsheetId: string, title: string): Value[][] {
    const { grid } = this.tab(spreadsheetId, title);
    const rows = Array.from(grid, (row) => Array.from(row ?? [], (cell) => cell ?? ''));
    while (rows.length > 0 && rows[rows.length - 1]!.every((cell) => cell === '')) rows.pop();

    return rows.map((row) => {
      const end = row.findLastIndex((cell) => cell !== '');
      return row.slice(0, end + 1);
    });
  }

  /** Every note of a tab, as [row index, column index, text]. */
  notes(spreadsheetId: string, title: string): [number, number, string][] {
    const { notes } = this.tab(spreadsheetId, title);

    return notes.flatMap((row, rowIndex) =>
      (row ?? []).flatMap((text, columnIndex) =>
        text === undefined ? [] : [[rowIndex, columnIndex, text] as [number, number, string]],
      ),
    );
  }

  /**
   * Types into a tab as a person would, or as the add-on does when it redraws a tab: `values`
   * into the cells of one row from `column` on, within the grid only, as Apps Script refuses a
   * range outside it. An empty string empties its cell.
   */
  type(spreadsheetId: string, title: string, row: number, values: Value[], column = 0): void {
    const tab = this.tab(spreadsheetId, title);
    if (row >= tab.rowCount || column + values.length > tab.columnCount) {
      throw new Error('The coordinates of the range are outside the dimensions of the sheet.');
    }

    values.forEach((value, index) => {
      put(tab.grid, row, column + index, value === '' ? undefined : value);
    });
  }

  /** Leaves a note on a cell, as the add-on's relay does to say why an edit was refused. */
  annotate(spreadsheetId: string, title: string, row: number, column: number, text: string) {
    put(this.tab(spreadsheetId, title).notes, row, column, text);
  }

  /** Adds empty rows or columns at the end of a tab's grid, as a person can. */
  addToGrid(spreadsheetId: string, title: string, { rows = 0, columns = 0 }): void {
    const tab = this.tab(spreadsheetId, title);
    tab.rowCount += rows;
    tab.columnCount += columns;
  }

  /** Deletes `count` rows from `start` on, as a person can: the rows below move up. */
  deleteRows(spreadsheetId: string, title: string, start: number, count: number): void {
    const tab = this.tab(spreadsheetId, title);
    for (const cells of [tab.grid, tab.notes]) cells.splice(start, count);
    tab.rowCount -= count;
  }

  /** Deletes `count` columns from `start` on, as a person can: the columns right move left. */
  deleteColumns(spreadsheetId: string, title: string, start: number, count: number): void {
    const tab = this.tab(spreadsheetId, title);
    for (const cells of [tab.grid, tab.notes]) {
      for (const row of cells) row?.splice(start, count);
    }
    tab.columnCount -= count;
  }

  deleteTab(spreadsheetId: string, title: string): void {
    const tabs = this.tabs(spreadsheetId);
    tabs.splice(tabs.indexOf(this.tab(spreadsheetId, title)), 1);
  }

  renameTab(spreadsheetId: string, title: string, newTitle: string): void {
    this.tab(spreadsheetId, title).title = newTitle;
  }

  /** The next `times` requests (of `call` only, if named) answer `status`. */
  failNext(times: number, status: number, call: Call | null = null): void {
    for (let index = 0; index < times; index += 1) this.failures.push({ call, status });
  }

  /** Runs `hook` before each batch is applied, until stopped. */
  onBatch(hook: () => Promise<void>): { stop(): void } {
    this.beforeBatch.add(hook);

    return { stop: () => this.beforeBatch.delete(hook) };
  }

  count(call?: Call): number {
    return this.received.filter((request) => call === undefined || request.call === call).length;
  }

  private blankTab(sheetId: number, title: string): FakeTab {
    return {
      sheetId,
      title,
      rowCount: NEW_ROWS,
      columnCount: NEW_COLUMNS,
      frozenRows: 0,
      protectedRanges: [],
      conditionalFormats: [],
      charts: [],
      grid: [],
      notes: [],
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://fake').pathname);
    const route = /^\/v4\/spreadsheets\/([^/:]+)(:batchUpdate)?$/.exec(path);
    const call = route && callOf(request.method, route[2]);
    if (!route || !call) return refuse(response, 404, `No route ${request.method} ${path}`);

    const spreadsheetId = route[1]!;
    const body = await readBody(request);
    const bytes = Buffer.byteLength(body);
    const json = call === 'batch' ? parseJson(body) : undefined;
    const record = (status: number) =>
      this.received.push({ call, spreadsheetId, status, bytes, kinds: kindsOf(json) });
    if (request.headers.authorization !== `Bearer ${this.accessToken}`) {
      record(401);
      return refuse(response, 401, 'Request had invalid authentication credentials.');
    }

    if (bytes > PAYLOAD_LIMIT) {
      record(400);
      const message = `Request payload size exceeds the limit: ${PAYLOAD_LIMIT} bytes.`;
      return refuse(response, 400, message);
    }

    const failure = this.failures.findIndex((f) => f.call === null || f.call === call);
    if (failure >= 0) {
      const { status } = this.failures.splice(failure, 1)[0]!;
      record(status);
      return refuse(response, status, status === 429 ? 'Quota exceeded' : 'Internal error');
    }

    const tabs = this.spreadsheets.get(spreadsheetId);
    if (!tabs) {
      record(404);
      return refuse(response, 404, 'Requested entity was not found.');
    }

    try {
      if (call === 'batch') for (const hook of this.beforeBatch) await hook();

      const result =
        call === 'get'
          ? this.describe(spreadsheetId, tabs)
          : this.batchUpdate(spreadsheetId, tabs, json);
      record(200);
      answer(response, 200, result);
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;

      record(error.status);
      refuse(response, error.status, error.message);
    }
  }

  private describe(spreadsheetId: string, tabs: FakeTab[]) {
    return {
      spreadsheetId,
      sheets: tabs.map((tab) => ({
        properties: {
          sheetId: tab.sheetId,
          title: tab.title,
          gridProperties: {
            rowCount: tab.rowCount,
            columnCount: tab.columnCount,
            frozenRowCount: tab.frozenRows,
          },
        },
        protectedRanges: tab.protectedRanges,
        conditionalFormats: tab.conditionalFormats,
        charts: tab.charts,
      })),
    };
  }

  private batchUpdate(spreadsheetId: string, tabs: FakeTab[], json: unknown) {
    const parsed = BatchBodySchema.safeParse(json);
    if (!parsed.success) throw new RefusedError(400, z.prettifyError(parsed.error));

    // Applied to a copy, which replaces the spreadsheet only if every request succeeds.
    const draft = structuredClone(tabs);
    const replies = parsed.data.requests.map((request, index) =>
      this.apply(draft, request, `Invalid requests[${index}]`),
    );
    const cells = draft.reduce((total, tab) => total + tab.rowCount * tab.columnCount, 0);
    if (cells > CELL_LIMIT) {
      throw new RefusedError(
        400,
        `This action would increase the number of cells in the workbook above the limit of ` +
          `${CELL_LIMIT} cells.`,
      );
    }
    this.spreadsheets.set(spreadsheetId, draft);

    return { spreadsheetId, replies };
  }

  private apply(tabs: FakeTab[], request: Request, where: string): object {
    const tabWithId = (sheetId: number, kind: string) => {
      const tab = tabs.find((candidate) => candidate.sheetId === sheetId);
      if (!tab) throw new RefusedError(400, `${where}.${kind}: No grid with id: ${sheetId}`);

      return tab;
    };

    if ('addSheet' in request) {
      const { sheetId, title, gridProperties } = request.addSheet.properties;
      if (tabs.some((tab) => tab.title.toLowerCase() === title.toLowerCase())) {
        const message = `A sheet with the name "${title}" already exists.`;
        throw new RefusedError(400, `${where}.addSheet: ${message} Please enter another name.`);
      }
      if (tabs.some((tab) => tab.sheetId === sheetId)) {
        throw new RefusedError(400, `${where}.addSheet: A sheet with the id ${sheetId} exists`);
      }

      const tab = this.blankTab(sheetId, title);
      tabs.push({
        ...tab,
        rowCount: gridProperties?.rowCount ?? tab.rowCount,
        columnCount: gridProperties?.columnCount ?? tab.columnCount,
        frozenRows: gridProperties?.frozenRowCount ?? 0,
      });
      return { addSheet: { properties: { sheetId, title } } };
    }

    if ('addProtectedRange' in request) {
      const { protectedRange } = request.addProtectedRange;
      const tab = tabWithId(protectedRange.range.sheetId, 'addProtectedRange');
      tab.protectedRanges.push(protectedRange);
      return { addProtectedRange: { protectedRange } };
    }

    if ('addConditionalFormatRule' in request) {
      const { index, rule } = request.addConditionalFormatRule;
      for (const range of rule.ranges) tabWithId(range.sheetId, 'addConditionalFormatRule');

      const tab = tabWithId(rule.ranges[0]!.sheetId, 'addConditionalFormatRule');
      tab.conditionalFormats.splice(index, 0, rule);
      return {};
    }

    if ('addChart' in request) {
      const { chart } = request.addChart;
      const at = `${where}.addChart`;
      const { chartType, domains, series } = chart.spec.basicChart;
      const sources = [...domains.map(({ domain }) => domain), ...series.map((s) => s.series)];
      for (const source of sources.flatMap((data) => data.sourceRange.sources)) {
        tabWithId(source.sheetId, 'addChart');
      }
      if (chartType !== 'COMBO' && series.some((s) => s.type !== undefined)) {
        throw new RefusedError(400, `${at}: a series type is valid only in a COMBO chart`);
      }

      const charts = tabs.flatMap((tab) => tab.charts);
      const chartId = chart.chartId ?? (this.lastChartId += 1);
      if (charts.some((other) => other.chartId === chartId)) {
        throw new RefusedError(400, `${at}: an embedded object with id ${chartId} exists`);
      }

      const anchor = chart.position.overlayPosition.anchorCell.sheetId;
      tabWithId(anchor, 'addChart').charts.push({ ...chart, chartId });
      return { addChart: { chart: { ...chart, chartId } } };
    }

    if ('deleteEmbeddedObject' in request) {
      const { objectId } = request.deleteEmbeddedObject;
      const tab = tabs.find((candidate) => candidate.charts.some((c) => c.chartId === objectId));
      if (!tab) {
        const at = `${where}.deleteEmbeddedObject`;
        throw new RefusedError(400, `${at}: No embedded object with id: ${objectId}`);
      }

      tab.charts = tab.charts.filter((chart) => chart.chartId !== objectId);
      return {};
    }

    if ('appendDimension' in request) {
      const { sheetId, dimension, length } = request.appendDimension;
      const tab = tabWithId(sheetId, 'appendDimension');
      if (dimension === 'ROWS') tab.rowCount += length;
      else tab.columnCount += length;
      return {};
    }

    if ('updateSheetProperties' in request) {
      const { properties, fields } = request.updateSheetProperties;
      const tab = tabs.find((candidate) => candidate.sheetId === properties.sheetId);
      const at = `${where}.updateSheetProperties`;
      if (!tab) throw new RefusedError(400, `${at}: No sheet with id: ${properties.sheetId}`);

      this.resize(tab, properties.gridProperties, maskPaths(fields), at);
      return {};
    }

    const { range, rows, fields } = request.updateCells;
    this.writeCells(tabWithId(range.sheetId, 'updateCells'), range, rows, fields, where);
    return {};
  }

  private resize(
    tab: FakeTab,
    grid: { rowCount?: number; columnCount?: number; frozenRowCount?: number },
    paths: string[],
    at: string,
  ): void {
    for (const path of paths) {
      const field = path.replace(/^gridProperties\./, '') as keyof typeof grid;
      const value = grid[field];
      if (!path.startsWith('gridProperties.') || value === undefined) {
        throw new RefusedError(400, `${at}: the fake has no value for the field ${path}`);
      }

      if (field === 'rowCount') tab.rowCount = value;
      else if (field === 'columnCount') tab.columnCount = value;
      else if (field === 'frozenRowCount') tab.frozenRows = value;
      else throw new RefusedError(400, `${at}: the fake does not know the field ${path}`);
    }

    if (tab.frozenRows >= tab.rowCount) {
      throw new RefusedError(400, `${at}: You can't freeze all visible rows on the sheet.`);
    }

    // A smaller grid loses the cells outside it.
    for (const cells of [tab.grid, tab.notes]) {
      cells.length = Math.min(cells.length, tab.rowCount);
      for (const row of cells) if (row) row.length = Math.min(row.length, tab.columnCount);
    }
  }

  /**
   * The range ends where the grid does on any side it leaves open. Each cell of it takes, for
   * each field the mask names, what the rows give it, or nothing: a cell the rows do not
   * reach is cleared of those fields.
   */
  private writeCells(
    tab: FakeTab,
    range: z.infer<typeof GridRangeSchema>,
    rows: z.infer<typeof RowDataSchema>[],
    fields: string,
    where: string,
  ): void {
    const at = `${where}.updateCells`;
    const paths = maskPaths(fields);
    const unknown = paths.filter((path) => path !== 'userEnteredValue' && path !== 'note');
    if (unknown.length > 0) {
      throw new RefusedError(400, `${at}: the fake does not know the fields ${unknown.join()}`);
    }

    const top = range.startRowIndex ?? 0;
    const bottom = range.endRowIndex ?? tab.rowCount;
    const left = range.startColumnIndex ?? 0;
    const right = range.endColumnIndex ?? tab.columnCount;
    if (bottom > tab.rowCount || right > tab.columnCount || top > bottom || left > right) {
      throw new RefusedError(
        400,
        `${at}: Range ('${tab.title}'!R${top + 1}C${left + 1}:R${bottom}C${right}) exceeds ` +
          `grid limits. Max rows: ${tab.rowCount}, max columns: ${tab.columnCount}`,
      );
    }
    if (top + rows.length > bottom) {
      throw new RefusedError(
        400,
        `${at}: Attempting to write row: ${bottom + 1}, beyond the last requested row ` +
          `of: ${bottom}`,
      );
    }
    const widest = Math.max(0, ...rows.map((row) => row.values.length));
    if (left + widest > right) {
      throw new RefusedError(
        400,
        `${at}: Attempting to write column: ${right + 1}, beyond the last requested column ` +
          `of: ${right}`,
      );
    }

    for (let row = top; row < bottom; row += 1) {
      const cells = rows[row - top]?.values ?? [];
      for (let column = left; column < right; column += 1) {
        const cell = cells[column - left];
        if (paths.includes('userEnteredValue')) {
          put(tab.grid, row, column, valueOf(cell?.userEnteredValue));
        }
        if (paths.includes('note')) put(tab.notes, row, column, undefined);
      }
    }
  }
}
