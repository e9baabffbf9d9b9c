/**
 * One function instance beside the reclaim job: a process with a store of its own on the
 * shared target, a SQLite file or a Firestore project. As a follow-up worker it logs
 * follow-ups as the reps who own the leads, through the same service code a request runs;
 * as a reclaim worker it runs the reclaim job. Either way it opens the store, says it is
 * ready, and starts on "go".
 */
import { setTimeout } from 'node:timers/promises';

import type { Actor } from '../../functions/src/app/actor.js';
import {
  execute,
  idempotencyClaim,
  violationReply,
  type Reply,
} from '../../functions/src/app/execute.js';
import { randomId } from '../../functions/src/app/ids.js';
import { followUpLead } from '../../functions/src/app/leads.js';
import { runJob } from '../../functions/src/jobs/run.js';
import { silentLogger } from '../../functions/src/log.js';
import type { JobRun, Store, StoreTransaction } from '../../functions/src/store/port.js';
import { openStore, type StoreTarget } from '../support/store-target.js';

export type FollowUp = { email: string; leadId: string };

/** 'followed_up', the violation code of a refusal, or 'error: …' for anything else. */
export type FollowUpOutcome = FollowUp & { outcome: string };

export type WorkerOrders =
  | {
      type: 'orders';
      role: 'follow-up';
      target: StoreTarget;
      now: string;
      followUps: FollowUp[];
      /** The pause between one follow-up's answer and the next request. */
      pauseMs: number;
    }
  | {
      type: 'orders';
      role: 'reclaim';
      target: StoreTarget;
      now: string;
      reportCommits: boolean;
    };

export type ParentMessage = WorkerOrders | { type: 'go' };

export type WorkerMessage =
  | { type: 'ready' }
  /** Sent after each transaction commits, when the orders ask for it. */
  | { type: 'committed' }
  | { type: 'followed-up'; outcomes: FollowUpOutcome[] }
  | { type: 'reclaimed'; run: JobRun }
  | { type: 'failed'; error: string };

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

function nextMessage<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (message) => resolve(message as T)));
}

/**
 * Makes `store` tell the parent about every commit as soon as it happens, so the parent can
 * kill this process a chosen number of commits into the job. The report is not awaited: the
 * job runs on at its own pace, and the kill lands wherever it happens to be. A transaction
 * the store retried is reported once, when it finally commits.
 */
function reportingCommits(store: Store): Store {
  const transaction = store.transaction.bind(store);
  store.transaction = async <T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> => {
    const result = await transaction(work);
    process.send!({ type: 'committed' } satisfies WorkerMessage);

    return result;
  };

  return store;
}

function outcomeOf(reply: Reply): string {
  if (reply.status === 201) return 'followed_up';

  return (reply.body as { error?: { code?: string } }).error?.code ?? `status ${reply.status}`;
}

async function followUp(store: Store, actor: Actor, leadId: string): Promise<string> {
  const path = `/v1/leads/${leadId}/follow-ups`;
  const body = '{"channel":"call","note":"Agreed to meet next week"}';
  const key = idempotencyClaim(actor.member.email, randomId(), 'POST', path, body);
  const reply = await execute(store, key, actor.now, async (tx) => {
    const policy = await tx.getPolicy();
    const decision = await followUpLead(
      tx,
      actor,
      policy,
      leadId,
      { channel: 'call', note: 'Agreed to meet next week' },
      randomId,
    );

    return decision.ok ? { status: 201, body: decision.value } : violationReply(decision.violation);
  });

  return outcomeOf(reply);
}

async function followUps(
  store: Store,
  orders: Extract<WorkerOrders, { role: 'follow-up' }>,
  go: Promise<unknown>,
): Promise<void> {
  const now = new Date(orders.now);
  const actors = new Map<string, Actor>();
  for (const { email } of orders.followUps) {
    const member = await store.getMember(email);
    if (!member) throw new Error(`${email} is not a member`);

    actors.set(email, { member, relayedBy: null, requestId: null, now });
  }

  await send({ type: 'ready' });
  await go;

  // One request after another with a pause between, as a rep works through a list: fired
  // all at once, they would hold SQLite's write lock back to back and the job would only
  // get in once they were all done.
  const outcomes: FollowUpOutcome[] = [];
  for (const order of orders.followUps) {
    const outcome = await followUp(store, actors.get(order.email)!, order.leadId).catch(
      (error: unknown) => `error: ${error}`,
    );
    outcomes.push({ ...order, outcome });
    await setTimeout(orders.pauseMs);
  }

  await store.close();
  await send({ type: 'followed-up', outcomes });
}

async function reclaim(
  store: Store,
  orders: Extract<WorkerOrders, { role: 'reclaim' }>,
  go: Promise<unknown>,
): Promise<void> {
  await send({ type: 'ready' });
  await go;

  const { run } = await runJob(
    { store, newId: randomId, log: silentLogger },
    {
      job: 'reclaim',
      trigger: 'local',
      triggeredBy: `worker-${process.pid}`,
      scheduleTime: null,
      now: new Date(orders.now),
    },
  );

  await store.close();
  await send({ type: 'reclaimed', run });
}

async function main(): Promise<void> {
  const orders = await nextMessage<WorkerOrders>();
  const opened = await openStore(orders.target);
  const reporting = orders.role === 'reclaim' && orders.reportCommits;
  const store = reporting ? reportingCommits(opened) : opened;

  // Listening before saying ready, so a "go" sent at once is not missed.
  const go = nextMessage<{ type: 'go' }>();
  if (orders.role === 'follow-up') await followUps(store, orders, go);
  else await reclaim(store, orders, go);

  process.disconnect();
}

main().catch(async (error: unknown) => {
  await send({
    type: 'failed',
    error: error instanceof Error ? (error.stack ?? '') : String(error),
  });
  process.exit(1);
});
