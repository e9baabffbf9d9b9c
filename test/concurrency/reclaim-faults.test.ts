import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { randomId } from '../../functions/src/app/ids.js';
import { runJob } from '../../functions/src/jobs/run.js';
import { silentLogger } from '../../functions/src/log.js';
import type { Store } from '../../functions/src/store/port.js';
import type { StoreTarget } from '../support/store-target.js';
import {
  closeDatabase,
  openDatabase,
  ownedCounts,
  ownershipBreaches,
  RACING_STORES,
  seedTeam,
  startWorker,
  stopEmulator,
  type SeedLead,
  type SeedRep,
} from './harness.js';
import type { ParentMessage, WorkerMessage } from './reclaim-worker.js';

// The reclaim job runs in a process of its own that is killed with SIGKILL, the way a
// platform ends an instance: no handler runs, and a transaction may be cut off half-way.
// Whatever it left, a rerun at the same moment must finish the job as if nothing had happened.
const WORKER = fileURLToPath(new URL('./reclaim-worker.ts', import.meta.url));
const NOW = new Date('2026-03-02T01:00:00Z');
const ROUNDS = 16;
const FIRST_SEED = 20_260_302;

/** mulberry32: a small seeded generator, so a round can be replayed from its seed alone. */
function generator(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Round = {
  reps: SeedRep[];
  leads: SeedLead[];
  /** The leads overdue at NOW, which the job must take back exactly once each. */
  overdue: Set<string>;
  kills: Kill[];
};

/** After this many commits reported by the job, or this many ms after telling it to go. */
type Kill = { afterCommits: number } | { afterMs: number };

/**
 * One rep holding 30 to 60 overdue leads, another holding leads not yet due, and 1 to 4
 * more reps with a little room: there is seldom room for every overdue lead, so some are
 * reassigned and the rest go back to the pool. One or two kills: a second kill lands on a
 * rerun that is finishing the first one's work.
 */
function roundFor(seed: number): Round {
  const random = generator(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

  const overdueCount = between(30, 60);
  const notDue = between(5, 20);
  const leads: SeedLead[] = Array.from({ length: overdueCount + notDue }, (_, n) => ({
    id: `L${String(n).padStart(3, '0')}`,
    ...(n < overdueCount
      ? { ownerEmail: 'lapsed@example.com', assignedHoursBefore: between(72, 96) }
      : { ownerEmail: 'busy@example.com', assignedHoursBefore: between(24, 48) }),
  }));
  const reps: SeedRep[] = [
    { email: 'lapsed@example.com', capacity: 60 },
    { email: 'busy@example.com', capacity: notDue + between(0, 3) },
    ...Array.from({ length: between(1, 4) }, (_, n) => ({
      email: `rep-${n + 1}@example.com`,
      capacity: between(1, 12),
    })),
  ];

  const kills = Array.from({ length: random() < 0.4 ? 1 : 2 }, (): Kill =>
    random() < 0.5
      ? { afterCommits: between(0, Math.floor(overdueCount * 0.6)) }
      : { afterMs: between(0, 50) },
  );
  const overdue = new Set(leads.slice(0, overdueCount).map((lead) => lead.id));

  return { reps, leads, overdue, kills };
}

/**
 * Runs the job in a worker and kills it as `kill` says. Answers whether the kill landed
 * (the worker may finish first) and how many commits the worker had reported by then.
 */
async function runAndKill(
  target: StoreTarget,
  kill: Kill,
): Promise<{ killed: boolean; commits: number }> {
  const worker = startWorker<WorkerMessage>(WORKER);
  let commits = 0;
  let finished = false;
  try {
    worker.process.send({
      type: 'orders',
      role: 'reclaim',
      target,
      now: NOW.toISOString(),
      reportCommits: true,
    } satisfies ParentMessage);
    await worker.next('ready');

    const killed = new Promise<void>((resolve) => {
      worker.process.on('message', (message: WorkerMessage) => {
        if (message.type === 'committed') commits++;
        if (message.type === 'reclaimed') finished = true;
        if ('afterCommits' in kill && commits > kill.afterCommits) resolve();
      });
      if ('afterMs' in kill) void setTimeout(kill.afterMs).then(() => resolve());
      if ('afterCommits' in kill && kill.afterCommits === 0) resolve();
    });
    worker.process.send({ type: 'go' } satisfies ParentMessage);
    await Promise.race([killed, worker.closed]);
    worker.process.kill('SIGKILL');

    const { signal } = await worker.closed;

    return { killed: signal === 'SIGKILL' && !finished, commits };
  } finally {
    if (worker.process.exitCode === null) worker.process.kill('SIGKILL');
  }
}

/**
 * Breaches of "handled exactly once" over every seeded lead: an overdue lead reclaimed
 * other than once, a lead not due reclaimed at all, and a reclaimed lead whose state
 * disagrees with its event (not where the event sent it, or still with the rep it left).
 */
async function reclaimBreaches(store: Store, round: Round): Promise<string[]> {
  const breaches: string[] = [];
  for (const seeded of round.leads) {
    const events = await store.listLeadEvents(seeded.id);
    const reclaims = events.filter((event) => event.type === 'lead.reclaimed');
    const expected = round.overdue.has(seeded.id) ? 1 : 0;
    if (reclaims.length !== expected) {
      breaches.push(`${seeded.id}: ${reclaims.length} reclaims, expected ${expected}`);
      continue;
    }
    if (expected === 0) continue;

    const lead = await store.getLead(seeded.id);
    const { from, to } = reclaims[0]!.data as { from: string; to: string | null };
    const where = lead?.status === 'owned' ? lead.ownerEmail : lead?.status;
    if (from !== seeded.ownerEmail) breaches.push(`${seeded.id}: reclaimed from ${from}`);
    if (where !== (to ?? 'pool')) breaches.push(`${seeded.id}: sent to ${to}, now ${where}`);
    if (lead?.ownerEmail === seeded.ownerEmail) {
      breaches.push(`${seeded.id}: still owned by ${seeded.ownerEmail}`);
    }
  }

  return breaches;
}

const seeds = Array.from({ length: ROUNDS }, (_, n) => FIRST_SEED + n);

afterAll(stopEmulator);

for (const { kind, title, skip } of RACING_STORES) {
  describe.skipIf(skip)(title, () => {
    describe('the reclaim job killed with SIGKILL at a random point, then run again', () => {
      let kills = 0;
      let finishedByRerun = 0;

      it.each(seeds)('handles every overdue lead exactly once (seed %i)', async (seed) => {
        const round = roundFor(seed);
        const database = await openDatabase(kind, 'reclaim-faults');
        try {
          await seedTeam(database.store, round.reps, round.leads, NOW);

          for (const kill of round.kills) {
            const outcome = await runAndKill(database.target, kill);
            if (outcome.killed) kills++;
          }
          const left = await database.store.listOverdueLeads(NOW.toISOString(), 1000, null);
          finishedByRerun += left.items.length;

          const { run } = await runJob(
            { store: database.store, newId: randomId, log: silentLogger },
            { job: 'reclaim', trigger: 'local', triggeredBy: 'test', scheduleTime: null, now: NOW },
          );

          const context = `seed ${seed}, kills ${JSON.stringify(round.kills)}`;
          expect(run.status, context).toBe('done');
          expect(run.counts.reassigned! + run.counts.pooled!, context).toBe(left.items.length);
          expect(await reclaimBreaches(database.store, round), context).toEqual([]);
          const { stored, recounted } = await ownedCounts(database.store);
          expect(stored, context).toEqual(recounted);
          const leadIds = round.leads.map((lead) => lead.id);
          expect(await ownershipBreaches(database.store, leadIds), context).toEqual([]);
        } finally {
          await closeDatabase(database);
        }
      });

      // The rounds above prove little if the workers mostly finished before their kills, or
      // if every kill landed before a worker had reclaimed anything, or after it was done.
      it('killed the job at least 20 times, leaving work for the reruns', () => {
        expect(kills).toBeGreaterThanOrEqual(20);
        expect(finishedByRerun).toBeGreaterThan(0);
      });
    });
  });
}
