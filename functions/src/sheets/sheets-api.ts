import type { sheets_v4 } from '@googleapis/sheets';

import type { Logger } from '../log.js';
import { BATCH_BYTES } from './batches.js';

const SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

/** A hung connection must not hold the job until the platform ends it. */
const REQUEST_TIMEOUT_MS = 60_000;

export type SheetsAuth = NonNullable<sheets_v4.Options['auth']>;

export type SheetsOptions = {
  /** Where the Sheets API is served; tests point it at a local server. */
  rootUrl?: string;
  /** Application Default Credentials when left out. */
  auth?: SheetsAuth;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter for the backoff, in [0, 1). */
  random?: () => number;
  /** Tries per call, the first included, before a 429 or 5xx fails the call. */
  maxAttempts?: number;
  /** The JSON a batch may carry; tests lower it to cut a small team's sheet into batches. */
  batchBytes?: number;
};

let applicationDefault: SheetsAuth | null = null;

async function connect(options: SheetsOptions): Promise<sheets_v4.Sheets> {
  // Loaded on the first sync, never at start: a cold start should not pay for the client.
  const { auth, sheets } = await import('@googleapis/sheets');
  const credentials =
    options.auth ?? (applicationDefault ??= new auth.GoogleAuth({ scopes: [SCOPE] }));

  // The client's own retries would not cover POST and would sleep on real timers; the
  // retries below do both.
  return sheets({
    version: 'v4',
    auth: credentials,
    ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
    retry: false,
    timeout: REQUEST_TIMEOUT_MS,
  });
}

/** A call that failed for good, said with what was tried, for the job ledger. */
export class SheetsApiError extends Error {
  constructor(
    readonly call: string,
    readonly status: number | null,
    readonly attempts: number,
    cause: unknown,
  ) {
    const answered = status === null ? 'failed' : `answered ${status}`;
    super(`Sheets API ${call} ${answered} (tries: ${attempts}): ${messageOf(cause)}`, { cause });
  }
}

export function statusOf(error: unknown): number | null {
  const { status, response } = (error ?? {}) as {
    status?: unknown;
    response?: { status?: unknown };
  };
  const found = typeof status === 'number' ? status : response?.status;

  return typeof found === 'number' ? found : null;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Sheets API's answers to a write that no longer fits the spreadsheet, as people changed it
 * since the sync last saw it: a sheet id it lacks ("No grid with id" from a request on cells,
 * "No sheet with id" from one on a sheet's properties), a range past the grid's last row or
 * column ("exceeds grid limits"), or more rows than a range open at the bottom has.
 */
export function isOutOfDateWrite(error: unknown): boolean {
  const outOfDate = /no (grid|sheet) with id|exceeds grid limits|beyond the last requested row/i;

  return statusOf(error) === 400 && outOfDate.test(messageOf(error));
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Google's advice for 429 and 5xx: wait 2^n seconds plus up to a second, at most 32 s. */
export function backoffMs(attempt: number, random: () => number): number {
  return Math.min(2 ** (attempt - 1) * 1000 + Math.floor(random() * 1000), 32_000);
}

export type SheetsApi = Awaited<ReturnType<typeof openSheetsApi>>;

/**
 * The two calls a sync makes on one spreadsheet, each retried with exponential backoff on
 * 429 and 5xx, and a count of every request sent.
 */
export async function openSheetsApi(spreadsheetId: string, options: SheetsOptions, log: Logger) {
  const client = await connect(options);
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 5;
  let requests = 0;

  async function call<T>(name: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      requests += 1;
      try {
        return await send();
      } catch (error) {
        const status = statusOf(error);
        const retryable = status === 429 || (status !== null && status >= 500);
        if (!retryable || attempt >= maxAttempts) {
          throw new SheetsApiError(name, status, attempt, error);
        }

        const delayMs = backoffMs(attempt, random);
        log('WARNING', 'Sheets API call failed; retrying', {
          call: name,
          spreadsheetId,
          status,
          attempt,
          delayMs,
        });
        await sleep(delayMs);
      }
    }
  }

  return {
    requests: () => requests,
    batchBytes: options.batchBytes ?? BATCH_BYTES,
    /** Applies every request or none of them. */
    batchUpdate: (requests: sheets_v4.Schema$Request[]) => {
      const requestBody: sheets_v4.Schema$BatchUpdateSpreadsheetRequest = { requests };
      return call('batchUpdate', () =>
        client.spreadsheets.batchUpdate({ spreadsheetId, requestBody }),
      );
    },
    /** The spreadsheet, with only the `fields` asked for. */
    describe: async (fields: string) => {
      const response = await call('get', () => client.spreadsheets.get({ spreadsheetId, fields }));
      return response.data;
    },
  };
}
