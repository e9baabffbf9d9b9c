import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addRep,
  at,
  claimed,
  hoursAfter,
  release,
  type ErrorBody,
  type LeadBody,
} from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

type Page = { items: LeadBody[]; nextCursor: string | null };
type History = { items: { type: string }[] };

describe('GET /v1/me/leads', () => {
  it('lists the rep’s own leads, the soonest follow-up first', async () => {
    const [rep, other] = [await addRep(api), await addRep(api)];
    const later = await claimed(api, rep, NOW);
    const sooner = await claimed(api, rep, hoursAfter(NOW, -5));
    const released = await claimed(api, rep, NOW);
    await release(api, rep, released.id);
    await claimed(api, other);

    const response = await api.http.get('/v1/me/leads').set(as(rep)).set(at(NOW));

    expect(response.status).toBe(200);
    expect((response.body as Page).items.map((lead) => lead.id)).toEqual([sooner.id, later.id]);
    expect(response.body).toMatchObject({ nextCursor: null });
  });

  // Claimed at NOW, the follow-up falls due 72 hours later; the warning starts 24 before.
  it.each([
    [
      'leaves a lead unflagged more than warnHours before its deadline',
      { hours: 47, dueSoon: false },
    ],
    ['flags a lead due soon exactly warnHours before its deadline', { hours: 48, dueSoon: true }],
    ['flags a lead due soon within warnHours of its deadline', { hours: 60, dueSoon: true }],
    ['keeps flagging a lead once it is overdue', { hours: 80, dueSoon: true }],
  ])('%s', async (_name, { hours, dueSoon }) => {
    const rep = await addRep(api);
    await claimed(api, rep, NOW);

    const response = await api.http
      .get('/v1/me/leads')
      .set(as(rep))
      .set(at(hoursAfter(NOW, hours)));

    expect((response.body as Page).items).toMatchObject([{ dueSoon }]);
  });
});

describe('GET /v1/pool', () => {
  it('shows the caller’s own cooldown on a lead they released, and no one else’s', async () => {
    const [rep, other] = [await addRep(api), await addRep(api)];
    const lead = await claimed(api, rep);
    await release(api, rep, lead.id);

    const seen = async (email: string) => {
      const response = await api.http.get('/v1/pool?limit=200').set(as(email)).set(at(NOW));
      return (response.body as Page).items.find((item) => item.id === lead.id);
    };

    expect(await seen(rep)).toMatchObject({ cooldownUntil: hoursAfter(NOW, 72) });
    expect(await seen(other)).toMatchObject({ cooldownUntil: null });
  });

  it.each([
    ['not base64 JSON', { cursor: '%%%not-a-cursor' }],
    ['JSON of the wrong shape', { cursor: Buffer.from('{"page":2}').toString('base64url') }],
    ['JSON null', { cursor: Buffer.from('null').toString('base64url') }],
  ])('refuses a cursor that is %s with 400', async (_name, { cursor }) => {
    const rep = await addRep(api);

    const response = await api.http.get('/v1/pool').query({ cursor }).set(as(rep)).set(at(NOW));

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.code).toBe('INVALID_REQUEST');
  });
});

describe('GET /v1/pool paging', () => {
  let pool: TestApi;
  beforeAll(async () => {
    pool = await startTestApi();
  });
  afterAll(async () => pool.close());

  async function page(rep: string, cursor?: string): Promise<Page> {
    const response = await pool.http
      .get('/v1/pool')
      .query(cursor ? { limit: 2, cursor } : { limit: 2 })
      .set(as(rep))
      .set(at(NOW));
    expect(response.status).toBe(200);

    return response.body as Page;
  }

  it('pages through every pool lead exactly once, oldest first', async () => {
    const created: string[] = [];
    for (let minute = 0; minute < 5; minute += 1) {
      created.push((await addLead(pool, {}, hoursAfter(NOW, minute / 60))).id);
    }

    const rep = await addRep(pool);
    await claimed(pool, rep, hoursAfter(NOW, 1));

    const pages = [await page(rep)];
    for (
      let next = pages[0]?.nextCursor;
      next && pages.length < 10;
      next = pages.at(-1)?.nextCursor
    ) {
      pages.push(await page(rep, next));
    }

    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((lead) => lead.id))).toEqual(created);
  });
});

describe('GET /v1/leads/{id}/history', () => {
  it('lists every event of the lead in the order it happened', async () => {
    const [rep, other] = [await addRep(api), await addRep(api)];
    const lead = await addLead(api);
    const step = (hours: number) => at(hoursAfter(NOW, hours));
    const actions = [
      { path: 'claim', as: rep, body: {} },
      { path: 'follow-ups', as: rep, body: { channel: 'call', note: 'Intro call' } },
      { path: 'release', as: rep, body: { reason: 'Moved away' } },
      { path: 'assign', as: ADMIN, body: { toEmail: other } },
      { path: 'close', as: other, body: { reason: 'lost' } },
    ];
    for (const [index, action] of actions.entries()) {
      const done = await api.http
        .post(`/v1/leads/${lead.id}/${action.path}`)
        .set(as(action.as))
        .set(step(index + 1))
        .send(action.body);
      expect(done.status).toBeLessThan(300);
    }

    const response = await api.http.get(`/v1/leads/${lead.id}/history`).set(as(ADMIN));

    expect(response.status).toBe(200);
    expect((response.body as History).items.map((event) => event.type)).toEqual([
      'lead.created',
      'lead.claimed',
      'lead.followed_up',
      'lead.released',
      'lead.assigned',
      'lead.closed',
    ]);
  });

  it('shows the owner the history of their lead', async () => {
    const rep = await addRep(api);
    const lead = await claimed(api, rep);

    const response = await api.http.get(`/v1/leads/${lead.id}/history`).set(as(rep));

    expect(response.status).toBe(200);
    expect((response.body as History).items.map((event) => event.type)).toContain('lead.claimed');
  });

  it('keeps the history of a pool lead from reps', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);

    const response = await api.http.get(`/v1/leads/${lead.id}/history`).set(as(rep));

    expect(response.status).toBe(403);
  });
});
