import { createHash } from 'node:crypto';

import { ApiError, errorBody, statusOf } from '../api/errors.js';
import type { Violation } from '../domain/violations.js';
import type { Store, StoreTransaction } from '../store/port.js';

export type Reply = { status: number; body: unknown };

export type IdempotencyClaim = { id: string; requestHash: string };

const REPLAY_DAYS = 7;

/** Keys are scoped to the caller, so two members can never collide on one key. */
export function idempotencyClaim(
  callerEmail: string,
  key: string,
  method: string,
  path: string,
  rawBody: string,
): IdempotencyClaim {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  return {
    id: sha(`${callerEmail}\n${key}`),
    requestHash: sha(`${method} ${path}\n${rawBody}`),
  };
}

export function violationReply(violation: Violation): Reply {
  return {
    status: statusOf(violation.code),
    body: errorBody(violation.code, violation.message, violation.details),
  };
}

/**
 * Runs one command in one transaction. With an idempotency key, the first answer is saved
 * in the same transaction as the effect, so a retry either sees both or neither; a rule
 * violation's answer is saved too, as that is the answer the caller was given.
 */
export async function execute(
  store: Store,
  idempotency: IdempotencyClaim | null,
  now: Date,
  work: (tx: StoreTransaction) => Promise<Reply>,
): Promise<Reply & { replayed: boolean }> {
  return store.transaction(async (tx) => {
    if (idempotency) {
      const stored = await tx.getIdempotency(idempotency.id);
      // An expired record is forgotten: the key may be used afresh.
      const prior = stored && new Date(stored.expiresAt) > now ? stored : null;
      if (prior && prior.requestHash !== idempotency.requestHash) {
        throw new ApiError(
          'IDEMPOTENCY_MISMATCH',
          'This Idempotency-Key was already used for a different request',
        );
      }

      if (prior) return { status: prior.status, body: JSON.parse(prior.body), replayed: true };
    }

    const reply = await work(tx);

    if (idempotency) {
      tx.saveIdempotency({
        id: idempotency.id,
        requestHash: idempotency.requestHash,
        status: reply.status,
        body: JSON.stringify(reply.body),
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + REPLAY_DAYS * 86_400_000).toISOString(),
      });
    }

    return { ...reply, replayed: false };
  });
}
