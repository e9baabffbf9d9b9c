/**
 * What the multi-process suites share: a fresh store target with a team written straight
 * into it, worker processes driven over IPC, and the recounts every suite checks afterwards.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { newMember, type Member } from '../../functions/src/domain/member.js';
import { DEFAULT_POLICY } from '../../functions/src/domain/policy.js';
import { takeOwnership } from '../../functions/src/domain/ownership.js';
import { aLead } from '../../functions/src/domain/test-fixtures.js';
import { addHours } from '../../functions/src/domain/time.js';
import type { Store } from '../../functions/src/store/port.js';
import {
  OFFICIAL_EMULATOR_HOST,
  openStore,
  startFirestoreEmulator,
  type FirestoreEmulator,
  type StoreTarget,
} from '../support/store-target.js';

export type StoreKind = StoreTarget['kind'];

/** One store a suite runs on; a variant that cannot run here is skipped with its reason. */
export type StoreVariant = { kind: StoreKind; title: string; skip: boolean };

/**
 * Where suites that race transactions from several processes run: on SQLite always, and on
 * Firestore when the official emulator is there. The substitute has no transaction
 * isolation, so racing transactions on it lose updates by design and no rule could hold.
 */
export const RACING_STORES: readonly StoreVariant[] = [
  { kind: 'sqlite', title: 'on SQLite', skip: false },
  OFFICIAL_EMULATOR_HOST
    ? { kind: 'firestore', title: 'on Firestore', skip: false }
    : {
        kind: 'firestore',
        title:
          'on Firestore (needs the official emulator: the substitute has no transaction isolation)',
        skip: true,
      },
];

/** A fresh target, and a store of the test process's own on it for seeding and reading. */
export type Database = { target: StoreTarget; store: Store; dir: string | null };

// Started with the first Firestore database, so a variant that is skipped starts nothing.
let emulator: Promise<FirestoreEmulator> | null = null;

export async function openDatabase(kind: StoreKind, prefix: string): Promise<Database> {
  if (kind === 'firestore') {
    emulator ??= startFirestoreEmulator();
    const target = (await emulator).emptyProject();

    return { target, store: await openStore(target), dir: null };
  }

  const dir = mkdtempSync(join(tmpdir(), `leadpool-${prefix}-`));
  const target: StoreTarget = { kind: 'sqlite', path: join(dir, 'leadpool.db') };

  return { target, store: await openStore(target), dir };
}

export async function closeDatabase(database: Database | undefined): Promise<void> {
  await database?.store.close();
  if (database?.dir) rmSync(database.dir, { recursive: true, force: true });
}

/** Stops the substitute if a suite started it; the official emulator is not ours to stop. */
export async function stopEmulator(): Promise<void> {
  const started = emulator;
  emulator = null;
  await (await started)?.stop();
}

export type SeedRep = { email: string; capacity?: number };

/** An owned lead to seed: whose it is and how long before `now` they were given it. */
export type SeedLead = { id: string; ownerEmail: string; assignedHoursBefore: number };

/**
 * Reps and their leads written directly, each lead as if its owner had been given it
 * `assignedHoursBefore` hours before `now`, and every owned count matching. The rules are
 * not in the way here: what is seeded is the state the suites start from, not a claim.
 */
export async function seedTeam(
  store: Store,
  reps: readonly SeedRep[],
  leads: readonly SeedLead[],
  now: Date,
): Promise<void> {
  const owned = new Map<string, number>();
  for (const { ownerEmail } of leads) owned.set(ownerEmail, (owned.get(ownerEmail) ?? 0) + 1);

  const members: Member[] = reps.map(({ email, capacity }) => ({
    ...newMember({ email, name: email.split('@')[0]!, role: 'rep', capacity }, now),
    ownedCount: owned.get(email) ?? 0,
  }));

  await store.transaction(async (tx) => {
    for (const member of members) tx.saveMember(member);
    leads.forEach(({ id, ownerEmail, assignedHoursBefore }, n) => {
      const assignedAt = addHours(now, -assignedHoursBefore);
      const pooled = aLead({
        id,
        company: `Star Harbour Trading ${n + 1}`,
        createdAt: addHours(assignedAt, -1).toISOString(),
      });
      tx.saveLead(takeOwnership(pooled, ownerEmail, DEFAULT_POLICY, assignedAt));
    });
  });
}

export type WorkerFailure = { type: 'failed'; error: string };

export type Worker<M extends { type: string }> = {
  process: ChildProcess;
  /** The next message, which must be of `type`; a 'failed' message or an early exit rejects. */
  next<T extends M['type']>(type: T): Promise<Extract<M, { type: T }>>;
  /** Settles once the process has exited and its last message has been read. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * A TypeScript worker in its own process, as a separate function instance would be. Its
 * messages queue in arrival order, so one sent before anyone waits for it is not lost.
 */
export function startWorker<M extends { type: string }>(file: string): Worker<M> {
  const child = fork(file, { execArgv: ['--import', 'tsx'] });
  const inbox: (M | WorkerFailure)[] = [];
  const waiting: { resolve(message: M | WorkerFailure): void; reject(error: Error): void }[] = [];
  let exit: Error | null = null;

  child.on('message', (message: M | WorkerFailure) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(message);
    else inbox.push(message);
  });

  // 'close' rather than 'exit': it comes after the last message has been read.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      exit = new Error(`A worker exited with ${signal ?? code} before it was done`);
      for (const waiter of waiting.splice(0)) waiter.reject(exit);
      resolve({ code, signal });
    });
  });

  return {
    process: child,
    closed,
    async next<T extends M['type']>(type: T): Promise<Extract<M, { type: T }>> {
      const message =
        inbox.shift() ??
        (await new Promise<M | WorkerFailure>((resolve, reject) =>
          exit ? reject(exit) : waiting.push({ resolve, reject }),
        ));
      if (message.type === 'failed') throw new Error((message as WorkerFailure).error);
      if (message.type !== type) {
        throw new Error(`A worker sent ${message.type} where ${type} was expected`);
      }

      return message as Extract<M, { type: T }>;
    },
  };
}

/** Each member's stored owned count beside a count of the leads they actually own. */
export async function ownedCounts(store: Store) {
  const members = await store.listMembers();
  const stored = Object.fromEntries(members.map((m) => [m.email, m.ownedCount]));
  const recounted = Object.fromEntries(
    await Promise.all(
      members.map(async (m) => [m.email, (await store.listOwnedLeads(m.email)).length] as const),
    ),
  );

  return { stored, recounted };
}

/**
 * Leads that break "one owner or the pool": owned without an owner, in the pool with one,
 * or missing from (or listed twice in) their owner's private pool.
 */
export async function ownershipBreaches(
  store: Store,
  leadIds: readonly string[],
): Promise<string[]> {
  const members = await store.listMembers();
  const holders = new Map<string, string[]>();
  for (const member of members) {
    for (const lead of await store.listOwnedLeads(member.email)) {
      holders.set(lead.id, [...(holders.get(lead.id) ?? []), member.email]);
    }
  }

  const breaches: string[] = [];
  for (const id of leadIds) {
    const lead = await store.getLead(id);
    const held = holders.get(id) ?? [];
    const whole =
      lead?.status === 'owned'
        ? held.length === 1 && held[0] === lead.ownerEmail
        : lead?.status === 'pool' && lead.ownerEmail === null && held.length === 0;
    if (!whole) breaches.push(`${id}: ${lead?.status} ${lead?.ownerEmail} held by [${held}]`);
  }

  return breaches;
}
