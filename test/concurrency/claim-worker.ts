/**
 * One function instance in a claim race: a process with a store of its own on the shared
 * target, a SQLite file or a Firestore project. It opens the store, says it is ready, and on
 * "go" fires all its claims at once through the same service code a request runs, then
 * reports how each one ended.
 */
import type { Actor } from '../../functions/src/app/actor.js';
import {
  execute,
  idempotencyClaim,
  violationReply,
  type Reply,
} from '../../functions/src/app/execute.js';
import { randomId } from '../../functions/src/app/ids.js';
import { claimLead } from '../../functions/src/app/leads.js';
import type { Store } from '../../functions/src/store/port.js';
import { openStore, type StoreTarget } from '../support/store-target.js';

export type Claim = { email: string; leadId: string };

export type WorkerOrders = { type: 'orders'; target: StoreTarget; now: string; claims: Claim[] };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'results'; outcomes: ClaimOutcome[] }
  | { type: 'failed'; error: string };

/** 'claimed', the violation code of a refusal, or 'error: …' for anything else. */
export type ClaimOutcome = Claim & { outcome: string };

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

function nextMessage<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (message) => resolve(message as T)));
}

function outcomeOf(reply: Reply): string {
  if (reply.status === 200) return 'claimed';

  return (reply.body as { error?: { code?: string } }).error?.code ?? `status ${reply.status}`;
}

async function claim(store: Store, actor: Actor, leadId: string): Promise<string> {
  const path = `/v1/leads/${leadId}/claim`;
  const key = idempotencyClaim(actor.member.email, randomId(), 'POST', path, '{}');
  const reply = await execute(store, key, actor.now, async (tx) => {
    const policy = await tx.getPolicy();
    const decision = await claimLead(tx, actor, policy, leadId, [], randomId);

    return decision.ok ? { status: 200, body: decision.value } : violationReply(decision.violation);
  });

  return outcomeOf(reply);
}

async function main(): Promise<void> {
  const orders = await nextMessage<WorkerOrders>();
  const store = await openStore(orders.target);
  const now = new Date(orders.now);
  const actors = new Map<string, Actor>();
  for (const { email } of orders.claims) {
    const member = await store.getMember(email);
    if (!member) throw new Error(`${email} is not a member`);

    actors.set(email, { member, relayedBy: null, requestId: null, now });
  }

  // Listening before saying ready, so a "go" sent at once is not missed.
  const go = nextMessage<{ type: 'go' }>();
  await send({ type: 'ready' });
  await go;

  const outcomes = await Promise.all(
    orders.claims.map(async (order) => ({
      ...order,
      outcome: await claim(store, actors.get(order.email)!, order.leadId).catch(
        (error: unknown) => `error: ${error}`,
      ),
    })),
  );

  await store.close();
  await send({ type: 'results', outcomes });
  process.disconnect();
}

main().catch(async (error: unknown) => {
  await send({
    type: 'failed',
    error: error instanceof Error ? (error.stack ?? '') : String(error),
  });
  process.exit(1);
});
