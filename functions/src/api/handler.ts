import { randomUUID } from 'node:crypto';

import { systemActor } from '../app/actor.js';
import { EmailSchema, type Member } from '../domain/member.js';
import { VIOLATION_CODES, type ViolationCode } from '../domain/violations.js';
import * as z from 'zod';

import { ApiError, errorBody, invalidRequest } from './errors.js';
import type { ApiRequest, ApiResponse } from './request.js';
import { compileRoutes, type ApiDeps, type Route } from './router.js';
import { fieldRoutes } from './routes/field.js';
import { jobRoutes } from './routes/jobs.js';
import { leadRoutes } from './routes/leads.js';
import { teamRoutes } from './routes/team.js';
import { viewRoutes } from './routes/views.js';

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    roles: 'public',
    handle: async () => ({ status: 200, body: { status: 'ok' } }),
  },
  ...teamRoutes,
  ...leadRoutes,
  ...fieldRoutes,
  ...viewRoutes,
  ...jobRoutes,
];

export type Api = (request: ApiRequest) => Promise<ApiResponse>;

/** The whole HTTP API as one function of a request, independent of the server around it. */
export function createApi(deps: ApiDeps, routes: readonly Route[] = ROUTES): Api {
  const match = compileRoutes(routes);

  return async (request) => {
    const started = Date.now();
    const requestId = request.headers['x-request-id'] ?? randomUUID();
    let email: string | null = null;
    let response: ApiResponse;
    try {
      const found = match(request.method, request.path);
      if (found.kind === 'not-found') throw new ApiError('NOT_FOUND', 'No such route');

      if (found.kind === 'method-not-allowed') {
        throw new ApiError('METHOD_NOT_ALLOWED', 'Method not allowed here', {
          allowed: found.allowed,
        });
      }

      const { route, params } = found;
      if (route.roles === 'public') {
        response = await route.handle(request);
      } else {
        email = await deps.authenticate(request.headers.authorization);
        const now = clockFor(request, deps);
        if (deps.schedulerEmails.includes(email)) {
          if (!route.roles.includes('scheduler')) {
            throw new ApiError('FORBIDDEN', 'The scheduler may only run jobs');
          }

          const actor = systemActor(email, requestId, now);
          response = await route.handle({ request, params, deps, actor, scheduler: true });
        } else {
          const caller = await activeMember(deps, email);
          const relayed = await relayedMember(deps, caller, request.headers[RELAY_HEADER]);
          const member = relayed ?? caller;
          if (!route.roles.includes(member.role)) {
            throw new ApiError('FORBIDDEN', `A ${member.role} cannot do this`);
          }

          const relayedBy = relayed ? caller.email : null;
          const actor = { member, relayedBy, requestId, now };
          response = await route.handle({ request, params, deps, actor, scheduler: false });
        }
      }
    } catch (error) {
      response = errorResponse(error, deps, requestId);
    }

    logRequest(deps, request, response, { requestId, email, latencyMs: Date.now() - started });
    return response;
  };
}

const NowHeaderSchema = z.iso
  .datetime({ offset: true, message: 'An ISO-8601 date and time, like 2026-03-02T09:00:00+08:00' })
  .refine((value) => sameCalendarDate(value), 'No such date')
  // A clock in year 9999 would put the next team day outside the calendar.
  .refine((value) => value >= '2000' && value < '2999', 'A time between 2000 and 2998');

/** 2026-02-30 parses as 2 March; a date that does not exist is refused instead. */
function sameCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const probe = new Date(Date.UTC(year!, month! - 1, day!));

  return probe.getUTCMonth() === month! - 1 && probe.getUTCDate() === day;
}

/**
 * The sheet's edit relay runs as the admin who installed it and names the member who made
 * the edit. Only an admin may speak for another member; the request then acts as that
 * member, and its events record both.
 */
export const RELAY_HEADER = 'x-leadpool-relay-for';

async function activeMember(deps: ApiDeps, email: string): Promise<Member> {
  const member = await deps.store.getMember(email);
  if (!member || !member.active) {
    throw new ApiError('FORBIDDEN', `${email} is not an active member of this team`);
  }

  return member;
}

async function relayedMember(
  deps: ApiDeps,
  caller: Member,
  header: string | undefined,
): Promise<Member | null> {
  if (header === undefined) return null;

  if (caller.role !== 'admin') {
    throw new ApiError('FORBIDDEN', 'Only an admin may relay an edit for another member');
  }

  const email = EmailSchema.safeParse(header);
  if (!email.success) throw invalidRequest(email.error, `${RELAY_HEADER} header`);

  return activeMember(deps, email.data);
}

/** Dev mode lets a request set the clock, so deadlines can be tried without waiting. */
function clockFor(request: ApiRequest, deps: ApiDeps): Date {
  const override = request.headers['x-leadpool-now'];
  if (override === undefined || !deps.devMode) return deps.clock();

  const parsed = NowHeaderSchema.safeParse(override);
  if (!parsed.success) throw invalidRequest(parsed.error, 'X-Leadpool-Now header');

  return new Date(parsed.data);
}

/**
 * The store could not serve the request in time: SQLite's write lock stayed with another
 * process past the busy timeout, or a Firestore call was still aborted, unavailable or past
 * its deadline after the client's own retries (gRPC codes 10, 14 and 4). Sending the same
 * request again is safe: a transaction that failed this way wrote nothing, and one whose
 * commit went through unseen saved its answer with its effect, under the Idempotency-Key
 * the add-on always sends.
 */
function storeUnavailable(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  if (typeof code === 'string') return code.startsWith('SQLITE_BUSY');

  return code === 10 || code === 14 || code === 4;
}

function errorResponse(error: unknown, deps: ApiDeps, requestId: string): ApiResponse {
  if (error instanceof ApiError) {
    return { status: error.status, body: errorBody(error.code, error.message, error.details) };
  }

  if (storeUnavailable(error)) {
    deps.log('WARNING', 'store unavailable', {
      requestId,
      error: error instanceof Error ? error.message : String(error),
    });
    return {
      status: 503,
      body: errorBody('UNAVAILABLE', 'The store is busy; send the request again'),
      headers: { 'Retry-After': '1' },
    };
  }

  // A fault, not a refusal: the stack goes to the log, the caller learns nothing of it.
  deps.log('ERROR', 'Unhandled error', {
    requestId,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return { status: 500, body: errorBody('INTERNAL', 'Internal error') };
}

const violationCodes: ReadonlySet<string> = new Set(VIOLATION_CODES);

function logRequest(
  deps: ApiDeps,
  request: ApiRequest,
  response: ApiResponse,
  fields: { requestId: string; email: string | null; latencyMs: number },
): void {
  const severity = response.status >= 500 ? 'ERROR' : response.status >= 400 ? 'WARNING' : 'INFO';
  deps.log(severity, 'request', {
    ...fields,
    method: request.method,
    path: request.path,
    status: response.status,
  });

  const code = (response.body as { error?: { code?: string } } | null)?.error?.code;
  if (code && violationCodes.has(code)) {
    deps.log('WARNING', 'rule violation', {
      requestId: fields.requestId,
      email: fields.email,
      code: code as ViolationCode,
      path: request.path,
    });
  }
}
