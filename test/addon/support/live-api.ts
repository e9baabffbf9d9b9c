import { fileURLToPath } from 'node:url';

import { createSyncFn } from 'synckit';

import type { FetchAnswer, FetchRequest, Transport } from '../fakes/services.js';
import type { StoreQuery, WorkerCall } from './api-thread.js';

const WORKER = fileURLToPath(new URL('./api-worker.mjs', import.meta.url));

/**
 * The real test API, reached synchronously as UrlFetchApp reaches a server. `transport`
 * plugs into the fake UrlFetchApp; `as` makes a request as a member, for test set-up.
 */
export function startLiveApi() {
  const call = createSyncFn<(call: WorkerCall) => Promise<unknown>>(WORKER, { timeout: 20_000 });
  const baseUrl = call({ kind: 'start' }) as string;

  const transport: Transport = (request) => call({ kind: 'fetch', request }) as FetchAnswer;

  function as(
    email: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const request: FetchRequest = {
      url: `${baseUrl}${path}`,
      method,
      headers: {
        Authorization: `Bearer dev:${email}`,
        'Content-Type': 'application/json',
        ...headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
    };
    const answer = transport(request);

    return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
  }

  function store<T>(query: StoreQuery, ...args: unknown[]): T {
    return call({ kind: 'store', query, args }) as T;
  }

  return { baseUrl, transport, as, store, stop: () => call({ kind: 'stop' }) };
}

export type LiveApi = ReturnType<typeof startLiveApi>;
