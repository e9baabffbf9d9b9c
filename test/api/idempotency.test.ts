import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addRep,
  at,
  claimed,
  ownedCount,
  release,
  storeState,
  unique,
  type ErrorBody,
  type LeadBody,
} from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

function claim(rep: string, id: string, key: string) {
  return api.http
    .post(`/v1/leads/${id}/claim`)
    .set(as(rep))
    .set(at(NOW))
    .set('Idempotency-Key', key)
    .send({});
}

function createLead(company: string, key: string) {
  return api.http
    .post('/v1/leads')
    .set(as(ADMIN))
    .set(at(NOW))
    .set('Idempotency-Key', key)
    .send({ company });
}

describe('a repeated Idempotency-Key', () => {
  it('replays a claim’s first answer, marked as replayed', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);
    const key = unique('claim');
    const first = await claim(rep, lead.id, key);

    const again = await claim(rep, lead.id, key);

    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('changes nothing when a claim is replayed', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);
    const key = unique('claim');
    await claim(rep, lead.id, key);
    const before = await storeState(api, [lead.id]);

    await claim(rep, lead.id, key);

    expect(await storeState(api, [lead.id])).toEqual(before);
    expect(await ownedCount(api, rep)).toBe(1);
    expect(await api.store.getMember(rep)).toMatchObject({ claimsOnDay: 1 });
  });

  it('answers two simultaneous requests with one key by doing the work once', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);
    const key = unique('claim');

    const answers = await Promise.all([claim(rep, lead.id, key), claim(rep, lead.id, key)]);

    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.headers['idempotent-replayed']).sort()).toEqual([
      'true',
      undefined,
    ]);
    expect(await api.store.getMember(rep)).toMatchObject({ ownedCount: 1, claimsOnDay: 1 });
  });

  it('replays a creation with 201 and creates one lead only', async () => {
    const company = unique('Once Only Co');
    const key = unique('create');
    const first = await createLead(company, key);
    const before = await storeState(api);

    const again = await createLead(company, key);

    expect([first.status, again.status]).toEqual([201, 201]);
    expect((again.body as LeadBody).id).toBe((first.body as LeadBody).id);
    expect(await storeState(api)).toEqual(before);
  });

  it('replays a rule violation even after the rule would allow the request', async () => {
    const [owner, rep] = [await addRep(api), await addRep(api)];
    const lead = await claimed(api, owner);
    const key = unique('claim');
    const refused = await claim(rep, lead.id, key);
    await release(api, owner, lead.id);

    const again = await claim(rep, lead.id, key);

    expect(refused.status).toBe(409);
    expect(again.status).toBe(409);
    expect(again.body).toEqual(refused.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'pool' });
  });
});

describe('a key reused for another request', () => {
  it.each([
    ['a different body', { second: (key: string) => createLead(unique('Second Body Co'), key) }],
    [
      'a different route',
      {
        second: (key: string) =>
          api.http
            .put('/v1/policy')
            .set(as(ADMIN))
            .set(at(NOW))
            .set('Idempotency-Key', key)
            .send({ warnHours: 24 }),
      },
    ],
  ])('refuses %s with 422 IDEMPOTENCY_MISMATCH', async (_name, { second }) => {
    const key = unique('reused');
    const first = await createLead(unique('First Body Co'), key);
    const before = await storeState(api, [(first.body as LeadBody).id]);

    const response = await second(key);

    expect(response.status).toBe(422);
    expect((response.body as ErrorBody).error.code).toBe('IDEMPOTENCY_MISMATCH');
    expect(await storeState(api, [(first.body as LeadBody).id])).toEqual(before);
  });

  it('keeps the keys of two members apart', async () => {
    const [ana, bo] = [await addRep(api), await addRep(api)];
    const [first, second] = [await addLead(api), await addLead(api)];
    const key = unique('shared');
    await claim(ana, first.id, key);

    const response = await claim(bo, second.id, key);

    expect(response.status).toBe(200);
    expect(response.headers['idempotent-replayed']).toBeUndefined();
    expect(await api.store.getLead(second.id)).toMatchObject({ ownerEmail: bo });
  });
});

describe('the key itself', () => {
  it.each([
    ['an empty key', { key: '' }],
    ['a key of 201 characters', { key: 'k'.repeat(201) }],
  ])('refuses %s with 400 and changes nothing', async (_name, { key }) => {
    const rep = await addRep(api);
    const lead = await addLead(api);
    const before = await storeState(api, [lead.id]);

    const response = await claim(rep, lead.id, key);

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.code).toBe('INVALID_REQUEST');
    expect(await storeState(api, [lead.id])).toEqual(before);
  });

  it('accepts a key of 200 characters', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);

    const response = await claim(rep, lead.id, unique('k').padEnd(200, 'k'));

    expect(response.status).toBe(200);
  });
});
