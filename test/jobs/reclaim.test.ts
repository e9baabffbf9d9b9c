import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { JobRun } from '../../functions/src/store/port.js';
import { as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addMember,
  addRep,
  at,
  claimed,
  hoursAfter,
  release,
  storeState,
  type ErrorBody,
} from '../api/fixtures.js';
import { countersAndRecounts, followUp, ranAt, runAt, setPolicy } from './fixtures.js';

/** When a lead given at NOW misses its follow-up deadline under the default 72 hours. */
const DUE = hoursAfter(NOW, 72);

// Reclaim looks at every lead of the team, so each test gets a team of its own.
let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(async () => api.close());

async function ownerOf(id: string): Promise<string | null | undefined> {
  return (await api.store.getLead(id))?.ownerEmail;
}

/** A lead `rep` was given at `when`, with both of its deadlines starting then. */
async function givenTo(rep: string, when = NOW) {
  return addLead(api, { ownerEmail: rep }, when);
}

describe('choosing who receives an overdue lead', () => {
  it('gives a lead not followed up in time to the rep with the most free capacity', async () => {
    const owner = await addRep(api);
    await addRep(api, { capacity: 5 });
    const larger = await addRep(api, { capacity: 9 });
    const lead = await givenTo(owner);

    await ranAt(api, 'reclaim', DUE);

    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'owned', ownerEmail: larger });
  });

  it('never gives the lead back to the rep who lost it, however much room they have', async () => {
    const owner = await addRep(api, { capacity: 100 });
    const other = await addRep(api, { capacity: 2 });
    const lead = await givenTo(owner);

    await ranAt(api, 'reclaim', DUE);

    expect(await ownerOf(lead.id)).toBe(other);
  });

  it.each([
    ['the first rep', { earlier: 0 }],
    ['the second rep', { earlier: 1 }],
  ])(
    'breaks a tie in free capacity for the rep assigned least recently: %s',
    async (_name, row) => {
      const owner = await addRep(api);
      const reps = [await addRep(api, { capacity: 10 }), await addRep(api, { capacity: 10 })];
      const earlier = reps[row.earlier]!;
      const later = reps[1 - row.earlier]!;
      await givenTo(earlier, hoursAfter(NOW, 1));
      await givenTo(later, hoursAfter(NOW, 2));
      const lead = await givenTo(owner);

      await ranAt(api, 'reclaim', DUE);

      expect(await ownerOf(lead.id)).toBe(earlier);
    },
  );

  it('passes over a rep in cooldown for the lead', async () => {
    await setPolicy(api, { cooldownHours: 96 });
    const [owner, blocked] = [await addRep(api), await addRep(api, { capacity: 20 })];
    const receiver = await addRep(api, { capacity: 10 });
    const lead = await claimed(api, blocked);
    await release(api, blocked, lead.id);
    await claimLead(owner, lead.id, NOW);

    await ranAt(api, 'reclaim', DUE);

    expect(await ownerOf(lead.id)).toBe(receiver);
  });

  it('never gives the lead to an inactive rep, a manager, a qc or an admin', async () => {
    const owner = await addRep(api);
    await addRep(api, { capacity: 100, active: false });
    await addMember(api, { role: 'manager' });
    await addMember(api, { role: 'qc' });
    const receiver = await addRep(api, { capacity: 1 });
    const lead = await givenTo(owner);

    await ranAt(api, 'reclaim', DUE);

    expect(await ownerOf(lead.id)).toBe(receiver);
  });

  it('returns the lead to the pool when no other rep has room', async () => {
    const [owner, full] = [await addRep(api), await addRep(api, { capacity: 1 })];
    await givenTo(full, hoursAfter(NOW, 1));
    const lead = await givenTo(owner);

    await ranAt(api, 'reclaim', DUE);

    expect(await api.store.getLead(lead.id)).toMatchObject({ status: 'pool', ownerEmail: null });
  });

  it('ranks again when the reps it chose filled up after it read the team', async () => {
    const owner = await addRep(api);
    const busy = [
      await addRep(api, { capacity: 2 }),
      await addRep(api, { capacity: 2 }),
      await addRep(api, { capacity: 2 }),
    ];
    const spare = await addRep(api, { capacity: 1 });
    const lead = await givenTo(owner);

    // The run has read the team: the three with the most room fill up before it reclaims.
    const list = api.store.listOverdueLeads.bind(api.store);
    vi.spyOn(api.store, 'listOverdueLeads').mockImplementationOnce(async (...args) => {
      const page = await list(...args);
      for (const rep of busy) for (let n = 0; n < 2; n++) await claimed(api, rep, DUE);
      return page;
    });

    const run = await ranAt(api, 'reclaim', DUE);

    expect(await ownerOf(lead.id)).toBe(spare);
    expect(run.counts).toMatchObject({ overdue: 1, reassigned: 1, pooled: 0 });
  });

  it('starts the previous owner’s cooldown, so they cannot claim the lead back', async () => {
    const owner = await addRep(api);
    const lead = await givenTo(owner);
    await ranAt(api, 'reclaim', DUE);

    const response = await claimLead(owner, lead.id, hoursAfter(DUE, 1));

    expect(response.status).toBe(409);
    expect((response.body as ErrorBody).error).toMatchObject({
      code: 'COOLDOWN_ACTIVE',
      details: { cooldownUntil: hoursAfter(DUE, 72) },
    });
  });
});

function claimLead(rep: string, id: string, when: string) {
  return api.http.post(`/v1/leads/${id}/claim`).set(as(rep)).set(at(when)).send({});
}

describe('the deadlines', () => {
  it.each([
    ['reclaims a lead exactly at its follow-up deadline', { offsetMs: 0, reclaimed: true }],
    ['leaves a lead alone 1 ms before its follow-up deadline', { offsetMs: -1, reclaimed: false }],
  ])('%s', async (_name, row) => {
    const [owner, other] = [await addRep(api), await addRep(api)];
    const lead = await givenTo(owner);
    const when = new Date(Date.parse(lead.followUpDueAt!) + row.offsetMs).toISOString();

    await ranAt(api, 'reclaim', when);

    expect(await ownerOf(lead.id)).toBe(row.reclaimed ? other : owner);
  });

  it('reclaims a lead past its deal deadline though it was followed up', async () => {
    await setPolicy(api, { dealDays: 2 });
    const [owner, other] = [await addRep(api), await addRep(api)];
    const lead = await givenTo(owner);
    await followUp(api, owner, lead.id, hoursAfter(NOW, 24));

    await ranAt(api, 'reclaim', hoursAfter(NOW, 48));

    expect(await ownerOf(lead.id)).toBe(other);
    const events = await api.store.listLeadEvents(lead.id);
    expect(events.at(-1)?.data).toMatchObject({ reason: 'deal' });
  });

  it('leaves a lead alone whose follow-up started the clock again', async () => {
    const owner = await addRep(api);
    await addRep(api);
    const lead = await givenTo(owner);
    await followUp(api, owner, lead.id, hoursAfter(NOW, 48));

    const run = await ranAt(api, 'reclaim', DUE);

    expect(await ownerOf(lead.id)).toBe(owner);
    expect(run.counts).toMatchObject({ overdue: 0 });
  });

  it.each([
    ['a closed lead', closeLead],
    ['a customer', becomeCustomer],
  ])('never reclaims %s, however late it is', async (_name, settle) => {
    const owner = await addRep(api);
    await addRep(api);
    const lead = await givenTo(owner);
    await settle(owner, lead.id);
    const before = await api.store.getLead(lead.id);

    const run = await ranAt(api, 'reclaim', hoursAfter(NOW, 24 * 60));

    expect(await api.store.getLead(lead.id)).toEqual(before);
    expect(run.counts).toMatchObject({ overdue: 0 });
  });
});

async function closeLead(owner: string, id: string): Promise<void> {
  const response = await api.http
    .post(`/v1/leads/${id}/close`)
    .set(as(owner))
    .set(at(hoursAfter(NOW, 1)))
    .send({ reason: 'lost' });

  expect(response.status).toBe(200);
}

/** The lead turned customer in the store with its old deadlines still on it, the case most
 * likely to slip into an index of due times. */
async function becomeCustomer(_owner: string, id: string): Promise<void> {
  await api.store.transaction(async (tx) => {
    const lead = await tx.getLead(id);
    tx.saveLead({ ...lead!, status: 'customer', stage: 'contract' });
  });
}

describe('what a run leaves behind', () => {
  it('keeps every member’s owned count equal to the leads they own', async () => {
    const [first, second] = [await addRep(api), await addRep(api)];
    await addRep(api, { capacity: 1 });
    await addRep(api, { capacity: 2 });
    for (const owner of [first, second, first, second]) await givenTo(owner);

    await ranAt(api, 'reclaim', DUE);

    const rows = await countersAndRecounts(api);
    expect(rows).toEqual(rows.map((row) => ({ ...row, counter: row.recount })));
  });

  it.each([
    ['to another rep', { receives: true }],
    ['to the pool', { receives: false }],
  ])('records lead.reclaimed with the reason, who lost it and who got it, %s', async (_n, row) => {
    const owner = await addRep(api);
    const receiver = row.receives ? await addRep(api) : null;
    const lead = await givenTo(owner);

    const run = await ranAt(api, 'reclaim', DUE);

    const events = await api.store.listLeadEvents(lead.id);
    expect(events.at(-1)).toMatchObject({
      type: 'lead.reclaimed',
      at: DUE,
      subject: owner,
      actor: 'job:reclaim',
      requestId: run.id,
      data: { reason: 'follow_up', from: owner, to: receiver },
    });
  });

  it('changes nothing when run a second time at the same moment', async () => {
    const owner = await addRep(api);
    await addRep(api, { capacity: 1 });
    const ids = [(await givenTo(owner)).id, (await givenTo(owner)).id];
    const first = await ranAt(api, 'reclaim', DUE);
    expect(first.counts).toMatchObject({ reassigned: 1, pooled: 1 });
    const before = await storeState(api, ids);

    const again = await ranAt(api, 'reclaim', DUE);

    expect(await storeState(api, ids)).toEqual(before);
    expect(again.counts).toEqual({ overdue: 0, reassigned: 0, pooled: 0, skipped: 0 });
  });

  it('counts the overdue leads it reassigned and those it returned to the pool', async () => {
    const owner = await addRep(api);
    await addRep(api, { capacity: 1 });
    await givenTo(owner);
    await givenTo(owner);

    const run = await ranAt(api, 'reclaim', DUE);

    expect(run).toMatchObject({
      job: 'reclaim',
      status: 'done',
      counts: { overdue: 2, reassigned: 1, pooled: 1, skipped: 0 },
    });
  });

  it('skips and counts a lead its owner followed up after the run listed it', async () => {
    const [owner] = [await addRep(api), await addRep(api)];
    const lead = await givenTo(owner);
    const list = api.store.listOverdueLeads.bind(api.store);
    vi.spyOn(api.store, 'listOverdueLeads').mockImplementationOnce(async (...args) => {
      const page = await list(...args);
      await followUp(api, owner, lead.id, DUE);
      return page;
    });

    const response = await runAt(api, 'reclaim', DUE);

    expect((response.body as JobRun).counts).toEqual({
      overdue: 1,
      reassigned: 0,
      pooled: 0,
      skipped: 1,
    });
    expect(await ownerOf(lead.id)).toBe(owner);
  });
});
