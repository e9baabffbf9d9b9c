import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addRep,
  at,
  claimed,
  hoursAfter,
  ownedCount,
  release,
  storeState,
  uniquePhone,
  writtenDifferently,
  type ErrorBody,
} from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

function claim(rep: string, id: string, when = NOW, body: object = {}) {
  return api.http.post(`/v1/leads/${id}/claim`).set(as(rep)).set(at(when)).send(body);
}

const codeOf = (body: unknown) => (body as ErrorBody).error.code;
const detailsOf = (body: unknown) => (body as ErrorBody).error.details;

describe('claiming a lead someone else has', () => {
  it('refuses the second of two claims with 409 LEAD_NOT_IN_POOL', async () => {
    const [first, second] = [await addRep(api), await addRep(api)];
    const lead = await claimed(api, first);

    const response = await claim(second, lead.id);

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('LEAD_NOT_IN_POOL');
    expect(await api.store.getLead(lead.id)).toMatchObject({ ownerEmail: first });
  });

  it('lets exactly one of two simultaneous claims win', async () => {
    const [first, second] = [await addRep(api), await addRep(api)];
    const lead = await addLead(api);

    const responses = await Promise.all([claim(first, lead.id), claim(second, lead.id)]);

    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const owners = [await ownedCount(api, first), await ownedCount(api, second)];
    expect(owners.sort()).toEqual([0, 1]);
  });
});

describe('capacity', () => {
  it('refuses a claim beyond the rep’s capacity with 409 CAPACITY_EXCEEDED', async () => {
    const rep = await addRep(api, { capacity: 1 });
    await claimed(api, rep);
    const lead = await addLead(api);

    const response = await claim(rep, lead.id);

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('CAPACITY_EXCEEDED');
    expect(detailsOf(response.body)).toMatchObject({ capacity: 1, owned: 1, mustRelease: 1 });
    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'pool' });
    expect(await ownedCount(api, rep)).toBe(1);
  });

  it('swaps at capacity, answering the claimed lead and the released ones', async () => {
    const rep = await addRep(api, { capacity: 1 });
    const given = await claimed(api, rep);
    const lead = await addLead(api);

    const response = await claim(rep, lead.id, NOW, { release: [given.id] });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      lead: { id: lead.id, status: 'owned', ownerEmail: rep },
      released: [{ id: given.id, status: 'pool', ownerEmail: null }],
    });
    expect(await api.store.getLead(given.id)).toMatchObject({ status: 'pool' });
    expect(await ownedCount(api, rep)).toBe(1);
  });
});

describe('cooldown', () => {
  it('refuses claiming a just-released lead back with 409 COOLDOWN_ACTIVE', async () => {
    const rep = await addRep(api);
    const lead = await claimed(api, rep);
    await release(api, rep, lead.id);

    const response = await claim(rep, lead.id, hoursAfter(NOW, 71));

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('COOLDOWN_ACTIVE');
    expect(detailsOf(response.body)).toMatchObject({ cooldownUntil: hoursAfter(NOW, 72) });
  });

  it('lets the rep claim the lead back once 72 hours have passed', async () => {
    const rep = await addRep(api);
    const lead = await claimed(api, rep);
    await release(api, rep, lead.id);

    const response = await claim(rep, lead.id, hoursAfter(NOW, 72));

    expect(response.status).toBe(200);
    expect(await api.store.getLead(lead.id)).toMatchObject({ ownerEmail: rep });
  });

  it('does not hold back other reps from the released lead', async () => {
    const [first, second] = [await addRep(api), await addRep(api)];
    const lead = await claimed(api, first);
    await release(api, first, lead.id);

    const response = await claim(second, lead.id);

    expect(response.status).toBe(200);
  });
});

describe('actions on a lead the caller does not own', () => {
  it.each([
    ['release', { reason: 'not mine' }],
    ['follow-ups', { channel: 'visit', note: '' }],
    ['close', { reason: 'lost' }],
  ])('refuses %s by another rep with 409 NOT_OWNER', async (action, body) => {
    const [owner, other] = [await addRep(api), await addRep(api)];
    const lead = await claimed(api, owner);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/${action}`)
      .set(as(other))
      .set(at(NOW))
      .send(body);

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('NOT_OWNER');
    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'owned', ownerEmail: owner });
  });
});

describe('transitions', () => {
  it('refuses assigning a closed lead with 409 INVALID_TRANSITION', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api);
    const close = await api.http
      .post(`/v1/leads/${lead.id}/close`)
      .set(as(ADMIN))
      .set(at(NOW))
      .send({ reason: 'invalid' });
    expect(close.status).toBe(200);

    const response = await api.http
      .post(`/v1/leads/${lead.id}/assign`)
      .set(as(ADMIN))
      .set(at(NOW))
      .send({ toEmail: rep });

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('INVALID_TRANSITION');
    expect(await ownedCount(api, rep)).toBe(0);
  });
});

describe('duplicates', () => {
  const phone = uniquePhone();

  it.each([
    [
      'the same phone written differently',
      {
        first: { company: 'Blue River Foods', phone },
        second: { company: 'Blue River Foods Ltd', phone: writtenDifferently(phone) },
      },
    ],
    [
      'the same company in another case',
      {
        first: { company: 'Golden Lotus Tea House' },
        second: { company: 'GOLDEN LOTUS TEA HOUSE' },
      },
    ],
  ])('refuses %s with 409 DUPLICATE_LEAD naming the existing lead', async (_name, row) => {
    const existing = await addLead(api, row.first);
    const before = await storeState(api);

    const response = await api.http.post('/v1/leads').set(as(ADMIN)).set(at(NOW)).send(row.second);

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('DUPLICATE_LEAD');
    expect(detailsOf(response.body)).toMatchObject({ existingLeadId: existing.id });
    expect(await storeState(api)).toEqual(before);
  });
});

describe('the daily claim limit', () => {
  let limited: TestApi;
  beforeAll(async () => {
    limited = await startTestApi();
    const patch = await limited.http
      .put('/v1/policy')
      .set(as(ADMIN))
      .set(at(NOW))
      .send({ dailyClaimLimit: 2 });
    expect(patch.status).toBe(200);
  });
  afterAll(async () => limited.close());

  // 23:00 and 00:30 in Shanghai: two team days, though one and the same day in UTC.
  const LATE_EVENING = '2026-03-02T15:00:00.000Z';
  const AFTER_MIDNIGHT = '2026-03-02T16:30:00.000Z';

  async function claimNew(rep: string, when: string) {
    const lead = await addLead(limited, {}, when);

    const response = await limited.http
      .post(`/v1/leads/${lead.id}/claim`)
      .set(as(rep))
      .set(at(when))
      .send({});

    return { lead, response };
  }

  it('refuses a third claim in one team day with 409 DAILY_CLAIM_LIMIT', async () => {
    const rep = await addRep(limited);
    await claimNew(rep, NOW);
    await claimNew(rep, LATE_EVENING);

    const { lead, response } = await claimNew(rep, LATE_EVENING);

    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('DAILY_CLAIM_LIMIT');
    expect(detailsOf(response.body)).toMatchObject({ limit: 2, claimedToday: 2 });
    expect(await limited.store.getLead(lead.id)).toMatchObject({ status: 'pool' });
  });

  it('counts a claim even when its lead was released again', async () => {
    const rep = await addRep(limited);
    const { lead } = await claimNew(rep, NOW);
    await release(limited, rep, lead.id);
    await claimNew(rep, NOW);

    const { response } = await claimNew(rep, NOW);

    expect(codeOf(response.body)).toBe('DAILY_CLAIM_LIMIT');
  });

  it('starts counting again when a new day begins in Asia/Shanghai', async () => {
    const rep = await addRep(limited);
    await claimNew(rep, LATE_EVENING);
    await claimNew(rep, LATE_EVENING);

    const { response } = await claimNew(rep, AFTER_MIDNIGHT);

    expect(response.status).toBe(200);
    expect(await limited.store.getMember(rep)).toMatchObject({
      claimsDay: '2026-03-03',
      claimsOnDay: 1,
    });
  });
});
