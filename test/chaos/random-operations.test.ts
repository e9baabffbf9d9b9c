import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startWorker } from '../concurrency/harness.js';
import {
  OFFICIAL_EMULATOR_HOST,
  openStore,
  readHistory,
  startFirestoreEmulator,
  type FirestoreEmulator,
  type StoreTarget,
} from '../support/store-target.js';
import type { ChaosOrders, WorkerMessage, WorkerReport } from './chaos-worker.js';
import { checkHistory, type Verdict } from './checker.js';
import { SharedClock } from './clock.js';
import { BASE, chaosTeam, seedChaosTeam } from './team.js';

// Several processes, each a function instance with a store of its own, send random
// operations at one SQLite file or one Firestore project; only the store's locks order them.
// The default run is small enough for every `npm test`; `npm run test:chaos` runs a big one.
// CHAOS_SEED fixes every worker's draws; what they land on still depends on how the
// processes interleave.
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

/** The processes of one run and where they send their operations. */
type Setup = { workers: number; target: StoreTarget; clockPath: string };

async function runWorkers({ workers: count, target, clockPath }: Setup): Promise<WorkerReport[]> {
  const workers = Array.from({ length: count }, () => startWorker<WorkerMessage>(WORKER));
  try {
    workers.forEach((worker, n) => {
      const orders: ChaosOrders = {
        type: 'orders',
        name: `worker-${n + 1}`,
        target,
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

function summary(workers: number, { reports, verdict, ms }: Run): string {
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
    `chaos: ${workers} workers, seeds ${reports.map((r) => r.seed).join(' ')}, ` +
      `${STEP_MINUTES} min a step, ${(ms / 1000).toFixed(1)} s`,
    `  operations: ${attempted} attempted, ${outcomes.committed ?? 0} committed, ` +
      `${reports.reduce((total, report) => total + report.retries, 0)} retried with their key`,
    `  outcomes: ${JSON.stringify(outcomes)}`,
    `  events: ${verdict.events} ${JSON.stringify(verdict.counts)}`,
    `  violations: ${verdict.steps.length} during, ${verdict.end.length} at the end`,
  ].join('\n');
}

/**
 * One run: the team seeded, the workers let loose on `target`, then the history replayed.
 * `target` is called once the run starts, so a variant that is skipped starts nothing.
 */
function describeChaos(
  title: string,
  workers: number,
  target: (dir: string) => Promise<StoreTarget>,
) {
  describe(title, () => {
    let dir: string | undefined;
    let run: Run;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'leadpool-chaos-'));
      const seed = chaosTeam();
      const setup: Setup = { workers, target: await target(dir), clockPath: join(dir, 'clock.db') };
      const store = await openStore(setup.target);
      await seedChaosTeam(store, seed);
      await store.close();
      SharedClock.create(setup.clockPath);

      const started = performance.now();
      const reports = await runWorkers(setup);
      const ms = performance.now() - started;

      const { events, leads, members } = await readHistory(setup.target);
      run = { reports, verdict: checkHistory(seed, events, { leads, members }), ms };
      console.info(summary(workers, run));
    }, WALL_MS + 60_000);
    afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

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
}

describeChaos(
  `${WORKERS} processes sending ${OPERATIONS} random operations each to one SQLite file`,
  WORKERS,
  async (dir) => ({ kind: 'sqlite', path: join(dir, 'leadpool.db') }),
);

// The official emulator locks what a transaction reads, as Firestore does, so the same race
// runs there. The substitute does not, so racing processes would lose updates by design;
// one process at a time still shows the Firestore adapter keeping every rule and the
// history reading back in commit order.
let emulator: FirestoreEmulator | null = null;
const firestoreProject = async () => (emulator ??= await startFirestoreEmulator()).emptyProject();
afterAll(() => emulator?.stop());

describe.skipIf(!OFFICIAL_EMULATOR_HOST)(
  'on Firestore (needs the official emulator: the substitute has no transaction isolation)',
  () => {
    describeChaos(
      `${WORKERS} processes sending ${OPERATIONS} random operations each to one project`,
      WORKERS,
      firestoreProject,
    );
  },
);

describe.skipIf(!!OFFICIAL_EMULATOR_HOST)(
  'on the substitute Firestore emulator (skipped where the official one runs the race)',
  () => {
    describeChaos(
      `one process sending ${OPERATIONS} random operations to one project`,
      1,
      firestoreProject,
    );
  },
);
