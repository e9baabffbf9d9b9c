import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import { NOW, addLead, addRep, at, claimed, storeState, type ErrorBody } from './fixtures.js';

let api: TestApi;
let rep: string;
let poolId: string;
let ownedId: string;
beforeAll(async () => {
  api = await startTestApi();
  rep = await addRep(api);
  poolId = (await addLead(api)).id;
  ownedId = (await claimed(api, rep)).id;
});
afterAll(async () => api.close());

const LEADS = '/v1/leads';

describe('bodies that are too large', () => {
  const big = (bytes: number) => 'x'.repeat(bytes);

  it.each<[string, { path: string; caller?: 'rep'; type?: string; body: unknown }]>([
    ['a lead over 64 KiB', { path: LEADS, body: { company: 'Big Co', notes: big(65 * 1024) } }],
    [
      'a text/plain release over 64 KiB',
      {
        path: '/v1/leads/:owned/release',
        caller: 'rep',
        type: 'text/plain',
        body: JSON.stringify({ reason: big(65 * 1024) }),
      },
    ],
    [
      'an import over 2 MiB',
      {
        path: '/v1/leads:import',
        body: { leads: [{ company: 'Huge Co', notes: big(2 * 1024 * 1024) }] },
      },
    ],
  ])('refuses %s with 413 PAYLOAD_TOO_LARGE', async (_name, { path, caller, type, body }) => {
    const before = await storeState(api, [poolId, ownedId]);

    const response = await api.http
      .post(path.replace(':owned', ownedId))
      .set(as(caller === 'rep' ? rep : ADMIN))
      .set(at(NOW))
      .type(type ?? 'json')
      .send(body as object);

    expect(response.status).toBe(413);
    expect((response.body as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storeState(api, [poolId, ownedId])).toEqual(before);
  });

  it('reads an import over 64 KiB, which has a larger allowance', async () => {
    const leads = Array.from({ length: 40 }, (_, row) => ({
      company: `Roomy Import ${row}`,
      notes: 'n'.repeat(1900),
    }));

    const response = await api.http
      .post('/v1/leads:import')
      .set(as(ADMIN))
      .set(at(NOW))
      .send({ leads });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ duplicates: [], invalid: [] });
  });
});

describe('requests the framework cannot read', () => {
  it.each([
    ['a lead id with a broken escape', { method: 'post', path: '/v1/leads/%E0%A4%A/claim' }],
    ['a route with a broken escape', { method: 'get', path: '/v1/me%ZZ' }],
  ] as const)('refuses %s with 400, not 500', async (_name, { method, path }) => {
    const response = await api.http[method](path).set(as(rep)).set(at(NOW));

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.code).toBe('INVALID_REQUEST');
  });

  it('refuses a body that claims a gzip encoding it does not have with 400, not 500', async () => {
    const response = await api.http
      .post(LEADS)
      .set(as(ADMIN))
      .set(at(NOW))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('{"company":"Gzip Co"}');

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.code).toBe('INVALID_REQUEST');
  });
});

describe('the clock header', () => {
  it.each(['tomorrow', '2026-03-02', '2026-13-01T00:00:00Z'])(
    'refuses X-Leadpool-Now: %s with 400',
    async (value) => {
      const response = await api.http.get('/v1/me').set(as(rep)).set('X-Leadpool-Now', value);

      expect(response.status).toBe(400);
      expect((response.body as ErrorBody).error.code).toBe('INVALID_REQUEST');
    },
  );
});
