import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { devAuthenticator } from '../../functions/src/api/auth.js';
import { httpFunction } from '../../functions/src/api/express.js';
import { createApi } from '../../functions/src/api/handler.js';
import type { MemberRoute } from '../../functions/src/api/router.js';
import { randomId } from '../../functions/src/app/ids.js';
import { ADMIN, as, startTestApi, type LogLine, type TestApi } from '../support/api-server.js';
import { NOW, addRep, at, claimed } from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

/** The lines logged while `work` runs. */
async function logged(lines: LogLine[], work: () => Promise<unknown>): Promise<LogLine[]> {
  const start = lines.length;
  await work();

  return lines.slice(start);
}

describe('the request log', () => {
  it('writes one line per request with method, path, status, caller and request id', async () => {
    const lines = await logged(api.logs, () => api.http.get('/v1/me').set(as(ADMIN)));

    expect(lines).toEqual([
      expect.objectContaining({
        severity: 'INFO',
        message: 'request',
        method: 'GET',
        path: '/v1/me',
        status: 200,
        email: ADMIN,
        requestId: expect.any(String),
      }),
    ]);
  });

  it('takes the request id from X-Request-Id when the caller sends one', async () => {
    const lines = await logged(api.logs, () =>
      api.http.get('/v1/policy').set(as(ADMIN)).set('X-Request-Id', 'trace-4711'),
    );

    expect(lines).toEqual([expect.objectContaining({ requestId: 'trace-4711' })]);
  });

  it.each([
    ['a refused token', { status: 401, send: () => api.http.get('/v1/me') }],
    ['an unknown route', { status: 404, send: () => api.http.get('/v1/nowhere') }],
    [
      'an invalid body',
      { status: 400, send: () => api.http.post('/v1/leads').set(as(ADMIN)).send({ company: 7 }) },
    ],
  ])('logs %s as one WARNING line', async (_name, { status, send }) => {
    const lines = await logged(api.logs, send);

    expect(lines).toEqual([
      expect.objectContaining({ severity: 'WARNING', message: 'request', status }),
    ]);
  });

  it('adds a WARNING line with the code when a rule is violated', async () => {
    const [owner, rep] = [await addRep(api), await addRep(api)];
    const lead = await claimed(api, owner);

    const lines = await logged(api.logs, () =>
      api.http.post(`/v1/leads/${lead.id}/claim`).set(as(rep)).set(at(NOW)).send({}),
    );

    expect(lines).toEqual([
      expect.objectContaining({ severity: 'WARNING', message: 'request', status: 409 }),
      expect.objectContaining({
        severity: 'WARNING',
        message: 'rule violation',
        code: 'LEAD_NOT_IN_POOL',
        email: rep,
        requestId: lines[0]?.requestId,
      }),
    ]);
  });
});

describe('an unexpected error', () => {
  const logs: LogLine[] = [];
  let http: ReturnType<typeof request>;
  beforeAll(() => {
    const failing = (thrown: unknown): MemberRoute['handle'] => {
      return async () => {
        throw thrown;
      };
    };
    const routes: MemberRoute[] = [
      {
        method: 'GET',
        path: '/v1/fault',
        roles: ['admin'],
        handle: failing(new Error('The ledger is corrupt')),
      },
      { method: 'GET', path: '/v1/odd-fault', roles: ['admin'], handle: failing('a bare string') },
    ];
    const faulty = createApi(
      {
        store: api.store,
        authenticate: devAuthenticator(),
        newId: randomId,
        log: (severity, message, fields = {}) => logs.push({ severity, message, ...fields }),
        clock: () => new Date(NOW),
        devMode: true,
        schedulerEmails: [],
      },
      routes,
    );
    functions.http(
      'logging-test-faults',
      httpFunction(async () => faulty),
    );
    http = request(getTestServer('logging-test-faults'));
  });

  it('answers a bare 500 that tells nothing of the error', async () => {
    const response = await http.get('/v1/fault').set(as(ADMIN));

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } });
    expect(response.text).not.toContain('ledger');
    expect(response.text).not.toMatch(/\bat\b.*\.ts/);
  });

  it('logs the stack as an ERROR line beside the request line', async () => {
    const lines = await logged(logs, () => http.get('/v1/fault').set(as(ADMIN)));

    expect(lines).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        requestId: expect.any(String),
        error: expect.stringMatching(/The ledger is corrupt\n\s+at /),
      }),
      expect.objectContaining({
        severity: 'ERROR',
        message: 'request',
        status: 500,
        requestId: lines[0]?.requestId,
      }),
    ]);
  });

  it('answers and logs a thrown value that is not an Error the same way', async () => {
    const lines = await logged(logs, async () => {
      const response = await http.get('/v1/odd-fault').set(as(ADMIN));
      expect(response.status).toBe(500);
    });

    expect(lines[0]).toMatchObject({ severity: 'ERROR', error: 'a bare string' });
  });
});
