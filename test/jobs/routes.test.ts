import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Role } from '../../functions/src/domain/member.js';
import type { JobRun } from '../../functions/src/store/port.js';
import { ADMIN, as, SCHEDULER, startTestApi, type TestApi } from '../support/api-server.js';
import { TEST_AUDIENCE } from '../support/id-tokens.js';
import {
  NOW,
  addLead,
  addMember,
  addRep,
  at,
  hoursAfter,
  type ErrorBody,
} from '../api/fixtures.js';
import { ranAt, runAt, type RunJob } from './fixtures.js';

const JOBS: RunJob[] = ['reclaim', 'distribute'];

const codeOf = (body: unknown) => (body as ErrorBody).error.code;

describe('in dev auth mode', () => {
  // The ledger is team-wide, so each test gets a team of its own.
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => api.close());

  /** The Authorization header of a new member of `role`, or of ADMIN or the scheduler. */
  async function callerOf(who: Role | 'scheduler'): Promise<string> {
    if (who === 'scheduler') return as(SCHEDULER).Authorization;
    if (who === 'admin') return as(ADMIN).Authorization;

    return as(await addMember(api, { role: who })).Authorization;
  }

  describe('who may run a job', () => {
    const CALLERS = [
      { name: 'an admin', who: 'admin', status: 200 },
      { name: 'the scheduler', who: 'scheduler', status: 200 },
      { name: 'a manager', who: 'manager', status: 403 },
      { name: 'a rep', who: 'rep', status: 403 },
      { name: 'a qc', who: 'qc', status: 403 },
    ] as const;

    const CASES = JOBS.flatMap((job) =>
      CALLERS.map(({ name, who, status }) => {
        return [`${job} by ${name} answers ${status}`, { job, who, status }] as const;
      }),
    );

    it.each(CASES)('%s', async (_name, { job, who, status }) => {
      const response = await runAt(api, job, NOW, { authorization: await callerOf(who) });

      expect(response.status).toBe(status);
      if (status === 403) expect(codeOf(response.body)).toBe('FORBIDDEN');
      expect(await api.store.listJobRuns(10)).toHaveLength(status === 200 ? 1 : 0);
    });

    it.each([
      ['the scheduler', { who: 'scheduler', trigger: 'scheduler', triggeredBy: SCHEDULER }],
      ['an admin', { who: 'admin', trigger: 'admin', triggeredBy: ADMIN }],
    ] as const)('records a run started by %s with its trigger', async (_name, row) => {
      await runAt(api, 'reclaim', NOW, { authorization: await callerOf(row.who) });

      const [run] = await api.store.listJobRuns(10);
      expect(run).toMatchObject({ trigger: row.trigger, triggeredBy: row.triggeredBy });
    });
  });

  describe('the scheduler', () => {
    it('runs a job without becoming a member', async () => {
      await runAt(api, 'distribute', NOW, { authorization: as(SCHEDULER).Authorization });

      expect(await api.store.getMember(SCHEDULER)).toBeNull();
    });

    it.each([
      ['GET /v1/me'],
      ['GET /v1/jobs/runs'],
      ['GET /v1/members'],
      ['GET /v1/pool'],
      ['PUT /v1/policy'],
      ['POST /v1/leads'],
    ])('is refused on %s with 403', async (route) => {
      const [method, path] = route.split(' ') as [string, string];
      const verb = method.toLowerCase() as 'get' | 'put' | 'post';
      const pending = api.http[verb](path).set(as(SCHEDULER)).set(at(NOW));

      const response = verb === 'get' ? await pending : await pending.send({ company: 'Co' });

      expect(response.status).toBe(403);
      expect(codeOf(response.body)).toBe('FORBIDDEN');
    });
  });

  describe('the request', () => {
    it.each([
      ['no body', undefined],
      ['an empty object', {}],
    ])('runs a job sent %s', async (_name, body) => {
      const pending = api.http.post('/v1/jobs/reclaim').set(as(ADMIN)).set(at(NOW));

      const response = body === undefined ? await pending : await pending.send(body);

      expect(response.status).toBe(200);
    });

    it.each([
      ['an unknown field', { force: true }],
      ['a list', []],
    ])('refuses a body with %s with 400 and runs nothing', async (_name, body) => {
      const response = await api.http
        .post('/v1/jobs/reclaim')
        .set(as(ADMIN))
        .set(at(NOW))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));

      expect(response.status).toBe(400);
      expect(codeOf(response.body)).toBe('INVALID_REQUEST');
      expect(await api.store.listJobRuns(10)).toEqual([]);
    });

    it('answers a retry of one firing from its first run, marked as replayed', async () => {
      const firing = { authorization: as(SCHEDULER).Authorization, scheduleTime: NOW };
      const first = await runAt(api, 'reclaim', NOW, firing);

      const retry = await runAt(api, 'reclaim', hoursAfter(NOW, 0.1), firing);

      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await api.store.listJobRuns(10)).toHaveLength(1);
    });

    it('runs each firing of the scheduler once', async () => {
      const scheduler = as(SCHEDULER).Authorization;
      await runAt(api, 'reclaim', NOW, { authorization: scheduler, scheduleTime: NOW });

      const next = await runAt(api, 'reclaim', hoursAfter(NOW, 0.1), {
        authorization: scheduler,
        scheduleTime: hoursAfter(NOW, 0.1),
      });

      expect(next.headers['idempotent-replayed']).toBeUndefined();
      expect(await api.store.listJobRuns(10)).toHaveLength(2);
    });

    it('runs a job whose schedule time header is not a time, without dedupe', async () => {
      const firing = { authorization: as(SCHEDULER).Authorization, scheduleTime: 'yesterday' };
      await runAt(api, 'reclaim', NOW, firing);

      const again = await runAt(api, 'reclaim', NOW, firing);

      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(await api.store.listJobRuns(10)).toHaveLength(2);
    });
  });

  describe('reading the runs', () => {
    /** Three runs an hour apart: reclaim, distribute (dealing two leads to a rep), reclaim. */
    async function threeRuns(): Promise<JobRun[]> {
      await addRep(api);
      await addLead(api);
      await addLead(api);

      return [
        await ranAt(api, 'reclaim', NOW),
        await ranAt(api, 'distribute', hoursAfter(NOW, 1)),
        await ranAt(api, 'reclaim', hoursAfter(NOW, 2)),
      ];
    }

    it.each([
      ['a manager', 'manager'],
      ['an admin', 'admin'],
    ] as const)('shows %s the runs newest first, with their counts', async (_name, role) => {
      const runs = await threeRuns();

      const response = await api.http
        .get('/v1/jobs/runs')
        .set('Authorization', await callerOf(role));

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [...runs].reverse(), nextCursor: null });
      expect((response.body as { items: JobRun[] }).items[1]?.counts).toEqual({
        reps: 1,
        planned: 2,
        dealt: 2,
        skipped: 0,
      });
    });

    it('answers no more runs than the limit asks for, the newest', async () => {
      const runs = await threeRuns();

      const response = await api.http.get('/v1/jobs/runs?limit=2').set(as(ADMIN));

      expect((response.body as { items: JobRun[] }).items.map((run) => run.id)).toEqual([
        runs[2]!.id,
        runs[1]!.id,
      ]);
    });

    it.each([['limit=0'], ['limit=201'], ['limit=ten'], ['job=reclaim']])(
      'refuses %s with 400',
      async (query) => {
        const response = await api.http.get(`/v1/jobs/runs?${query}`).set(as(ADMIN));

        expect(response.status).toBe(400);
        expect(codeOf(response.body)).toBe('INVALID_REQUEST');
      },
    );
  });
});

describe('in google auth mode', () => {
  let google: TestApi;
  beforeAll(async () => {
    google = await startTestApi({ auth: 'google' });
  });
  afterAll(async () => google.close());

  const schedulerToken = () => ({
    Authorization: `Bearer ${google.signer.sign({ email: SCHEDULER, aud: TEST_AUDIENCE })}`,
  });

  it.each(JOBS)('accepts the scheduler’s signed token on POST /v1/jobs/%s', async (job) => {
    const response = await google.http.post(`/v1/jobs/${job}`).set(schedulerToken());

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ job, trigger: 'scheduler', triggeredBy: SCHEDULER });
  });

  it('refuses the scheduler’s signed token on a member route with 403', async () => {
    const response = await google.http.get('/v1/me').set(schedulerToken());

    expect(response.status).toBe(403);
  });
});
