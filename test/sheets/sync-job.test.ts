import { auth as googleAuth } from '@googleapis/sheets';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { randomId } from '../../functions/src/app/ids.js';
import { runJob, type RunDeps, type RunnableJob } from '../../functions/src/jobs/run.js';
import type { LogFields, Severity } from '../../functions/src/log.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import { at } from '../api/fixtures.js';
import { FakeSheetsServer } from './fake-sheets-server.js';
import { NOW, SPREADSHEET_ID, aTeamDay, seed } from './fixtures.js';

let fake: FakeSheetsServer;
beforeAll(async () => {
  fake = await FakeSheetsServer.start();
});
afterAll(async () => fake.close());

type LogLine = { severity: Severity; message: string } & LogFields;

let store: SqliteStore;
let logs: LogLine[];
let deps: RunDeps;
beforeEach(async () => {
  fake.received.length = 0;
  fake.create(SPREADSHEET_ID);
  store = new SqliteStore(':memory:');
  await seed(store, { ...aTeamDay(), policy: { spreadsheetId: SPREADSHEET_ID } });
  logs = [];

  const auth = new googleAuth.OAuth2();
  auth.setCredentials({ access_token: fake.accessToken });
  deps = {
    store,
    newId: randomId,
    log: (severity, message, fields = {}) => logs.push({ severity, message, ...fields }),
    sheets: { rootUrl: fake.rootUrl, auth, sleep: async () => {}, random: () => 0 },
  };
});
afterEach(async () => store.close());

const run = (job: RunnableJob) =>
  runJob(deps, { job, trigger: 'admin', triggeredBy: ADMIN, scheduleTime: null, now: NOW });

/** The ledger as job name, status and who started the run, by job name. */
async function ledger() {
  const runs = await store.listJobRuns(10);

  return runs
    .map(({ job, status, triggeredBy }) => ({ job, status, triggeredBy }))
    .sort((a, b) => (a.job === 'sheet-sync' ? 1 : 0) - (b.job === 'sheet-sync' ? 1 : 0));
}

describe('the sheet-sync job', () => {
  it('records the counts of the sync it ran', async () => {
    const { run: synced } = await run('sheet-sync');

    expect(synced).toMatchObject({
      job: 'sheet-sync',
      status: 'done',
      counts: { configured: 1, tabs: 7, requests: 1, setUp: 1 },
    });
  });

  it('fails its run, with the last answer, when the Sheets API keeps failing', async () => {
    fake.failNext(5, 503);

    const { run: failed } = await run('sheet-sync');

    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Sheets API batchUpdate answered 503 \(tries: 5\)/);
  });
});

describe.each(['reclaim', 'distribute'] as const)('after %s', (job) => {
  it('syncs the sheet as a run of its own', async () => {
    await run(job);

    expect(await ledger()).toEqual([
      { job, status: 'done', triggeredBy: ADMIN },
      { job: 'sheet-sync', status: 'done', triggeredBy: `job:${job}` },
    ]);
    expect(fake.count('batch')).toBe(1);
  });

  it('still succeeds when the sync after it fails, which the log and the ledger say', async () => {
    fake.failNext(5, 500);

    const { run: ran, fresh } = await run(job);

    expect({ status: ran.status, fresh }).toEqual({ status: 'done', fresh: true });
    expect(await ledger()).toEqual([
      { job, status: 'done', triggeredBy: ADMIN },
      { job: 'sheet-sync', status: 'failed', triggeredBy: `job:${job}` },
    ]);
    expect(logs).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', message: 'job failed', job: 'sheet-sync' }),
    );
  });

  it('does not sync when the policy names no spreadsheet', async () => {
    await seed(store, { policy: { spreadsheetId: null } });

    await run(job);

    expect((await ledger()).map((entry) => entry.job)).toEqual([job]);
    expect(fake.count()).toBe(0);
  });
});

describe('over HTTP', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.close());

  it('answers a sheet-sync run that did nothing while no spreadsheet is configured', async () => {
    const response = await api.http
      .post('/v1/jobs/sheet-sync')
      .set(as(ADMIN))
      .set(at(NOW.toISOString()))
      .send({});

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      job: 'sheet-sync',
      status: 'done',
      counts: { configured: 0, requests: 0 },
    });
  });

  it('takes a spreadsheet id into the policy, and null to stop syncing', async () => {
    const named = await api.http
      .put('/v1/policy')
      .set(as(ADMIN))
      .send({ spreadsheetId: SPREADSHEET_ID });
    const cleared = await api.http.put('/v1/policy').set(as(ADMIN)).send({ spreadsheetId: null });

    expect(named.body).toMatchObject({ spreadsheetId: SPREADSHEET_ID });
    expect(cleared.body).toMatchObject({ spreadsheetId: null });
  });

  it("refuses the spreadsheet's URL where its id belongs", async () => {
    const response = await api.http
      .put('/v1/policy')
      .set(as(ADMIN))
      .send({ spreadsheetId: `https://docs.google.com/spreadsheets/d/${SPREADSHEET_ID}/edit` });

    expect(response.status).toBe(400);
  });
});
