import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Actor } from '../../functions/src/app/actor.js';
import { randomId } from '../../functions/src/app/ids.js';
import { createLead } from '../../functions/src/app/leads.js';
import { NewLeadSchema } from '../../functions/src/domain/lead.js';
import { newMember } from '../../functions/src/domain/member.js';
import type { Store } from '../../functions/src/store/port.js';
import type { StoreTarget } from '../support/store-target.js';
import type { Claim, ClaimOutcome, WorkerMessage, WorkerOrders } from './claim-worker.js';
import {
  closeDatabase,
  openDatabase,
  ownedCounts,
  RACING_STORES,
  stopEmulator,
  type Database,
  type StoreKind,
} from './harness.js';

// Each process is a separate instance with its own connection, as Cloud Functions would
// run them; the in-process queue of one SqliteStore cannot serialise across them, so only
// the store's own locks stand between two claims of the same lead: SQLite's write lock, or
// the locks a Firestore transaction takes on what it reads.
const WORKER = fileURLToPath(new URL('./claim-worker.ts', import.meta.url));
const NOW = new Date('2026-03-02T01:00:00Z');
const MANAGER = 'mei@example.com';

type Team = Database & { leadIds: string[] };

/** A fresh database with a manager, the given reps and `leads` pool leads. */
async function openTeam(
  kind: StoreKind,
  reps: { email: string; capacity?: number }[],
  leads: number,
): Promise<Team> {
  const database = await openDatabase(kind, 'race');
  const { store } = database;
  const manager = newMember({ email: MANAGER, name: 'Mei', role: 'manager' }, NOW);

  await store.transaction(async (tx) => {
    tx.saveMember(manager);
    for (const { email, capacity } of reps) {
      tx.saveMember(newMember({ email, name: email.split('@')[0]!, role: 'rep', capacity }, NOW));
    }
  });

  const actor: Actor = { member: manager, relayedBy: null, requestId: null, now: NOW };
  const leadIds: string[] = [];
  for (let n = 1; n <= leads; n++) {
    const fields = NewLeadSchema.parse({ company: `Star Harbour Trading ${n}` });
    const created = await store.transaction(async (tx) =>
      createLead(tx, actor, await tx.getPolicy(), fields, randomId),
    );
    if (!created.ok) throw new Error(created.violation.message);

    leadIds.push(created.value.id);
  }

  return { ...database, leadIds };
}

/** Resolves with the worker's next message of `type`; a failure or an early exit rejects. */
function expectMessage<T extends WorkerMessage['type']>(
  worker: ChildProcess,
  type: T,
): Promise<Extract<WorkerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'failed') reject(new Error(message.error));
      if (message.type !== type) return;

      worker.off('close', onClose);
      worker.off('message', onMessage);
      resolve(message as Extract<WorkerMessage, { type: T }>);
    };
    // 'close' rather than 'exit': it comes after the last message has been read.
    const onClose = (code: number | null) =>
      reject(new Error(`A claim worker exited with ${code} before sending ${type}`));
    worker.on('message', onMessage);
    worker.once('close', onClose);
  });
}

/**
 * One process per batch. Every process opens its store and waits; only when all are
 * ready are they told to go, so their claims overlap instead of running one after another.
 */
async function race(target: StoreTarget, batches: Claim[][]): Promise<ClaimOutcome[]> {
  const workers = batches.map(() => fork(WORKER, { execArgv: ['--import', 'tsx'] }));
  const closed = workers.map((worker) => new Promise((resolve) => worker.once('close', resolve)));
  try {
    const ready = workers.map((worker) => expectMessage(worker, 'ready'));
    workers.forEach((worker, index) => {
      const orders: WorkerOrders = {
        type: 'orders',
        target,
        now: NOW.toISOString(),
        claims: batches[index]!,
      };
      worker.send(orders);
    });
    await Promise.all(ready);

    const results = workers.map((worker) => expectMessage(worker, 'results'));
    for (const worker of workers) worker.send({ type: 'go' });

    const outcomes = (await Promise.all(results)).flatMap((message) => message.outcomes);
    await Promise.all(closed);

    return outcomes;
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
  }
}

function inBatches<T>(items: T[], count: number): T[][] {
  return Array.from({ length: count }, (_, batch) => items.filter((_, i) => i % count === batch));
}

function tally(outcomes: ClaimOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;

  return counts;
}

/** Each member's claims today beside the successful claims the workers reported. */
async function claimCounts(store: Store, outcomes: ClaimOutcome[]) {
  const members = await store.listMembers();
  const stored = Object.fromEntries(members.map((m) => [m.email, m.claimsOnDay]));
  const succeeded = Object.fromEntries(members.map((m) => [m.email, 0]));
  for (const { email, outcome } of outcomes) {
    if (outcome === 'claimed') succeeded[email]! += 1;
  }

  return { stored, succeeded };
}

/** Per lead: how many `lead.claimed` events it has, and how many it should have. */
async function claimHistory(store: Store, leadIds: string[]) {
  const recorded: Record<string, number> = {};
  const expected: Record<string, number> = {};
  for (const id of leadIds) {
    const events = await store.listLeadEvents(id);
    recorded[id] = events.filter((event) => event.type === 'lead.claimed').length;
    expected[id] = (await store.getLead(id))?.status === 'owned' ? 1 : 0;
  }

  return { recorded, expected };
}

afterAll(stopEmulator);

for (const { kind, title, skip } of RACING_STORES) {
  describe.skipIf(skip)(title, () => {
    describe('50 reps in 5 processes claiming the same pool lead at once', () => {
      const reps = Array.from({ length: 50 }, (_, n) => ({ email: `rep-${n + 1}@example.com` }));
      let team: Team;
      let outcomes: ClaimOutcome[];

      beforeAll(async () => {
        team = await openTeam(kind, reps, 1);
        const claims = reps.map(({ email }) => ({ email, leadId: team.leadIds[0]! }));

        outcomes = await race(team.target, inBatches(claims, 5));
      });
      afterAll(() => closeDatabase(team));

      it('lets exactly one rep win and refuses the other 49 with LEAD_NOT_IN_POOL', () => {
        expect(tally(outcomes)).toEqual({ claimed: 1, LEAD_NOT_IN_POOL: 49 });
      });

      it('gives the lead to the rep who won', async () => {
        const winner = outcomes.find(({ outcome }) => outcome === 'claimed')?.email;

        const lead = await team.store.getLead(team.leadIds[0]!);

        expect(lead).toMatchObject({ status: 'owned', ownerEmail: winner });
      });

      it("leaves every member's owned count equal to a recount of the leads they own", async () => {
        const { stored, recounted } = await ownedCounts(team.store);

        expect(stored).toEqual(recounted);
      });

      it('counts a claim today only for the rep who won', async () => {
        const { stored, succeeded } = await claimCounts(team.store, outcomes);

        expect(stored).toEqual(succeeded);
      });

      it('records exactly one lead.claimed event for the lead', async () => {
        const { recorded } = await claimHistory(team.store, team.leadIds);

        expect(Object.values(recorded)).toEqual([1]);
      });
    });

    describe('a rep with capacity 5 claiming 20 pool leads at once from 5 processes', () => {
      const rep = 'ana@example.com';
      let team: Team;
      let outcomes: ClaimOutcome[];

      beforeAll(async () => {
        team = await openTeam(kind, [{ email: rep, capacity: 5 }], 20);
        const claims = team.leadIds.map((leadId) => ({ email: rep, leadId }));

        outcomes = await race(team.target, inBatches(claims, 5));
      });
      afterAll(() => closeDatabase(team));

      it('lets exactly 5 claims through and refuses the other 15 with CAPACITY_EXCEEDED', () => {
        expect(tally(outcomes)).toEqual({ claimed: 5, CAPACITY_EXCEEDED: 15 });
      });

      it('leaves the owned count equal to a recount of the leads the rep owns', async () => {
        const { stored, recounted } = await ownedCounts(team.store);

        expect(stored).toEqual(recounted);
        expect(stored[rep]).toBe(5);
      });

      it('counts the 5 successful claims, and not the refused ones, toward today', async () => {
        const { stored, succeeded } = await claimCounts(team.store, outcomes);

        expect(stored).toEqual(succeeded);
      });

      it('records one lead.claimed event for each owned lead and none for the others', async () => {
        const { recorded, expected } = await claimHistory(team.store, team.leadIds);

        expect(recorded).toEqual(expected);
      });
    });
  });
}
