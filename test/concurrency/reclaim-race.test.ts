import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { StoredEvent } from '../../functions/src/domain/events.js';
import type { Lead } from '../../functions/src/domain/lead.js';
import type { JobRun } from '../../functions/src/store/port.js';
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
  type Database,
  type SeedLead,
  type StoreKind,
} from './harness.js';
import type {
  FollowUp,
  FollowUpOutcome,
  ParentMessage,
  WorkerMessage,
  WorkerOrders,
} from './reclaim-worker.js';

// Owners log follow-ups and the reclaim job runs in separate processes with separate
// connections, as separate function instances would; only the store's locks (SQLite's write
// lock, or what a Firestore transaction locks by reading it) order a follow-up against the
// reclaim of the same lead. Both use the same `now`, at which every seeded lead is overdue,
// so whichever commits first decides the lead's fate.
const WORKER = fileURLToPath(new URL('./reclaim-worker.ts', import.meta.url));
const NOW = new Date('2026-03-02T01:00:00Z');
const OWNERS = Array.from({ length: 4 }, (_, n) => `owner-${n + 1}@example.com`);
const RECEIVERS = ['ana@example.com', 'bo@example.com'];
const LEADS_PER_OWNER = 30;

/**
 * Every lead's follow-up deadline passed between one and two hours before NOW, each half a
 * minute apart so the job takes them in a known order; no deal deadline is near, so a
 * follow-up alone makes a lead safe from reclaim.
 */
function overdueLeads(): SeedLead[] {
  return OWNERS.flatMap((ownerEmail, owner) =>
    Array.from({ length: LEADS_PER_OWNER }, (_, n) => {
      const index = owner * LEADS_PER_OWNER + n;

      return {
        id: `L${String(index).padStart(4, '0')}`,
        ownerEmail,
        assignedHoursBefore: 74 - index / 120,
      };
    }),
  );
}

/** A fixed shuffle, so a failing run can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }

  return result;
}

type RaceResult = { outcomes: FollowUpOutcome[]; runs: JobRun[] };

/**
 * Starts every worker, waits until all have opened the store, then tells all to go at
 * once. The first follow-up worker takes the leads the job takes last; the others take
 * them in shuffled orders, so the two sides meet at different leads in different processes.
 */
async function race(target: StoreTarget, leads: SeedLead[], followers: number, reclaimers: number) {
  const byDueLast = [...leads].reverse();
  const followUpOrders: WorkerOrders[] = Array.from({ length: followers }, (_, n) => ({
    type: 'orders',
    role: 'follow-up',
    target,
    now: NOW.toISOString(),
    pauseMs: 1,
    followUps: (n === 0 ? byDueLast : shuffled(leads, n)).map(({ id, ownerEmail }): FollowUp => ({
      leadId: id,
      email: ownerEmail,
    })),
  }));
  const reclaimOrders: WorkerOrders[] = Array.from({ length: reclaimers }, () => ({
    type: 'orders',
    role: 'reclaim',
    target,
    now: NOW.toISOString(),
    reportCommits: false,
  }));
  const orders = [...followUpOrders, ...reclaimOrders];
  const workers = orders.map(() => startWorker<WorkerMessage>(WORKER));
  try {
    workers.forEach((worker, n) => worker.process.send(orders[n]! satisfies ParentMessage));
    await Promise.all(workers.map((worker) => worker.next('ready')));

    for (const worker of workers) worker.process.send({ type: 'go' } satisfies ParentMessage);
    const followed = workers.slice(0, followers).map((worker) => worker.next('followed-up'));
    const reclaimed = workers.slice(followers).map((worker) => worker.next('reclaimed'));
    const result: RaceResult = {
      outcomes: (await Promise.all(followed)).flatMap((message) => message.outcomes),
      runs: (await Promise.all(reclaimed)).map((message) => message.run),
    };
    await Promise.all(workers.map((worker) => worker.closed));

    return result;
  } finally {
    for (const worker of workers) if (worker.process.exitCode === null) worker.process.kill();
  }
}

/**
 * What became of one lead, read from its history and the workers' reports: 'kept' (its
 * owner's follow-ups committed, it was never reclaimed and is still theirs), 'reclaimed'
 * (reclaimed once, every follow-up refused with NOT_OWNER, and it now lies where the
 * reclaim event says), or a sentence saying how it is neither.
 */
function fateOf(
  seeded: SeedLead,
  lead: Lead | null,
  events: StoredEvent[],
  attempts: FollowUpOutcome[],
): string {
  const original = seeded.ownerEmail;
  const followUps = events.filter((event) => event.type === 'lead.followed_up');
  const reclaims = events.filter((event) => event.type === 'lead.reclaimed');
  const committed = attempts.filter((attempt) => attempt.outcome === 'followed_up').length;
  const refused = attempts.filter((attempt) => attempt.outcome === 'NOT_OWNER').length;

  if (committed + refused !== attempts.length) {
    return `follow-ups ended ${attempts.map((attempt) => attempt.outcome)}`;
  }
  if (followUps.length !== committed || followUps.some((event) => event.subject !== original)) {
    return `${followUps.length} follow-ups on record where ${committed} by ${original} committed`;
  }
  if (reclaims.length === 0) {
    if (committed === 0) return 'neither followed up nor reclaimed, though overdue';
    if (lead?.status !== 'owned' || lead.ownerEmail !== original) {
      return `followed up but now ${lead?.status} by ${lead?.ownerEmail}`;
    }

    return 'kept';
  }

  if (reclaims.length > 1) return `reclaimed ${reclaims.length} times`;
  if (committed > 0) return 'a committed follow-up and a reclaim in the same run';

  const { from, to } = reclaims[0]!.data as { from: string; to: string | null };
  if (from !== original || to === original) return `reclaimed from ${from} to ${to}`;
  if (lead?.ownerEmail !== to || lead.status !== (to ? 'owned' : 'pool')) {
    return `reclaimed to ${to} but now ${lead?.status} by ${lead?.ownerEmail}`;
  }
  if (!lead.cooldowns[original]) return `reclaimed without a cooldown for ${original}`;

  return 'reclaimed';
}

type Scenario = { name: string; followers: number; reclaimers: number; split: string };

/** `split` says what the fates should add up to: some of each, or every lead reclaimed. */
const scenarios: Scenario[] = [
  {
    name: 'owners following up from 2 processes while 1 process reclaims',
    followers: 2,
    reclaimers: 1,
    split: 'keeps some leads and reclaims the others, so the two sides really met',
  },
  {
    name: 'owners following up from 2 processes while 2 processes reclaim',
    followers: 2,
    reclaimers: 2,
    split: 'keeps some leads and reclaims the others, so the two sides really met',
  },
  {
    name: '2 processes reclaiming the same overdue leads at once',
    followers: 0,
    reclaimers: 2,
    split: 'reclaims every lead, each by one process or the other',
  },
];

/**
 * Each scenario races twice on fresh data. Which side wins each lead is up to the store's
 * locks; once in a while one side wins them all for the whole job, so two rounds make it
 * all but certain that some follow-ups and some reclaims meet.
 */
const ROUNDS = 2;

type Round = { database: Database; result: RaceResult; fates: Map<string, string> };

/** One scenario raced on a fresh target of `kind` each round. */
function describeRace(kind: StoreKind, { name, followers, reclaimers, split }: Scenario) {
  describe(name, () => {
    const leads = overdueLeads();
    const leadIds = leads.map((lead) => lead.id);
    const rounds: Round[] = [];
    const allFates = () => rounds.flatMap((round) => [...round.fates.values()]);

    beforeAll(async () => {
      for (let n = 0; n < ROUNDS; n++) {
        const database = await openDatabase(kind, 'reclaim-race');
        const reps = [
          ...OWNERS.map((email) => ({ email })),
          ...RECEIVERS.map((email) => ({ email, capacity: 10 })),
        ];
        await seedTeam(database.store, reps, leads, NOW);

        const result = await race(database.target, leads, followers, reclaimers);

        const fates = new Map<string, string>();
        for (const seeded of leads) {
          const attempts = result.outcomes.filter((attempt) => attempt.leadId === seeded.id);
          const lead = await database.store.getLead(seeded.id);
          const events = await database.store.listLeadEvents(seeded.id);
          fates.set(seeded.id, fateOf(seeded, lead, events, attempts));
        }
        rounds.push({ database, result, fates });
      }
    });
    afterAll(async () => {
      for (const { database } of rounds) await closeDatabase(database);
    });

    it('ends every lead kept by its follow-ups or reclaimed exactly once, never both', () => {
      const broken = rounds.flatMap(({ fates }) =>
        [...fates].filter(([, fate]) => fate !== 'kept' && fate !== 'reclaimed'),
      );

      expect(broken).toEqual([]);
    });

    it(split, () => {
      const kept = allFates().filter((fate) => fate === 'kept').length;
      const reclaimed = allFates().filter((fate) => fate === 'reclaimed').length;

      if (followers === 0) {
        expect(reclaimed).toBe(leads.length * ROUNDS);
      } else {
        expect(kept).toBeGreaterThan(0);
        expect(reclaimed).toBeGreaterThan(0);
      }
    });

    it('counts in the job runs exactly the reclaims on record', () => {
      for (const { result, fates } of rounds) {
        const reclaimed = [...fates.values()].filter((fate) => fate === 'reclaimed').length;

        const counted = result.runs.reduce(
          (sum, run) => sum + run.counts.reassigned! + run.counts.pooled!,
          0,
        );

        expect(result.runs.map((run) => run.status)).toEqual(Array(reclaimers).fill('done'));
        expect(counted).toBe(reclaimed);
      }
    });

    it("leaves every member's owned count equal to a recount of the leads they own", async () => {
      for (const { database } of rounds) {
        const { stored, recounted } = await ownedCounts(database.store);

        expect(stored).toEqual(recounted);
      }
    });

    it('leaves every lead with exactly one owner or in the pool', async () => {
      for (const { database } of rounds) {
        expect(await ownershipBreaches(database.store, leadIds)).toEqual([]);
      }
    });
  });
}

afterAll(stopEmulator);

for (const { kind, title, skip } of RACING_STORES) {
  describe.skipIf(skip)(title, () => {
    for (const scenario of scenarios) describeRace(kind, scenario);
  });
}
