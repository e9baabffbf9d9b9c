import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { sheets_v4 } from '@googleapis/sheets';
import * as z from 'zod';

/**
 * The three Sheets v4 routes a sync uses, over spreadsheets kept in memory. Bodies are
 * parsed strictly with the fields the sync sends, so a field the fake does not know about
 * fails the request instead of being ignored.
 */

const Int = z.number().int().min(0);
const CellValue = z.union([z.string(), z.number(), z.boolean()]);

const ValuesBodySchema = z
  .object({
    valueInputOption: z.literal('RAW'),
    data: z.array(
      z
        .object({
          range: z.string(),
          majorDimension: z.literal('ROWS'),
          values: z.array(z.array(CellValue)),
        })
        .strict(),
    ),
  })
  .strict();

const GridRangeSchema = z
  .object({
    sheetId: Int,
    startRowIndex: Int.optional(),
    endRowIndex: Int.optional(),
    startColumnIndex: Int.optional(),
    endColumnIndex: Int.optional(),
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
              gridProperties: z.object({ frozenRowCount: Int }).strict().optional(),
            })
            .strict(),
        })
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
]);

const BatchBodySchema = z.object({ requests: z.array(RequestSchema).min(1) }).strict();

/** Compiles only when what the fake accepts is a part of what the client's typings allow. */
type Fits<T extends Real, Real> = T;

export type ValuesBody = Fits<
  z.infer<typeof ValuesBodySchema>,
  sheets_v4.Schema$BatchUpdateValuesRequest
>;
export type BatchBody = Fits<
  z.infer<typeof BatchBodySchema>,
  sheets_v4.Schema$BatchUpdateSpreadsheetRequest
>;

type Value = z.infer<typeof CellValue>;

export type FakeTab = {
  sheetId: number;
  title: string;
  frozenRows: number;
  protectedRanges: z.infer<typeof ProtectedRangeSchema>[];
  conditionalFormats: z.infer<typeof ConditionalFormatRuleSchema>[];
  charts: z.infer<typeof EmbeddedChartSchema>[];
  /** Rows of cells; an empty cell is undefined. */
  grid: (Value | undefined)[][];
};

export type Call = 'get' | 'values' | 'batch';

export type Received = { call: Call; spreadsheetId: string; status: number };

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

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);

  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function columnIndex(letters: string): number {
  return [...letters].reduce((total, letter) => total * 26 + letter.charCodeAt(0) - 64, 0) - 1;
}

function callOf(method: string | undefined, suffix: string | undefined): Call | null {
  if (suffix === undefined) return method === 'GET' ? 'get' : null;
  if (method !== 'POST') return null;

  return suffix === ':batchUpdate' ? 'batch' : 'values';
}

const A1_RANGE = /^'([^']+)'!([A-Z]+)(\d+):([A-Z]+)(\d+)$/;

export class FakeSheetsServer {
  readonly received: Received[] = [];
  private readonly spreadsheets = new Map<string, FakeTab[]>();
  private readonly failures: { call: Call | null; status: number }[] = [];
  private readonly beforeValues = new Set<() => Promise<void>>();
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

  /** Types into a tab as a person would. */
  type(spreadsheetId: string, title: string, rowIndex: number, values: Value[]): void {
    this.tab(spreadsheetId, title).grid[rowIndex] = [...values];
  }

  deleteTab(spreadsheetId: string, title: string): void {
    const tabs = this.tabs(spreadsheetId);
    tabs.splice(tabs.indexOf(this.tab(spreadsheetId, title)), 1);
  }

  /** The next `times` requests (of `call` only, if named) answer `status`. */
  failNext(times: number, status: number, call: Call | null = null): void {
    for (let index = 0; index < times; index += 1) this.failures.push({ call, status });
  }

  /** Runs `hook` before each values write is applied, until stopped. */
  onValues(hook: () => Promise<void>): { stop(): void } {
    this.beforeValues.add(hook);

    return { stop: () => this.beforeValues.delete(hook) };
  }

  count(call?: Call): number {
    return this.received.filter((request) => call === undefined || request.call === call).length;
  }

  private blankTab(sheetId: number, title: string): FakeTab {
    return {
      sheetId,
      title,
      frozenRows: 0,
      protectedRanges: [],
      conditionalFormats: [],
      charts: [],
      grid: [],
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://fake').pathname);
    const route = /^\/v4\/spreadsheets\/([^/:]+)(\/values:batchUpdate|:batchUpdate)?$/.exec(path);
    const call = route && callOf(request.method, route[2]);
    if (!route || !call) return refuse(response, 404, `No route ${request.method} ${path}`);

    const spreadsheetId = route[1]!;
    const record = (status: number) => this.received.push({ call, spreadsheetId, status });
    if (request.headers.authorization !== `Bearer ${this.accessToken}`) {
      record(401);
      return refuse(response, 401, 'Request had invalid authentication credentials.');
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
      const body = call === 'get' ? null : await readJson(request);
      if (call === 'values') for (const hook of this.beforeValues) await hook();

      const result =
        call === 'get'
          ? this.describe(spreadsheetId, tabs)
          : call === 'values'
            ? this.writeValues(spreadsheetId, tabs, body)
            : this.batchUpdate(spreadsheetId, tabs, body);
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
        // A new tab has 1,000 rows; writing below them adds rows.
        properties: {
          sheetId: tab.sheetId,
          title: tab.title,
          gridProperties: { rowCount: Math.max(1000, tab.grid.length) },
        },
        protectedRanges: tab.protectedRanges,
        conditionalFormats: tab.conditionalFormats,
        charts: tab.charts,
      })),
    };
  }

  private writeValues(spreadsheetId: string, tabs: FakeTab[], json: unknown) {
    const parsed = ValuesBodySchema.safeParse(json);
    if (!parsed.success) throw new RefusedError(400, z.prettifyError(parsed.error));

    // Every range is checked before any is written: the call applies whole or not at all.
    const writes = parsed.data.data.map(({ range, values }) => {
      const match = A1_RANGE.exec(range);
      const tab = match && tabs.find((candidate) => candidate.title === match[1]);
      if (!match || !tab) throw new RefusedError(400, `Unable to parse range: ${range}`);

      const top = Number(match[3]) - 1;
      const left = columnIndex(match[2]!);
      const height = Number(match[5]) - top;
      const width = columnIndex(match[4]!) - left + 1;
      if (values.length > height || values.some((row) => row.length > width)) {
        throw new RefusedError(400, `Requested writing within range [${range}], but more was sent`);
      }

      return { tab, top, left, values };
    });

    let cells = 0;
    for (const { tab, top, left, values } of writes) {
      values.forEach((row, rowOffset) => {
        const target = (tab.grid[top + rowOffset] ??= []);
        row.forEach((value, columnOffset) => {
          target[left + columnOffset] = value === '' ? undefined : value;
          cells += 1;
        });
      });
    }

    return { spreadsheetId, totalUpdatedCells: cells, responses: [] };
  }

  private batchUpdate(spreadsheetId: string, tabs: FakeTab[], json: unknown) {
    const parsed = BatchBodySchema.safeParse(json);
    if (!parsed.success) throw new RefusedError(400, z.prettifyError(parsed.error));

    // Applied to a copy, which replaces the spreadsheet only if every request succeeds.
    const draft = structuredClone(tabs);
    const replies = parsed.data.requests.map((request, index) =>
      this.apply(draft, request, `Invalid requests[${index}]`),
    );
    this.spreadsheets.set(spreadsheetId, draft);

    return { spreadsheetId, replies };
  }

  private apply(tabs: FakeTab[], request: z.infer<typeof RequestSchema>, where: string): object {
    const tabWithId = (sheetId: number) => {
      const tab = tabs.find((candidate) => candidate.sheetId === sheetId);
      if (!tab) throw new RefusedError(400, `${where}: No grid with id: ${sheetId}`);

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

      tabs.push({
        ...this.blankTab(sheetId, title),
        frozenRows: gridProperties?.frozenRowCount ?? 0,
      });
      return { addSheet: { properties: { sheetId, title } } };
    }

    if ('addProtectedRange' in request) {
      const { protectedRange } = request.addProtectedRange;
      const tab = tabWithId(protectedRange.range.sheetId);
      tab.protectedRanges.push(protectedRange);
      return { addProtectedRange: { protectedRange } };
    }

    if ('addConditionalFormatRule' in request) {
      const { index, rule } = request.addConditionalFormatRule;
      for (const range of rule.ranges) tabWithId(range.sheetId);

      const tab = tabWithId(rule.ranges[0]!.sheetId);
      tab.conditionalFormats.splice(index, 0, rule);
      return {};
    }

    const { chart } = request.addChart;
    const sources = [
      ...chart.spec.basicChart.domains.map(({ domain }) => domain),
      ...chart.spec.basicChart.series.map(({ series }) => series),
    ].flatMap((data) => data.sourceRange.sources);
    for (const source of sources) tabWithId(source.sheetId);

    tabWithId(chart.position.overlayPosition.anchorCell.sheetId).charts.push(chart);
    return { addChart: { chart } };
  }
}
