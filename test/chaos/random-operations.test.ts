import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { StoredEventSchema } from '../../functions/src/domain/events.js';
import { LeadSchema } from '../../functions/src/domain/lead.js';
import { MemberSchema } from '../../functions/src/domain/member.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { startWorker } from '../concurrency/harness.js';
import type { ChaosOrders, WorkerMessage, WorkerReport } from './chaos-worker.js';
import { checkHistory, type Verdict } from './checker.js';
import { SharedClock } from './clock.js';
import { BASE, chaosTeam, seedChaosTeam } from './team.js';

// Several processes, each a function instance with its own connection, send random
// operations at one SQLite file; only SQLite's write lock orders them. The default run is
// small enough for every `npm test`; `npm run test:chaos` runs a big one. CHAOS_SEED fixes
// every worker's draws; what they land on still depends on how the processes interleave.
const WORKER = fileURLToPath(new URL('./chaos-worker.ts', import.meta.url));
const WORKERS = Number(process.env.CHAOS_WORKERS ?? 4);
const OPERATIONS = Number(process.env.CHAOS_OPS ?? 150);
const WALL_MS = Number(process.env.CHAOS_MS ?? 20_000);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000_007);

/**
 * How far the clock moves per operation on average. A team day is then about 120
 * operations, so even the default run spans a week: follow-up and deal deadlines, cooldowns,
 * daily limits and team days all come and go, and leads nobody attends to fall overdue.
 */
const STEP_MINUTES = 12;

type Run = { reports: WorkerReport[]; verdict: Verdict; ms: number };

async function runWorkers(dbPath: string, clockPath: string): Promise<WorkerReport[]> {
  const workers = Array.from({ length: WORKERS }, () => startWorker<WorkerMessage>(WORKER));
  try {
    workers.forEach((worker, n) => {
      const orders: ChaosOrders = {
        type: 'orders',
        name: `worker-${n + 1}`,
        dbPath,
        clockPath,
        base: BASE.toISOString(),
        seed: SEED + n,
        operations: OPERATIONS,
        wallMs: WALL_MS,
        stepMinutes: STEP_MINUTES,
      };
      worker.process.send(orders);
    });
    await Promise.all(workers.map((worker) => worker.next('ready')));

    // Every worker has opened its store before any starts, so their operations overlap.
    for (const worker of workers) worker.process.send({ type: 'go' });
    const reports = await Promise.all(workers.map((worker) => worker.next('report')));
    await Promise.all(workers.map((worker) => worker.closed));

    return reports.map((message) => message.report);
  } finally {
    for (const worker of workers) if (worker.process.exitCode === null) worker.process.kill();
  }
}

/**
 * The history in commit order, and the documents as they ended. Commit order is rowid order:
 * each insert takes the next rowid, and SQLite's write lock lets one transaction insert at a
 * time. The events' `at` is not that order: a request is stamped before it waits for the
 * lock, and a job stamps every transaction of its run with the time the run started.
 */
function readBack(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const docs = (sql: string) =>
      db
        .prepare<[], { doc: string }>(sql)
        .all()
        .map((row) => JSON.parse(row.doc) as unknown);

    return {
      events: docs('SELECT doc FROM events ORDER BY rowid').map((doc) =>
        StoredEventSchema.parse(doc),
      ),
      leads: docs('SELECT doc FROM leads').map((doc) => LeadSchema.parse(doc)),
      members: docs('SELECT doc FROM members').map((doc) => MemberSchema.parse(doc)),
    };
  } finally {
    db.close();
  }
}

function summary({ reports, verdict, ms }: Run): string {
  const outcomes: Record<string, number> = {};
  for (const report of reports) {
    for (const byOutcome of Object.values(report.outcomes)) {
      for (const [outcome, count] of Object.entries(byOutcome)) {
        outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
      }
    }
  }
  const attempted = reports.reduce((total, report) => total + report.attempted, 0);

  return [
    `chaos: ${WORKERS} workers, seeds ${reports.map((r) => r.seed).join(' ')}, ` +
      `${STEP_MINUTES} min a step, ${(ms / 1000).toFixed(1)} s`,
    `  operations: ${attempted} attempted, ${outcomes.committed ?? 0} committed, ` +
      `${reports.reduce((total, report) => total + report.retries, 0)} retried with their key`,
    `  outcomes: ${JSON.stringify(outcomes)}`,
    `  events: ${verdict.events} ${JSON.stringify(verdict.counts)}`,
    `  violations: ${verdict.steps.length} during, ${verdict.end.length} at the end`,
  ].join('\n');
}

describe(`${WORKERS} processes sending ${OPERATIONS} random operations each to one file`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-chaos-'));
  const dbPath = join(dir, 'leadpool.db');
  const clockPath = join(dir, 'clock.db');
  let run: Run;

  beforeAll(async () => {
    const seed = chaosTeam();
    const store = new SqliteStore(dbPath);
    await seedChaosTeam(store, seed);
    SharedClock.create(clockPath);

    const started = performance.now();
    const reports = await runWorkers(dbPath, clockPath);
    const ms = performance.now() - started;

    const { events, leads, members } = readBack(dbPath);
    await store.close();
    run = { reports, verdict: checkHistory(seed, events, { leads, members }), ms };
    console.info(summary(run));
  }, WALL_MS + 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every rule at every step of the history', () => {
    expect(run.verdict.steps, `seed ${SEED}`).toEqual([]);
  });

  it('ends with the leads, owned counts and cooldowns the history adds up to', () => {
    expect(run.verdict.end, `seed ${SEED}`).toEqual([]);
  });

  it('answers every operation or refuses it by a rule, and replays every repeated key', () => {
    expect(run.reports.flatMap((report) => report.faults)).toEqual([]);
    expect(run.reports.map((report) => report.faultCount)).toEqual(run.reports.map(() => 0));
  });

  // A run that never claimed, swapped or reclaimed would prove nothing about them.
  it('claims, swaps, releases, reclaims and deals leads along the way', () => {
    const { counts } = run.verdict;

    expect(counts['lead.claimed']).toBeGreaterThan(0);
    expect(counts.swaps).toBeGreaterThan(0);
    expect(counts['lead.released']).toBeGreaterThan(0);
    expect(counts['lead.reclaimed']).toBeGreaterThan(0);
    expect(counts['lead.distributed']).toBeGreaterThan(0);
  });
});
