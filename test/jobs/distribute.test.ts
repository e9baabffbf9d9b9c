import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { JobRun } from '../../functions/src/store/port.js';
import { as, SCHEDULER, startTestApi, type TestApi } from '../support/api-server.js';
import {
  addLead,
  addMember,
  addRep,
  claimed,
  hoursAfter,
  release,
  storeState,
} from '../api/fixtures.js';
import { ownedCounts, ranAt, runAt, setPolicy } from './fixtures.js';

/** 08:30 on Monday 2 March in Asia/Shanghai, the default team time zone. */
const MORNING = '2026-03-02T00:30:00.000Z';

/** The last instant of that Monday in Shanghai, and the first of Tuesday. */
const LAST_INSTANT = '2026-03-02T15:59:59.999Z';
const MIDNIGHT = '2026-03-02T16:00:00.000Z';

// The pool and the once-a-day rule are team-wide, so each test gets a team of its own.
let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(async () => api.close());

/** `count` pool leads, each an hour younger than the one before, created before MORNING. */
async function poolOf(count: number) {
  const leads = [];
  for (let index = 0; index < count; index++) {
    leads.push(await addLead(api, {}, hoursAfter(MORNING, index - 24)));
  }

  return leads;
}

async function ownedIds(rep: string): Promise<string[]> {
  return (await api.store.listOwnedLeads(rep)).map((lead) => lead.id).sort();
}

describe('the morning top-up', () => {
  it.each([
    ['tops up a rep with no leads to the daily allocation', { owned: 0, expected: 3 }],
    ['tops up a rep who owns one lead to the daily allocation', { owned: 1, expected: 3 }],
    ['stops at a rep’s capacity when it is below the allocation', { capacity: 2, expected: 2 }],
    ['gives nothing to a rep already at the allocation', { owned: 3, expected: 3 }],
    ['gives nothing to a rep above the allocation', { owned: 4, expected: 4 }],
  ])('%s', async (_name, row: { owned?: number; capacity?: number; expected: number }) => {
    await setPolicy(api, { dailyAllocation: 3 });
    const rep = await addRep(api, row.capacity ? { capacity: row.capacity } : {});
    for (let index = 0; index < (row.owned ?? 0); index++) {
      await addLead(api, { ownerEmail: rep }, hoursAfter(MORNING, -48));
    }
    await poolOf(5);

    await ranAt(api, 'distribute', MORNING);

    expect(await ownedCounts(api, [rep])).toEqual([row.expected]);
  });

  it('tops up every active rep in one run', async () => {
    await setPolicy(api, { dailyAllocation: 3 });
    const reps = [await addRep(api), await addRep(api), await addRep(api)];
    await addLead(api, { ownerEmail: reps[1] }, hoursAfter(MORNING, -48));
    await poolOf(10);

    await ranAt(api, 'distribute', MORNING);

    expect(await ownedCounts(api, reps)).toEqual([3, 3, 3]);
  });

  it('deals the oldest pool leads first', async () => {
    await setPolicy(api, { dailyAllocation: 2 });
    const rep = await addRep(api);
    // Created out of order, so the age of a lead and the order it was stored in differ.
    const newer = await addLead(api, {}, hoursAfter(MORNING, -1));
    const oldest = await addLead(api, {}, hoursAfter(MORNING, -3));
    const newest = await addLead(api, {}, hoursAfter(MORNING, -0.5));
    const older = await addLead(api, {}, hoursAfter(MORNING, -2));

    await ranAt(api, 'distribute', MORNING);

    expect(await ownedIds(rep)).toEqual([oldest.id, older.id].sort());
    expect((await api.store.listPool(10, null)).items.map((lead) => lead.id)).toEqual([
      newer.id,
      newest.id,
    ]);
  });

  it('shares a short pool evenly, no rep more than one lead ahead of another', async () => {
    const reps = [await addRep(api), await addRep(api), await addRep(api)];
    await poolOf(7);

    await ranAt(api, 'distribute', MORNING);

    const counts = await ownedCounts(api, reps);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(7);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('gives nothing to inactive reps, managers, qc or admins', async () => {
    await setPolicy(api, { dailyAllocation: 2 });
    const others = [
      await addRep(api, { active: false }),
      await addMember(api, { role: 'manager' }),
      await addMember(api, { role: 'qc' }),
      await addMember(api, { role: 'admin' }),
    ];
    const rep = await addRep(api);
    await poolOf(10);

    await ranAt(api, 'distribute', MORNING);

    expect(await ownedCounts(api, others)).toEqual([0, 0, 0, 0]);
    expect(await ownedCounts(api, [rep])).toEqual([2]);
  });

  it('passes a lead in cooldown for one rep to another rep', async () => {
    await setPolicy(api, { dailyAllocation: 1 });
    const [blocked, other] = [await addRep(api), await addRep(api)];
    const given = await claimed(api, blocked, hoursAfter(MORNING, -24));
    await release(api, blocked, given.id, hoursAfter(MORNING, -1));
    const [next] = await poolOf(1);

    await ranAt(api, 'distribute', MORNING);

    expect(await ownedIds(blocked)).toEqual([next!.id]);
    expect(await ownedIds(other)).toEqual([given.id]);
  });

  it('tops up a rep in cooldown for the oldest pool leads from younger ones', async () => {
    await setPolicy(api, { dailyAllocation: 3 });
    const rep = await addRep(api);
    for (let index = 0; index < 5; index++) {
      const given = await claimed(api, rep, hoursAfter(MORNING, -48 + index));
      await release(api, rep, given.id, hoursAfter(MORNING, -1));
    }
    const younger = await poolOf(3);

    await ranAt(api, 'distribute', MORNING);

    expect(await ownedIds(rep)).toEqual(younger.map((lead) => lead.id).sort());
  });

  it('counts the reps it topped up, the deals it planned and those it made', async () => {
    await setPolicy(api, { dailyAllocation: 2 });
    await addRep(api);
    await addRep(api);
    await poolOf(3);

    const run = await ranAt(api, 'distribute', MORNING);

    expect(run).toMatchObject({
      job: 'distribute',
      status: 'done',
      day: '2026-03-02',
      counts: { reps: 2, planned: 3, dealt: 3, skipped: 0 },
    });
  });
});

describe('once per team day', () => {
  it('answers a second run the same day with the first run and changes nothing', async () => {
    await setPolicy(api, { dailyAllocation: 1 });
    await addRep(api);
    await poolOf(1);
    const first = await ranAt(api, 'distribute', MORNING);
    // Work a second run would find: a new rep and leads for them.
    await addRep(api);
    await poolOf(2);
    const before = await storeState(api);

    const again = await runAt(api, 'distribute', hoursAfter(MORNING, 2));

    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first);
    expect(await storeState(api)).toEqual(before);
  });

  it.each([
    ['answers a run at the last instant of the day from the first run', LAST_INSTANT, true],
    ['runs again from midnight in Asia/Shanghai', MIDNIGHT, false],
  ])('%s', async (_name, when, replayed) => {
    const first = await ranAt(api, 'distribute', MORNING);

    const next = await runAt(api, 'distribute', when);

    expect(next.status).toBe(200);
    expect(next.headers['idempotent-replayed']).toBe(replayed ? 'true' : undefined);
    expect((next.body as JobRun).id === first.id).toBe(replayed);
    expect((next.body as JobRun).day).toBe(replayed ? '2026-03-02' : '2026-03-03');
  });

  it('deals again on the next team day', async () => {
    await setPolicy(api, { dailyAllocation: 1 });
    await addRep(api);
    await poolOf(1);
    await ranAt(api, 'distribute', MORNING);
    const newcomer = await addRep(api);
    const [next] = await poolOf(1);

    await ranAt(api, 'distribute', hoursAfter(MIDNIGHT, 8.5));

    expect(await ownedIds(newcomer)).toEqual([next!.id]);
  });
});

describe('a scheduler firing delivered more than once', () => {
  const scheduler = as(SCHEDULER).Authorization;

  it('answers a retry from the first run, even once the team day has turned', async () => {
    const rep = await addRep(api);
    await poolOf(2);
    const first = await runAt(api, 'distribute', MORNING, {
      authorization: scheduler,
      scheduleTime: MORNING,
    });
    await poolOf(2);

    const retry = await runAt(api, 'distribute', hoursAfter(MIDNIGHT, 1), {
      authorization: scheduler,
      scheduleTime: MORNING,
    });

    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await ownedCounts(api, [rep])).toEqual([2]);
  });

  it('asks a retry to come back while the first run of the firing is still going', async () => {
    const rep = await addRep(api);
    await poolOf(2);
    const running: JobRun = {
      id: 'RUN-IN-PROGRESS',
      job: 'distribute',
      trigger: 'scheduler',
      triggeredBy: SCHEDULER,
      scheduleTime: MORNING,
      day: '2026-03-02',
      status: 'running',
      startedAt: MORNING,
      endedAt: null,
      counts: {},
      error: null,
    };
    await api.store.saveJobRun(running);

    const retry = await runAt(api, 'distribute', hoursAfter(MORNING, 0.05), {
      authorization: scheduler,
      scheduleTime: MORNING,
    });

    expect(retry.status).toBe(409);
    expect(retry.body.error).toMatchObject({
      code: 'JOB_RUNNING',
      details: { runId: 'RUN-IN-PROGRESS' },
    });
    expect(await ownedCounts(api, [rep])).toEqual([0]);
  });
});
