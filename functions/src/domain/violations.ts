/** Every way a command can break a rule of the pool. The HTTP edge maps each to a status. */
export const VIOLATION_CODES = [
  'LEAD_NOT_IN_POOL',
  'CAPACITY_EXCEEDED',
  'COOLDOWN_ACTIVE',
  'DAILY_CLAIM_LIMIT',
  'NOT_OWNER',
  'INVALID_TRANSITION',
  'DUPLICATE_LEAD',
] as const;

export type ViolationCode = (typeof VIOLATION_CODES)[number];

export type Violation = {
  code: ViolationCode;
  message: string;
  details?: Record<string, unknown>;
};

export type Decision<T> = { ok: true; value: T } | { ok: false; violation: Violation };

export function allow<T>(value: T): Decision<T> {
  return { ok: true, value };
}

export function refuse<T = never>(
  code: ViolationCode,
  message: string,
  details?: Record<string, unknown>,
): Decision<T> {
  return { ok: false, violation: details ? { code, message, details } : { code, message } };
}
