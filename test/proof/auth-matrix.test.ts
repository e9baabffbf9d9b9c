import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ROUTES } from '../../functions/src/api/handler.js';
import type { Access, Route } from '../../functions/src/api/router.js';
import type { RejectionReason } from '../../functions/src/auth/google-token.js';
import type { Role } from '../../functions/src/domain/member.js';
import { DEFAULT_POLICY } from '../../functions/src/domain/policy.js';
import { teamDay } from '../../functions/src/domain/time.js';
import type { ErrorBody } from '../api/fixtures.js';
import { routeName, rowFor, type Prepared, type World } from '../api/route-table.js';
import { ADMIN, SCHEDULER, startTestApi, type TestApi } from '../support/api-server.js';
import { createTestSigner, TEST_AUDIENCE } from '../support/id-tokens.js';

/*
 * The role matrix of test/api/auth.test.ts again, in the production auth mode: real RS256
 * tokens checked against a published key, every route, every kind of caller.
 */

let api: TestApi;
let world: World;
const tokens = new Map<string, string>();
const members: Record<Role | 'inactive', string> = {
  admin: ADMIN,
  rep: 'matrix-rep@example.com',
  manager: 'matrix-manager@example.com',
  qc: 'matrix-qc@example.com',
  inactive: 'matrix-inactive@example.com',
};

/** A valid token of `email`, minted once: each call would otherwise cost an RSA signature. */
function tokenOf(email: string): string {
  let token = tokens.get(email);
  if (token === undefined) {
    token = api.signer.sign({ email });
    tokens.set(email, token);
  }

  return token;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The key id in a token's header, to sign with another key under the same id. */
function keyIdOf(token: string): string {
  const header = Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8');

  return (JSON.parse(header) as { kid: string }).kid;
}

/** The tokens that must not get in, minted once before the matrix runs. */
const forged = { otherKeySameId: '', unknownKey: '', audience: '', expired: '', unverified: '' };

beforeAll(async () => {
  api = await startTestApi({ auth: 'google' });
  world = {
    api,
    headers: (email) => bearer(tokenOf(email)),
    rep: members.rep,
    today: teamDay(new Date(), DEFAULT_POLICY.timeZone),
  };

  const saved = (['rep', 'manager', 'qc', 'inactive'] as const).map((key) =>
    api.http
      .put(`/v1/members/${members[key]}`)
      .set(world.headers(ADMIN))
      .send({
        role: key === 'inactive' ? 'rep' : key,
        name: key,
        ...(key === 'inactive' ? { active: false } : {}),
      }),
  );
  for (const response of await Promise.all(saved)) expect(response.status).toBe(200);

  const now = Math.floor(Date.now() / 1000);
  forged.otherKeySameId = createTestSigner({ kid: keyIdOf(tokenOf(ADMIN)) }).sign({ email: ADMIN });
  forged.unknownKey = createTestSigner().sign({ email: ADMIN });
  forged.audience = api.signer.sign({ email: ADMIN, aud: `other-${TEST_AUDIENCE}` });
  forged.expired = api.signer.sign({ email: ADMIN, iat: now - 7200, exp: now - 3600 });
  forged.unverified = api.signer.sign({ email: ADMIN, email_verified: false });
});
afterAll(async () => api.close());

/**
 * Members and the scheduler get in by `role`; everyone else is refused on every member
 * route, with 401 and the verifier's reason when the token itself is not accepted.
 */
type Caller = { name: string; authorization: (() => string) | null } & (
  | { role: Access; refused?: never; reason?: never }
  | { role?: never; refused: 401; reason: RejectionReason | null }
  | { role?: never; refused: 403; reason?: never }
);

const CALLERS: Caller[] = [
  { name: 'no token', authorization: null, refused: 401, reason: null },
  {
    name: 'a token that is not a JWT',
    authorization: () => 'Bearer not.a.jwt',
    refused: 401,
    reason: 'malformed',
  },
  {
    name: 'a token signed by another key under our key id',
    authorization: () => bearer(forged.otherKeySameId).Authorization,
    refused: 401,
    reason: 'signature',
  },
  {
    name: 'a token signed by a key we do not know',
    authorization: () => bearer(forged.unknownKey).Authorization,
    refused: 401,
    reason: 'signature',
  },
  {
    name: 'a token for another audience',
    authorization: () => bearer(forged.audience).Authorization,
    refused: 401,
    reason: 'audience',
  },
  {
    name: 'an expired token',
    authorization: () => bearer(forged.expired).Authorization,
    refused: 401,
    reason: 'expired',
  },
  {
    name: 'a token with an unverified email',
    authorization: () => bearer(forged.unverified).Authorization,
    refused: 401,
    reason: 'email',
  },
  {
    name: 'a dev token',
    authorization: () => `Bearer dev:${ADMIN}`,
    refused: 401,
    reason: 'malformed',
  },
  {
    name: 'a valid token of someone who is not a member',
    authorization: () => bearer(tokenOf('stranger@example.com')).Authorization,
    refused: 403,
  },
  {
    name: 'a valid token of an inactive member',
    authorization: () => bearer(tokenOf(members.inactive)).Authorization,
    refused: 403,
  },
  ...(['rep', 'manager', 'qc', 'admin'] as const).map((role) => ({
    name: role === 'admin' ? 'an admin' : `a ${role}`,
    authorization: () => bearer(tokenOf(members[role])).Authorization,
    role,
  })),
  {
    name: 'the scheduler',
    authorization: () => bearer(tokenOf(SCHEDULER)).Authorization,
    role: 'scheduler',
  },
];

type Expected = 'allowed' | 'public' | 401 | 403;

function expectedFor(route: Route, caller: Caller): Expected {
  if (route.roles === 'public') return 'public';

  if (caller.refused) return caller.refused;

  return route.roles.includes(caller.role) ? 'allowed' : 403;
}

const MATRIX = ROUTES.flatMap((route) =>
  CALLERS.map((caller) => {
    const expected = expectedFor(route, caller);
    const outcome =
      expected === 'public'
        ? 'answers 200'
        : expected === 'allowed'
          ? 'is let in'
          : `is refused with ${expected}`;

    return [
      `${routeName(route)} by ${caller.name} ${outcome}`,
      { route, caller, expected },
    ] as const;
  }),
);

/** The route table's request for the route; a route it does not list yet gets a bare one. */
async function requestFor(route: Route, caller: Caller): Promise<Prepared> {
  const row = rowFor(route);
  if (row) return row.prepare(world, caller.role);

  const path = route.path.replace(/\{\w+\}/g, 'unknown');
  return route.method === 'GET' ? { path } : { path, body: {} };
}

describe('who may call each route with a Google identity token', () => {
  it.each(MATRIX)('%s', async (_name, { route, caller, expected }) => {
    const { path, body } = await requestFor(route, caller);
    const method = route.method.toLowerCase() as 'get' | 'put' | 'post';
    let pending = api.http[method](path);
    if (caller.authorization) pending = pending.set('Authorization', caller.authorization());

    const response = body === undefined ? await pending : await pending.send(body);

    const error = (response.body as Partial<ErrorBody>).error;
    if (expected === 'public') {
      expect(response.status).toBe(200);
    } else if (expected === 'allowed') {
      // The route may still refuse the data (404, 409), or the body (400); never the caller.
      expect(response.status).toBeLessThan(500);
      expect([401, 403]).not.toContain(response.status);
    } else if (expected === 401) {
      expect(response.status).toBe(401);
      expect(error?.code).toBe('UNAUTHENTICATED');
      expect(error?.details?.reason).toBe(caller.reason ?? undefined);
    } else {
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
    }
  });
});
