import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { encodeCursor } from '../../functions/src/api/cursor.js';
import { drawSample } from '../../functions/src/domain/qc.js';
import type { Visit } from '../../functions/src/domain/visits.js';
import { systemActor } from '../../functions/src/app/actor.js';
import { randomId } from '../../functions/src/app/ids.js';
import { sampleSeed, sampleVisits } from '../../functions/src/jobs/qc-sample.js';
import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addMember,
  addRep,
  at,
  hoursAfter,
  type ErrorBody,
} from '../api/fixtures.js';
import { ranAt, runAt, setPolicy } from '../jobs/fixtures.js';
import { pagesOf, visited } from './fixtures.js';

const TODAY = '2026-03-02';

/** 22:00 in Asia/Shanghai, when the night's sample is drawn. */
const NIGHT = hoursAfter(NOW, 13);

type QueueItem = { visitId: string; repEmail: string; visit: Visit };

// The sample is drawn once per team day from all of the team's visits: a team per test.
let api: TestApi;
let qc: string;
beforeEach(async () => {
  api = await startTestApi();
  qc = await addMember(api, { role: 'qc' });
});
afterEach(async () => api.close());

/** Each rep of `counts` logs that many visits to a lead of their own during the day. */
async function aDayOfVisits(counts: number[]): Promise<{ reps: string[]; visits: Visit[] }> {
  const reps: string[] = [];
  const visits: Visit[] = [];
  for (const count of counts) {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    for (let index = 0; index < count; index += 1) {
      visits.push((await visited(api, rep, { leadId: lead.id }, hoursAfter(NOW, 1))).visit);
    }
    reps.push(rep);
  }

  return { reps, visits };
}

async function queue(who = qc): Promise<QueueItem[]> {
  const response = await api.http.get('/v1/qc/queue').set(as(who)).set(at(NIGHT));

  expect(response.status).toBe(200);
  return response.body.items as QueueItem[];
}

function verdict(visitId: string, body: object, who = qc) {
  return api.http.post(`/v1/qc/${visitId}/verdict`).set(as(who)).set(at(NIGHT)).send(body);
}

const sampledIds = async () =>
  (await api.store.listVisits(TODAY)).filter((visit) => visit.qc !== null).map((v) => v.id);

describe('POST /v1/jobs/qc-sample', () => {
  it('samples the policy’s rate of the day’s visits and one of every rep', async () => {
    await setPolicy(api, { qcSampleRate: 0.25 });
    const { reps } = await aDayOfVisits([12, 3, 1]);

    const run = await ranAt(api, 'qc-sample', NIGHT);

    expect(run.counts).toMatchObject({ visits: 16, sampled: 4, reps: 3 });
    const sampled = (await api.store.listVisits(TODAY)).filter((visit) => visit.qc !== null);
    expect(sampled).toHaveLength(4);
    expect(new Set(sampled.map((visit) => visit.repEmail))).toEqual(new Set(reps));
  });

  it('records the seed, from which anyone can draw the same sample again', async () => {
    await aDayOfVisits([9, 4]);

    const run = await ranAt(api, 'qc-sample', NIGHT);

    expect(run.counts.seed).toBe(sampleSeed('leadpool', TODAY));
    const visits = await api.store.listVisits(TODAY);
    expect(drawSample(visits, 0.1, run.counts.seed!)).toEqual((await sampledIds()).sort());
  });

  it('changes nothing when run again the same day', async () => {
    // At a rate of 0 a late visit of a rep the sample covers is never drawn.
    await setPolicy(api, { qcSampleRate: 0 });
    const { reps } = await aDayOfVisits([5, 5]);
    const first = await ranAt(api, 'qc-sample', NIGHT);
    const sampled = await sampledIds();
    const lead = await addLead(api, { ownerEmail: reps[0]! });
    const late = await visited(api, reps[0]!, { leadId: lead.id }, hoursAfter(NIGHT, 1));

    const again = await runAt(api, 'qc-sample', hoursAfter(NIGHT, 1));

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.id, counts: first.counts });
    expect(await sampledIds()).toEqual(sampled);
    expect(sampled).not.toContain(late.visit.id);
  });

  it('queues the sampled visits with their visit id and rep', async () => {
    const { reps } = await aDayOfVisits([3, 2]);
    await ranAt(api, 'qc-sample', NIGHT);

    const items = await queue();

    expect(items.map((item) => item.visitId).sort()).toEqual((await sampledIds()).sort());
    expect(items.map((item) => item.repEmail).sort()).toEqual([...reps].sort());
  });
});

describe('a visit logged for a day whose sample is drawn', () => {
  const MORNING_AFTER = hoursAfter(NIGHT, 11);
  const sampleOfToday = () => api.store.transaction((tx) => tx.getQcSample(TODAY));

  /** `rep` logs a visit the morning after, dated back to the afternoon of TODAY. */
  async function backdated(rep: string): Promise<Visit> {
    const lead = await addLead(api, { ownerEmail: rep });
    const body = { leadId: lead.id, at: hoursAfter(NOW, 5) };

    return (await visited(api, rep, body, MORNING_AFTER)).visit;
  }

  it('goes to QC when its rep had no visit in the sample, and joins the sample', async () => {
    await aDayOfVisits([4]);
    await ranAt(api, 'qc-sample', NIGHT);
    const newcomer = await addRep(api);

    const visit = await backdated(newcomer);

    expect(visit.qc).toMatchObject({ sampleId: TODAY, verdict: null });
    expect((await queue()).map((item) => item.visitId)).toContain(visit.id);
    expect(await sampleOfToday()).toMatchObject({
      visitIds: expect.arrayContaining([visit.id]),
      reps: expect.arrayContaining([newcomer]),
    });
  });

  it('is drawn at the sample’s rate when its rep is covered', async () => {
    await setPolicy(api, { qcSampleRate: 1 });
    const { reps } = await aDayOfVisits([2]);
    await ranAt(api, 'qc-sample', NIGHT);
    await setPolicy(api, { qcSampleRate: 0 });

    // The rate the sample was drawn at decides, not the policy's rate now.
    const visit = await backdated(reps[0]!);

    expect(visit.qc).toMatchObject({ sampleId: TODAY });
  });

  it('waits for the night’s draw when its day is not drawn yet', async () => {
    const { reps } = await aDayOfVisits([1]);

    const visit = await backdated(reps[0]!);

    expect(visit.qc).toBeNull();
    expect(await sampleOfToday()).toBeNull();
  });

  it('is judged by the draw when it was logged while the draw listed the day', async () => {
    await setPolicy(api, { qcSampleRate: 0 });
    await aDayOfVisits([3]);
    const newcomer = await addRep(api);
    const missed = await backdated(newcomer);

    // The draw's first listing misses the newcomer's visit, as if it had committed between
    // that listing and the sample.
    let listings = 0;
    const store = Object.create(api.store) as typeof api.store;
    store.listVisits = async (day, rep) => {
      const visits = await api.store.listVisits(day, rep);
      return listings++ === 0 ? visits.filter((visit) => visit.id !== missed.id) : visits;
    };
    const actor = systemActor('qc-sample', 'run-1', new Date(NIGHT));
    const deps = { store, newId: randomId, log: () => {} };

    const counts = await sampleVisits(deps, new Date(NIGHT), actor);

    expect(counts).toMatchObject({ visits: 4, sampled: 2 });
    expect((await queue()).map((item) => item.repEmail)).toContain(newcomer);
    expect((await sampleOfToday())?.visitIds).toContain(missed.id);
  });
});

describe('POST /v1/qc/{visitId}/verdict', () => {
  it('takes a judged visit off the queue and records the verdict', async () => {
    await aDayOfVisits([2]);
    await ranAt(api, 'qc-sample', NIGHT);
    const [item] = await queue();

    const response = await verdict(item!.visitId, {
      verdict: 'verified',
      note: 'Called the owner',
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ qc: { verdict: 'verified', by: qc, at: NIGHT } });
    expect(await queue()).toEqual([]);
    const history = await api.store.listLeadEvents(item!.visit.leadId!);
    expect(history.at(-1)).toMatchObject({
      type: 'visit.verdict',
      actor: qc,
      subject: item!.repEmail,
      before: { verdict: null },
      after: { verdict: 'verified' },
      data: { visitId: item!.visitId, note: 'Called the owner' },
    });
  });

  it('flags the rep of a fabricated visit to the managers and deletes nothing', async () => {
    const { reps, visits } = await aDayOfVisits([3]);
    await ranAt(api, 'qc-sample', NIGHT);
    const [item] = await queue();

    await verdict(item!.visitId, { verdict: 'fabricated', note: 'The owner never met anyone' });

    const members = await api.http.get('/v1/members').set(as(ADMIN)).set(at(NIGHT));
    const flagged = members.body.items.find((m: { email: string }) => m.email === reps[0]);
    expect(flagged).toMatchObject({ fabricatedVisits: 1 });
    const kept = await api.http
      .get('/v1/visits')
      .query({ date: TODAY })
      .set(as(ADMIN))
      .set(at(NIGHT));
    expect(kept.body.items.map((visit: Visit) => visit.id).sort()).toEqual(
      visits.map((visit) => visit.id).sort(),
    );
    expect(await api.store.getLead(item!.visit.leadId!)).toMatchObject({ ownerEmail: reps[0] });
  });

  it('answers 409 for a visit that was not sampled', async () => {
    const { visits } = await aDayOfVisits([1]);

    const response = await verdict(visits[0]!.id, { verdict: 'verified' });

    expect(response.status).toBe(409);
    expect((response.body as ErrorBody).error.code).toBe('INVALID_TRANSITION');
  });

  it('answers 404 for a visit that does not exist', async () => {
    const response = await verdict('NOSUCHVISIT0', { verdict: 'verified' });

    expect(response.status).toBe(404);
  });

  it('answers 400 for a verdict QC does not give', async () => {
    const response = await verdict('NOSUCHVISIT0', { verdict: 'suspicious' });

    expect(response.status).toBe(400);
  });
});

describe('GET /v1/qc/queue a page at a time', () => {
  /** Every visit of two days queued: two reps on the first, one of them again the next. */
  async function twoQueuedDays(): Promise<Visit[]> {
    await setPolicy(api, { qcSampleRate: 1 });
    const { reps, visits } = await aDayOfVisits([4, 3]);
    await ranAt(api, 'qc-sample', NIGHT);

    const lead = await addLead(api, { ownerEmail: reps[0]! });
    for (let index = 0; index < 3; index += 1) {
      visits.push((await visited(api, reps[0]!, { leadId: lead.id }, hoursAfter(NOW, 25))).visit);
    }
    await ranAt(api, 'qc-sample', hoursAfter(NIGHT, 24));

    return visits;
  }

  const oldestDayFirst = (visits: readonly Visit[]) =>
    [...visits]
      .sort((a, b) => a.day.localeCompare(b.day) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((visit) => visit.id);

  const page = (limit: number) => (cursor: string | undefined) =>
    api.http
      .get('/v1/qc/queue')
      .query({ limit, ...(cursor === undefined ? {} : { cursor }) })
      .set(as(qc))
      .set(at(hoursAfter(NIGHT, 25)));

  it('pages through a queue longer than the limit, each visit once, oldest day first', async () => {
    const visits = await twoQueuedDays();

    const pages = await pagesOf<QueueItem>(page(4));

    expect(pages.map((items) => items.length)).toEqual([4, 4, 2]);
    expect(pages.flat().map((item) => item.visitId)).toEqual(oldestDayFirst(visits));
  });

  it('keeps its place when QC judges a visit between two pages', async () => {
    const visits = await twoQueuedDays();
    const first = await page(4)(undefined);
    const judged = await verdict(first.body.items[0].visitId, { verdict: 'verified' });
    expect(judged.status).toBe(200);

    const rest = await pagesOf<QueueItem>((cursor) => page(4)(cursor ?? first.body.nextCursor));

    expect(rest.flat().map((item) => item.visitId)).toEqual(oldestDayFirst(visits).slice(4));
  });

  it.each([
    ['text that is no cursor', 'not-a-cursor'],
    ['an empty cursor', ''],
    ['a cursor of the pool', encodeCursor({ createdAt: NOW, id: 'L1' })],
    ['a cursor of the visit list', encodeCursor({ at: NOW, id: 'V1' })],
    ['a position with a day that is no date', encodeCursor({ day: 'yesterday', id: 'V1' })],
  ])('answers 400 with the error envelope for %s', async (_name, cursor) => {
    const response = await api.http
      .get('/v1/qc/queue')
      .query({ cursor })
      .set(as(qc))
      .set(at(NIGHT));

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { issues: [{ path: 'cursor' }] },
    });
  });
});

describe('who may work the QC queue', () => {
  it.each(['rep', 'manager', 'admin'] as const)(
    'refuses a %s the queue and the verdict with 403',
    async (role) => {
      const { visits } = await aDayOfVisits([1]);
      await ranAt(api, 'qc-sample', NIGHT);
      const who = role === 'admin' ? ADMIN : await addMember(api, { role });

      const answers = [
        await api.http.get('/v1/qc/queue').set(as(who)).set(at(NIGHT)),
        await verdict(visits[0]!.id, { verdict: 'verified' }, who),
      ];

      expect(answers.map((answer) => answer.status)).toEqual([403, 403]);
      expect(answers.map((answer) => (answer.body as ErrorBody).error.code)).toEqual([
        'FORBIDDEN',
        'FORBIDDEN',
      ]);
      expect(await queue()).toHaveLength(1);
    },
  );
});
