import { execute, idempotencyClaim, violationReply, type Reply } from '../app/execute.js';
import type { Decision } from '../domain/violations.js';
import type { StoreTransaction } from '../store/port.js';
import { ApiError } from './errors.js';
import type { ApiResponse } from './request.js';
import type { RouteContext } from './router.js';

const MAX_KEY_LENGTH = 200;

/**
 * Runs a command in one transaction, replaying the first answer for a repeated
 * Idempotency-Key. The work answers a Reply; `decided` turns a rule's decision into one.
 */
export async function mutate(
  context: RouteContext,
  work: (tx: StoreTransaction) => Promise<Reply>,
): Promise<ApiResponse> {
  const { request, deps, actor } = context;
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (key.length === 0 || key.length > MAX_KEY_LENGTH)) {
    throw new ApiError(
      'INVALID_REQUEST',
      `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`,
    );
  }

  const claim = key
    ? idempotencyClaim(
        actor.member.email,
        key,
        request.method,
        request.path,
        request.rawBody?.toString('utf8') ?? '',
      )
    : null;
  const reply = await execute(deps.store, claim, actor.now, work);

  return {
    status: reply.status,
    body: reply.body,
    headers: reply.replayed ? { 'Idempotent-Replayed': 'true' } : {},
  };
}

export function decided<T>(
  decision: Decision<T>,
  status: number,
  body: (value: T) => unknown,
): Reply {
  return decision.ok ? { status, body: body(decision.value) } : violationReply(decision.violation);
}
