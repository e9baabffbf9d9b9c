import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addMember,
  addRep,
  at,
  claimed,
  hoursAfter,
  ownedCount,
  type ErrorBody,
  type LeadBody,
} from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const IN_3_DAYS = hoursAfter(NOW, 72);
const IN_30_DAYS = hoursAfter(NOW, 30 * 24);

describe('POST /v1/leads', () => {
  it('creates a lead in the pool with 201 and every field of the contract', async () => {
    const response = await api.http
      .post('/v1/leads')
      .set(as(ADMIN))
      .set(at(NOW))
      .send({ company: 'Star Harbour Trading', contactName: 'Li Wei', phone: '13800138000' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.any(String),
      company: 'Star Harbour Trading',
      status: 'pool',
      ownerEmail: null,
      stage: 'new',
      followUpDueAt: null,
      dealDueAt: null,
      dueSoon: false,
    });
    expect(await api.store.getLead(response.body.id)).toMatchObject({ status: 'pool' });
  });

  it('creates a lead straight in a rep’s private pool with both deadlines running', async () => {
    const rep = await addRep(api);

    const lead = await addLead(api, { ownerEmail: rep });

    expect(lead).toMatchObject({
      status: 'owned',
      ownerEmail: rep,
      followUpDueAt: IN_3_DAYS,
      dealDueAt: IN_30_DAYS,
    });
    expect(await ownedCount(api, rep)).toBe(1);
  });
});

describe('GET /v1/leads/{id}', () => {
  it('shows a pool lead to any rep', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);

    const response = await api.http.get(`/v1/leads/${lead.id}`).set(as(rep)).set(at(NOW));

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: lead.id, status: 'pool', cooldownUntil: null });
  });

  it('hides a lead owned by another rep', async () => {
    const [owner, other] = [await addRep(api), await addRep(api)];
    const lead = await addLead(api, { ownerEmail: owner });

    const response = await api.http.get(`/v1/leads/${lead.id}`).set(as(other)).set(at(NOW));

    expect(response.status).toBe(403);
  });
});

describe('lead actions', () => {
  it('claims a pool lead with 200, answering it owned and nothing released', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/claim`)
      .set(as(rep))
      .set(at(NOW))
      .send({});

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      lead: { id: lead.id, status: 'owned', ownerEmail: rep, followUpDueAt: IN_3_DAYS },
      released: [],
    });
    expect(await api.store.getLead(lead.id)).toMatchObject({ ownerEmail: rep });
    expect(await api.store.getMember(rep)).toMatchObject({ ownedCount: 1, claimsOnDay: 1 });
  });

  it('releases an owned lead back to the pool with the rep’s cooldown shown', async () => {
    const rep = await addRep(api);
    const lead = await claimed(api, rep);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/release`)
      .set(as(rep))
      .set(at(NOW))
      .send({ reason: 'wrong region' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'pool',
      ownerEmail: null,
      followUpDueAt: null,
      dealDueAt: null,
      cooldownUntil: IN_3_DAYS,
    });
    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'pool', ownerEmail: null });
    expect(await ownedCount(api, rep)).toBe(0);
  });

  it('assigns a pool lead to a rep with 200', async () => {
    const [manager, rep] = [await addMember(api, { role: 'manager' }), await addRep(api)];
    const lead = await addLead(api);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/assign`)
      .set(as(manager))
      .set(at(NOW))
      .send({ toEmail: rep });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'owned',
      ownerEmail: rep,
      dealDueAt: IN_30_DAYS,
    });
    expect(await ownedCount(api, rep)).toBe(1);
  });

  it('moves an owned lead to another rep, freeing the previous owner’s place', async () => {
    const [from, to] = [await addRep(api), await addRep(api)];
    const lead = await claimed(api, from);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/assign`)
      .set(as(ADMIN))
      .set(at(NOW))
      .send({ toEmail: to });

    expect(response.status).toBe(200);
    expect(await api.store.getLead(lead.id)).toMatchObject({ ownerEmail: to });
    expect([await ownedCount(api, from), await ownedCount(api, to)]).toEqual([0, 1]);
  });

  it('logs a follow-up with 201 and restarts the follow-up clock from then', async () => {
    const rep = await addRep(api);
    const lead = await claimed(api, rep);
    const later = hoursAfter(NOW, 10);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/follow-ups`)
      .set(as(rep))
      .set(at(later))
      .send({ channel: 'call', note: 'Asked for a price list' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'owned',
      followUpDueAt: hoursAfter(later, 72),
      dealDueAt: IN_30_DAYS,
    });
    expect(await api.store.getLead(lead.id)).toMatchObject({ lastFollowUpAt: later });
  });

  it('closes an owned lead for its owner with 200, freeing the place', async () => {
    const rep = await addRep(api);
    const lead = await claimed(api, rep);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/close`)
      .set(as(rep))
      .set(at(NOW))
      .send({ reason: 'lost', note: 'Went with a competitor' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'closed', followUpDueAt: null, dueSoon: false });
    expect(await api.store.getLead(lead.id)).toMatchObject({ closeReason: 'lost' });
    expect(await ownedCount(api, rep)).toBe(0);
  });

  it('closes a pool lead for a manager', async () => {
    const manager = await addMember(api, { role: 'manager' });
    const lead = await addLead(api);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/close`)
      .set(as(manager))
      .set(at(NOW))
      .send({ reason: 'invalid' });

    expect(response.status).toBe(200);
    expect((response.body as LeadBody).status).toBe('closed');
  });
});

describe('unknown lead ids', () => {
  const UNKNOWN = 'NO0SUCH0LEAD';

  it.each([
    ['a read', 'get', '', undefined],
    ['a history read', 'get', '/history', undefined],
    ['a claim', 'post', '/claim', {}],
    ['a release', 'post', '/release', { reason: 'gone' }],
    ['a follow-up', 'post', '/follow-ups', { channel: 'call' }],
    ['a close', 'post', '/close', { reason: 'lost' }],
  ] as const)('answers %s by a rep with 404 NOT_FOUND', async (_name, method, action, body) => {
    const rep = await addRep(api);

    const pending = api.http[method](`/v1/leads/${UNKNOWN}${action}`).set(as(rep)).set(at(NOW));
    const response = body === undefined ? await pending : await pending.send(body);

    expect(response.status).toBe(404);
    expect((response.body as ErrorBody).error.code).toBe('NOT_FOUND');
  });

  it('answers an assignment of an unknown lead with 404 NOT_FOUND', async () => {
    const rep = await addRep(api);

    const response = await api.http
      .post(`/v1/leads/${UNKNOWN}/assign`)
      .set(as(ADMIN))
      .set(at(NOW))
      .send({ toEmail: rep });

    expect(response.status).toBe(404);
    expect(await ownedCount(api, rep)).toBe(0);
  });

  it('answers a claim that would release an unknown lead with 404', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/claim`)
      .set(as(rep))
      .set(at(NOW))
      .send({ release: [UNKNOWN] });

    expect(response.status).toBe(404);
    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'pool' });
  });
});
