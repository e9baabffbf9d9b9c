import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addMember,
  addRep,
  at,
  hoursAfter,
  ownedCount,
  type ErrorBody,
  type LeadBody,
} from '../api/fixtures.js';
import { ranAt } from '../jobs/fixtures.js';
import { movedTo, postStage } from './fixtures.js';

const codeOf = (body: unknown) => (body as ErrorBody).error.code;

describe('POST /v1/leads/{id}/stage', () => {
  let api: TestApi;
  let manager: string;
  beforeAll(async () => {
    api = await startTestApi();
    manager = await addMember(api, { role: 'manager' });
  });
  afterAll(async () => api.close());

  it('moves the owner’s lead forward one stage and records it', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });

    const response = await postStage(api, rep, lead.id, 'contacted');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: lead.id, stage: 'contacted', status: 'owned' });
    const history = await api.store.listLeadEvents(lead.id);
    expect(history.at(-1)).toMatchObject({
      type: 'lead.staged',
      actor: rep,
      data: { from: 'new', to: 'contacted', direction: 'forward' },
    });
  });

  it('refuses a move that skips a stage as INVALID_TRANSITION', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });

    const response = await postStage(api, rep, lead.id, 'effective_visit');

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('INVALID_TRANSITION');
    expect(await api.store.getLead(lead.id)).toMatchObject({ stage: 'new' });
  });

  it('refuses a rep who moves their lead back as INVALID_TRANSITION', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    await movedTo(api, rep, lead.id, 'effective_visit');

    const response = await postStage(api, rep, lead.id, 'contacted');

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('INVALID_TRANSITION');
  });

  it('lets a manager move a lead back one stage', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    await movedTo(api, rep, lead.id, 'effective_visit');

    const response = await postStage(api, manager, lead.id, 'contacted');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ stage: 'contacted', status: 'owned', ownerEmail: rep });
  });

  it('refuses a rep who moves another rep’s lead as NOT_OWNER', async () => {
    const [owner, other] = [await addRep(api), await addRep(api)];
    const lead = await addLead(api, { ownerEmail: owner });

    const response = await postStage(api, other, lead.id, 'contacted');

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('NOT_OWNER');
  });

  it('refuses to move a pool lead as INVALID_TRANSITION', async () => {
    const lead = await addLead(api);

    const response = await postStage(api, manager, lead.id, 'contacted');

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('INVALID_TRANSITION');
  });

  it('answers 400 for a stage that does not exist', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });

    const response = await api.http
      .post(`/v1/leads/${lead.id}/stage`)
      .set(as(rep))
      .set(at(NOW))
      .send({ stage: 'won' });

    expect(response.status).toBe(400);
  });
});

describe('converting a lead', () => {
  // Reclaim looks at every lead of the team, so each test gets a team of its own.
  let api: TestApi;
  let manager: string;
  beforeEach(async () => {
    api = await startTestApi();
    manager = await addMember(api, { role: 'manager' });
  });
  afterEach(async () => api.close());

  async function claim(rep: string, id: string) {
    return api.http.post(`/v1/leads/${id}/claim`).set(as(rep)).set(at(NOW)).send({});
  }

  it('makes a lead a customer at the contract, outside the owner’s capacity', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });

    const converted = await movedTo(api, rep, lead.id, 'contract');

    expect(converted).toMatchObject({
      status: 'customer',
      stage: 'contract',
      ownerEmail: rep,
      followUpDueAt: null,
      dealDueAt: null,
    });
    expect(await ownedCount(api, rep)).toBe(0);
  });

  it('leaves a customer with its owner when reclaim runs days later', async () => {
    const [rep, other] = [await addRep(api), await addRep(api)];
    const customer = await addLead(api, { ownerEmail: rep });
    const neglected = await addLead(api, { ownerEmail: rep });
    await movedTo(api, rep, customer.id, 'paid');

    await ranAt(api, 'reclaim', hoursAfter(NOW, 40 * 24));

    expect(await api.store.getLead(customer.id)).toMatchObject({
      status: 'customer',
      ownerEmail: rep,
    });
    expect(await api.store.getLead(neglected.id)).toMatchObject({ ownerEmail: other });
  });

  async function closeLead(rep: string, lead: LeadBody) {
    const response = await api.http
      .post(`/v1/leads/${lead.id}/close`)
      .set(as(rep))
      .set(at(NOW))
      .send({ reason: 'lost' });

    expect(response.status).toBe(200);
  }

  it.each([
    ['closing a lead', (rep: string, lead: LeadBody) => closeLead(rep, lead)],
    [
      'signing a lead’s contract',
      (rep: string, lead: LeadBody) => movedTo(api, rep, lead.id, 'contract'),
    ],
  ])('frees a place in a full private pool by %s', async (_name, action) => {
    const rep = await addRep(api, { capacity: 1 });
    const lead = await addLead(api, { ownerEmail: rep });
    const next = await addLead(api);
    expect((await claim(rep, next.id)).status).toBe(409);

    await action(rep, lead);

    expect(await ownedCount(api, rep)).toBe(0);
    expect((await claim(rep, next.id)).status).toBe(200);
  });

  it('gives a customer moved back before contract to its owner with fresh deadlines', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    await movedTo(api, rep, lead.id, 'contract');
    const later = hoursAfter(NOW, 24);

    const response = await postStage(api, manager, lead.id, 'proposal', later);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'owned',
      stage: 'proposal',
      ownerEmail: rep,
      followUpDueAt: hoursAfter(later, 72),
      dealDueAt: hoursAfter(later, 30 * 24),
    });
    expect(await ownedCount(api, rep)).toBe(1);
  });

  it('refuses to move a customer back to an owner whose private pool is full', async () => {
    const rep = await addRep(api, { capacity: 1 });
    const lead = await addLead(api, { ownerEmail: rep });
    await movedTo(api, rep, lead.id, 'contract');
    await addLead(api, { ownerEmail: rep });

    const response = await postStage(api, manager, lead.id, 'proposal');

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('CAPACITY_EXCEEDED');
    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'customer' });
  });
});
