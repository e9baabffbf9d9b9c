import type { ZodError } from 'zod';

import type { Violation, ViolationCode } from '../domain/violations.js';

export type ErrorCode =
  | ViolationCode
  | 'INVALID_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'IDEMPOTENCY_MISMATCH'
  | 'JOB_RUNNING'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** The one place an error code becomes an HTTP status. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_REQUEST':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'METHOD_NOT_ALLOWED':
      return 405;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'IDEMPOTENCY_MISMATCH':
      return 422;
    case 'INTERNAL':
      return 500;
    case 'UNAVAILABLE':
      return 503;
    case 'LEAD_NOT_IN_POOL':
    case 'CAPACITY_EXCEEDED':
    case 'COOLDOWN_ACTIVE':
    case 'DAILY_CLAIM_LIMIT':
    case 'NOT_OWNER':
    case 'INVALID_TRANSITION':
    case 'DUPLICATE_LEAD':
    case 'JOB_RUNNING':
      return 409;
  }
}

/** A refusal the caller can act on; anything else thrown is a fault and answers a bare 500. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf(this.code);
  }

  static fromViolation(violation: Violation): ApiError {
    return new ApiError(violation.code, violation.message, violation.details);
  }
}

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return { error: details ? { code, message, details } : { code, message } };
}

export type Issue = { path: string; message: string; code: string };

/** Validation issues, each with the dotted path of the field it is about. */
export function issuesOf(error: ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/** A body that could not be read at all: its one issue is about the whole body. */
export function unreadableBody(message: string): ApiError {
  return new ApiError('INVALID_REQUEST', message, {
    issues: [{ path: '', message, code: 'invalid_body' }],
  });
}

export function invalidRequest(error: ZodError, where: string): ApiError {
  return new ApiError('INVALID_REQUEST', `The ${where} is not valid`, { issues: issuesOf(error) });
}
