/**
 * A morning rush: 50 reps claim pool leads at the same moment. The full service path (API
 * function, zod body validation, idempotency, claim rule, SQLite store) is measured against
 * a bare transaction doing the same reads and writes, round by round, on fresh databases.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Actor } from '../functions/src/app/actor.js';
import { randomId } from '../functions/src/app/ids.js';
import { importLeads } from '../functions/src/app/leads.js';
import { NewLeadSchema } from '../functions/src/domain/lead.js';
import { capacityOf, newMember } from '../functions/src/domain/member.js';
import { teamDay } from '../functions/src/domain/time.js';
import { SqliteStore } from '../functions/src/store/sqlite.js';
import type { ParentMessage, RushMode, RushOrders, WorkerMessage } from './claim-rush-worker.js';
import { median, round, type BenchReport } from './metrics.js';

const WORKER = fileURLToPath(new URL('./claim-rush-worker.ts', import.meta.url));
const PROCESSES = 5;
const REPS = 50;
const CLAIMS_PER_REP = 10;
const ROUNDS = 20;
const NOW = new Date('2026-03-02T01:00:00Z');
const MANAGER = 'mei@example.com';

type Reply<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;

type Worker = {
  process: ChildProcess;
  next<T extends WorkerMessage['type']>(type: T): Promise<Reply<T>>;
};

/** A worker process whose messages are taken in order; its death fails whoever waits. */
function startWorker(): Worker {
  const child = fork(WORKER, { execArgv: ['--import', 'tsx'] });
  const inbox: WorkerMessage[] = [];
  const waiting: { resolve(message: WorkerMessage): void; reject(error: Error): void }[] = [];
  let exit: Error | null = null;

  child.on('message', (message: WorkerMessage) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(message);
    else inbox.push(message);
  });
  // 'close' rather than 'exit': it comes after the last message has been read.
  child.on('close', (code) => {
    exit = new Error(`A claim rush worker exited with ${code}`);
    for (const waiter of waiting.splice(0)) waiter.reject(exit);
  });

  return {
    process: child,
    async next<T extends WorkerMessage['type']>(type: T): Promise<Reply<T>> {
      const message =
        inbox.shift() ??
        (await new Promise<WorkerMessage>((resolve, reject) =>
          exit ? reject(exit) : waiting.push({ resolve, reject }),
        ));
      if (message.type !== type) {
        throw new Error(`A worker sent ${message.type} where ${type} was expected`);
      }

      return message as Reply<T>;
    },
  };
}

type Team = { store: SqliteStore; reps: { email: string; leadIds: string[] }[] };

/** A fresh database: 50 reps and, for each, the pool leads that rep will claim. */
async function seedTeam(dbPath: string): Promise<Team> {
  const store = new SqliteStore(dbPath);
  const manager = newMember({ email: MANAGER, name: 'Mei', role: 'manager' }, NOW);
  const emails = Array.from({ length: REPS }, (_, n) => `rep-${n + 1}@example.com`);

  await store.transaction(async (tx) => {
    tx.saveMember(manager);
    for (const email of emails) tx.saveMember(newMember({ email, name: email, role: 'rep' }, NOW));
  });

  const actor: Actor = { member: manager, relayedBy: null, requestId: null, now: NOW };
  const rows = Array.from({ length: REPS * CLAIMS_PER_REP }, (_, row) => ({
    row,
    fields: NewLeadSchema.parse({ company: `Star Harbour Trading ${row + 1}` }),
  }));
  const outcomes = await store.transaction(async (tx) =>
    importLeads(tx, actor, await tx.getPolicy(), rows, randomId),
  );
  const leadIds = outcomes.map((outcome) => {
    if (outcome.outcome !== 'created') throw new Error(`Seeding refused row ${outcome.row}`);

    return outcome.leadId;
  });

  return {
    store,
    reps: emails.map((email, n) => ({
      email,
      leadIds: leadIds.slice(n * CLAIMS_PER_REP, (n + 1) * CLAIMS_PER_REP),
    })),
  };
}

/**
 * Breaches of the pool's invariants found by recounting after the rush: an owned count that
 * disagrees with the leads owned, a rep over capacity, a lead claimed by two reps, a lead
 * owned without its claim on record (or the reverse), and claims committed but not held.
 */
async function countViolations(team: Team, committed: number): Promise<number> {
  const { store } = team;
  const policy = await store.getPolicy();
  let breaches = 0;
  let ownedTotal = 0;

  for (const member of await store.listMembers()) {
    const owned = (await store.listOwnedLeads(member.email)).length;
    ownedTotal += owned;
    if (owned !== member.ownedCount) breaches += 1;
    if (owned > capacityOf(member, policy)) breaches += 1;
  }

  for (const leadId of team.reps.flatMap((rep) => rep.leadIds)) {
    const claims = (await store.listLeadEvents(leadId)).filter((e) => e.type === 'lead.claimed');
    const owned = (await store.getLead(leadId))?.status === 'owned';
    if (new Set(claims.map((claim) => claim.subject)).size > 1) breaches += 1;
    if (owned !== (claims.length === 1)) breaches += 1;
  }

  if (ownedTotal !== committed) breaches += 1;

  return breaches;
}

type RushResult = { perSecond: number; violations: number };

async function rushOnce(workers: Worker[], mode: RushMode, dbPath: string): Promise<RushResult> {
  const team = await seedTeam(dbPath);
  try {
    const day = teamDay(NOW, (await team.store.getPolicy()).timeZone);
    workers.forEach((worker, index) => {
      const orders: RushOrders = {
        type: 'rush',
        mode,
        dbPath,
        now: NOW.toISOString(),
        day,
        reps: team.reps.filter((_, rep) => rep % workers.length === index),
      };
      worker.process.send(orders satisfies ParentMessage);
    });
    await Promise.all(workers.map((worker) => worker.next('ready')));

    const started = performance.now();
    for (const worker of workers) worker.process.send({ type: 'go' } satisfies ParentMessage);
    const tallies = await Promise.all(workers.map((worker) => worker.next('done')));
    const seconds = (performance.now() - started) / 1000;

    // Every claim is of a distinct pool lead within capacity, so anything but a commit
    // means the setup or the code under test is broken, and the rate would mean nothing.
    const committed = tallies.reduce((sum, tally) => sum + tally.committed, 0);
    const lost = tallies.flatMap((tally) => [...Object.keys(tally.refused), ...tally.failed]);
    if (lost.length > 0) {
      throw new Error(`${mode} claims were not committed: ${[...new Set(lost)].join('; ')}`);
    }

    return {
      perSecond: committed / seconds,
      violations: await countViolations(team, committed),
    };
  } finally {
    await team.store.close();
  }
}

export async function claimRush(): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-bench-rush-'));
  const workers = Array.from({ length: PROCESSES }, startWorker);
  try {
    const ratios: number[] = [];
    const rates: Record<RushMode, number[]> = { service: [], raw: [] };
    let violations = 0;

    // Round 0 warms up the workers' code paths and is not counted. Each round runs both
    // sides; the order alternates so neither always gets the warmer page cache.
    for (let n = 0; n <= ROUNDS; n++) {
      const order: RushMode[] = n % 2 === 0 ? ['service', 'raw'] : ['raw', 'service'];
      const results = {} as Record<RushMode, RushResult>;
      for (const mode of order) {
        results[mode] = await rushOnce(workers, mode, join(dir, `${n}-${mode}.db`));
      }

      if (results.raw.violations > 0) {
        throw new Error('The bare transaction broke an invariant, so the benchmark is wrong');
      }
      if (n === 0) continue;

      ratios.push(results.service.perSecond / results.raw.perSecond);
      rates.service.push(results.service.perSecond);
      rates.raw.push(results.raw.perSecond);
      violations += results.service.violations;
    }

    const claims = REPS * CLAIMS_PER_REP;

    return {
      metrics: [
        {
          name: 'claim.rush.vs_raw_tx',
          value: round(median(ratios), 3),
          goal: { op: '>=', target: 0.5 },
        },
        { name: 'claim.rush.violations', value: violations, goal: { op: '=', target: 0 } },
        {
          name: 'claim.rush.service_claims_per_s',
          value: round(median(rates.service), 0),
          goal: null,
        },
        { name: 'claim.rush.raw_tx_claims_per_s', value: round(median(rates.raw), 0), goal: null },
      ],
      notes: [
        `${REPS} reps each claim ${CLAIMS_PER_REP} distinct pool leads in turn, all reps at ` +
          `once: ${claims} claims a round on a fresh database, ${ROUNDS} rounds a side. The ` +
          'ratio is the median over rounds of committed claims/s, service over bare transaction.',
        'The service side is the API function without HTTP: routing, dev-mode auth and its ' +
          'member read, zod body validation, idempotency, the claim rule, the answer view.',
        `Concurrency is ${PROCESSES} processes on one SQLite file, ` +
          `${REPS / PROCESSES} reps each. ` +
          'One SqliteStore is one connection and runs its transactions one at a time, so ' +
          'within a process the reps queue; across processes they contend for the write lock.',
      ],
    };
  } finally {
    for (const worker of workers) {
      if (worker.process.connected) worker.process.send({ type: 'stop' } satisfies ParentMessage);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
