/**
 * The test API in a worker thread, listening on a local port. Apps Script's UrlFetchApp is
 * synchronous, so the add-on under test blocks its thread on each request; the server must
 * therefore run on another thread, and this worker is both that server and the client that
 * calls it. Calls arrive through synckit, one at a time.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { runAsWorker } from 'synckit';

import { startTestApi, type TestApi } from '../../support/api-server.js';
import type { FetchAnswer, FetchRequest } from '../fakes/services.js';

export type StoreQuery =
  'getLead' | 'getMember' | 'listOwnedLeads' | 'listVisits' | 'listLeadEvents' | 'getPolicy';

export type WorkerCall =
  | { kind: 'start' }
  | { kind: 'fetch'; request: FetchRequest }
  | { kind: 'store'; query: StoreQuery; args: unknown[] }
  | { kind: 'stop' };

let api: TestApi | null = null;
let server: Server | null = null;
let baseUrl = '';

async function start(): Promise<string> {
  api = await startTestApi();
  // supertest's handle on the Functions Framework server; listening on it ourselves makes
  // it a server every client can reach, not only supertest.
  server = api.http.get('/').app as Server;
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return baseUrl;
}

async function send(request: FetchRequest): Promise<FetchAnswer> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body ?? undefined,
  });

  return { status: response.status, body: await response.text() };
}

async function query(name: StoreQuery, args: unknown[]): Promise<unknown> {
  const store = api!.store as unknown as Record<StoreQuery, (...a: unknown[]) => Promise<unknown>>;

  return store[name](...args);
}

async function stop(): Promise<null> {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
  await api?.close();
  api = null;

  return null;
}

runAsWorker(async (call: WorkerCall) => {
  switch (call.kind) {
    case 'start':
      return start();
    case 'fetch':
      return send(call.request);
    case 'store':
      return query(call.query, call.args);
    case 'stop':
      return stop();
  }
});
