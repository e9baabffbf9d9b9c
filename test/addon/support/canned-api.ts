import { vi } from 'vitest';

import type { View } from '../../../sheets-addon/src/types.js';
import { API_URL, fakeAppsScript } from '../fakes/apps-script.js';
import type { FetchRequest, Transport } from '../fakes/services.js';

export type CannedRequest = FetchRequest & { path: string; json: unknown };

export type Canned = [status: number, body: unknown];

export type Routes = Record<string, Canned | ((request: CannedRequest) => Canned)>;

/** A server that answers `METHOD /path` from a table; anything else is a 404. */
export function cannedApi(routes: Routes): Transport {
  return (request) => {
    const path = request.url.slice(API_URL.length);
    const route = routes[`${request.method} ${path}`];
    const json: unknown = request.body === null ? undefined : JSON.parse(request.body);
    const [status, body] =
      route === undefined
        ? [404, refusal('NOT_FOUND', `No canned answer for ${request.method} ${path}`)]
        : typeof route === 'function'
          ? route({ ...request, path, json })
          : route;

    return { status, body: JSON.stringify(body) };
  };
}

export function refusal(code: string, message: string, details?: Record<string, unknown>) {
  return { error: details ? { code, message, details } : { code, message } };
}

export function view(tab: string, columns: string[], rows: View['rows']): Canned {
  return [200, { tab, columns, rows }];
}

/**
 * The fakes of one user's Apps Script session installed as globals, for the add-on's
 * modules imported straight from source. Pair with `vi.unstubAllGlobals()` after each test.
 */
export function installFakes(routes: Routes, user = 'rep@example.com') {
  const fakes = fakeAppsScript({
    user,
    transport: cannedApi(routes),
    htmlDir: new URL('../../../sheets-addon/src', import.meta.url).pathname,
  });
  for (const [name, service] of Object.entries(fakes.globals)) vi.stubGlobal(name, service);

  return fakes;
}
