import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { randomId } from '../../functions/src/app/ids.js';
import { recordRun, type JobDeps, type JobStart } from '../../functions/src/jobs/ledger.js';
import type { JobRun } from '../../functions/src/store/port.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { ADMIN, as, SCHEDULER, startTestApi, type TestApi } from '../support/api-server.js';
import type { LogLine } from '../support/api-server.js';
import { NOW } from '../api/fixtures.js';
import { runAt } from './fixtures.js';

const MINUTE_MS = 60_000;

const minutesAfter = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) + minutes * MINUTE_MS).toISOString();

/** A run of `job` the ledger holds as still going, started at `startedAt`. */
function runningRun(fields: Partial<JobRun> & Pick<JobRun, 'startedAt'>): JobRun {
  return {
    id: randomId(),
    job: 'reclaim',
    trigger: 'scheduler',
    triggeredBy: SCHEDULER,
    scheduleTime: null,
    day: null,
    status: 'running',
    endedAt: null,
    counts: {},
    error: null,
    ...fields,
  };
}

describe('recordRun', () => {
  let dir: string;
  let store: SqliteStore;
  let logs: LogLine[];
  let deps: JobDeps;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leadpool-ledger-'));
    store = new SqliteStore(join(dir, 'leadpool.db'));
    logs = [];
    deps = {
      store,
      newId: randomId,
      log: (severity, message, fields = {}) => logs.push({ severity, message, ...fields }),
    };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (now = NOW): JobStart => ({
    job: 'reclaim',
    trigger: 'admin',
    triggeredBy: ADMIN,
    scheduleTime: null,
    day: null,
    now: new Date(now),
  });

  it('saves the run as running before the work starts', async () => {
    // Read inside the work, asserted after: recordRun turns a throw in the work into a failure.
    let seen: JobRun[] = [];

    const run = await recordRun(deps, start(), async () => {
      seen = await store.findJobRuns({ job: 'reclaim' });
      return {};
    });

    expect(seen).toEqual([{ ...run, status: 'running', endedAt: null, counts: {} }]);
  });

  it('records a run that finishes as done, with its counts', async () => {
    const run = await recordRun(deps, start(), async () => ({ overdue: 2, pooled: 2 }));

    expect(run).toMatchObject({ status: 'done', counts: { overdue: 2, pooled: 2 }, error: null });
    expect(await store.listJobRuns(10)).toEqual([run]);
  });

  it('records a run whose work throws as failed, with the error', async () => {
    const run = await recordRun(deps, start(), async () => {
      throw new Error('The pool could not be read');
    });

    expect(run).toMatchObject({ status: 'failed', error: 'The pool could not be read' });
    expect(run.endedAt).not.toBeNull();
    expect(await store.listJobRuns(10)).toEqual([run]);
  });

  it('logs the stack of a failed run as one ERROR line naming the run', async () => {
    const run = await recordRun(deps, start(), async () => {
      throw new Error('The pool could not be read');
    });

    expect(logs.filter((line) => line.severity === 'ERROR')).toEqual([
      expect.objectContaining({
        message: 'job failed',
        job: 'reclaim',
        runId: run.id,
        error: expect.stringContaining('Error: The pool could not be read\n    at '),
      }),
    ]);
  });

  it.each([
    ['marks a run left running for 11 minutes interrupted', { minutes: 11, status: 'interrupted' }],
    [
      'marks a run left running for exactly 10 minutes interrupted',
      { minutes: 10, status: 'interrupted' },
    ],
    ['leaves a run started 9 minutes ago running', { minutes: 9, status: 'running' }],
  ] as const)('%s when the next run of its job starts', async (_name, row) => {
    const stale = runningRun({ startedAt: NOW });
    await store.saveJobRun(stale);
    const next = minutesAfter(NOW, row.minutes);

    await recordRun(deps, start(next), async () => ({}));

    expect(await store.findJobRuns({ job: 'reclaim', status: row.status })).toEqual([
      expect.objectContaining({ id: stale.id }),
    ]);
  });

  it('records when an interrupted run was found to be over', async () => {
    const stale = runningRun({ startedAt: NOW });
    await store.saveJobRun(stale);
    const next = minutesAfter(NOW, 45);

    await recordRun(deps, start(next), async () => ({}));

    const [earlier] = await store.findJobRuns({ job: 'reclaim', status: 'interrupted' });
    expect(earlier).toEqual({ ...stale, status: 'interrupted', endedAt: next });
  });

  it('leaves a running run of another job alone', async () => {
    const other = runningRun({ job: 'distribute', startedAt: NOW });
    await store.saveJobRun(other);

    await recordRun(deps, start(minutesAfter(NOW, 60)), async () => ({}));

    expect(await store.findJobRuns({ job: 'distribute' })).toEqual([other]);
  });
});

describe('a failed run over HTTP', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => api.close());

  const firing = () => ({ authorization: as(SCHEDULER).Authorization, scheduleTime: NOW });

  function failNextReclaim(): void {
    vi.spyOn(api.store, 'listOverdueLeads').mockRejectedValueOnce(
      new Error('The overdue leads could not be read'),
    );
  }

  it('answers 500 with the failed run, so Cloud Scheduler retries', async () => {
    failNextReclaim();

    const response = await runAt(api, 'reclaim', NOW, firing());

    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({
      job: 'reclaim',
      status: 'failed',
      error: 'The overdue leads could not be read',
    });
  });

  it('runs the firing again when the scheduler retries it', async () => {
    failNextReclaim();
    const failed = await runAt(api, 'reclaim', NOW, firing());

    const retry = await runAt(api, 'reclaim', minutesAfter(NOW, 1), firing());

    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect((retry.body as JobRun).id).not.toBe((failed.body as JobRun).id);
    expect((retry.body as JobRun).status).toBe('done');
  });

  it('runs the firing again when its earlier run was killed half-way', async () => {
    const killed = runningRun({ scheduleTime: NOW, startedAt: NOW });
    await api.store.saveJobRun(killed);

    const retry = await runAt(api, 'reclaim', minutesAfter(NOW, 31), firing());

    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect((retry.body as JobRun).status).toBe('done');
    expect(await api.store.findJobRuns({ job: 'reclaim', status: 'interrupted' })).toEqual([
      expect.objectContaining({ id: killed.id }),
    ]);
  });
});
