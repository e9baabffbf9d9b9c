import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ROUTES } from '../../functions/src/api/handler.js';
import type { Access } from '../../functions/src/api/router.js';
import type { Role } from '../../functions/src/domain/member.js';
import { ADMIN, as, SCHEDULER, startTestApi, type TestApi } from '../support/api-server.js';
import { createTestSigner, type TestSigner } from '../support/id-tokens.js';
import { NOW, addMember, addRep, at, type ErrorBody, type LeadBody } from './fixtures.js';
import { ROUTE_ROWS, routeName, type RouteRow, type World } from './route-table.js';

let api: TestApi;
let world: World;
const members: Partial<Record<Role | 'inactive', string>> = { admin: ADMIN };
beforeAll(async () => {
  api = await startTestApi();
  members.rep = await addRep(api);
  members.manager = await addMember(api, { role: 'manager' });
  members.qc = await addMember(api, { role: 'qc' });
  members.inactive = await addRep(api, { active: false });
  world = {
    api,
    headers: (email) => ({ ...as(email), ...at(NOW) }),
    rep: members.rep,
    today: NOW.slice(0, 10),
  };
});
afterAll(async () => api.close());

/**
 * Who calls: active members and the scheduler have the `role` routes allow them by;
 * everyone else is `refused` whatever the route.
 */
type Caller = { name: string; authorization?: () => string } & (
  { role: Access; refused?: never } | { role?: never; refused: 401 | 403 }
);

const CALLERS: Caller[] = [
  { name: 'no token', refused: 401 },
  { name: 'a bad dev token', authorization: () => 'Bearer dev:not-an-email', refused: 401 },
  {
    name: 'an unknown member',
    authorization: () => as('stranger@example.com').Authorization,
    refused: 403,
  },
  {
    name: 'an inactive member',
    authorization: () => as(members.inactive!).Authorization,
    refused: 403,
  },
  ...(['rep', 'manager', 'qc', 'admin'] as const).map((role) => ({
    name: role === 'admin' ? 'an admin' : `a ${role}`,
    authorization: () => as(members[role]!).Authorization,
    role,
  })),
  { name: 'the scheduler', authorization: () => as(SCHEDULER).Authorization, role: 'scheduler' },
];

function expectedStatus(row: RouteRow, caller: Caller): number {
  if (caller.refused) return caller.refused;

  return row.allowed.includes(caller.role) ? row.status : 403;
}

const MATRIX = ROUTE_ROWS.flatMap((row) =>
  CALLERS.map((caller) => {
    const status = expectedStatus(row, caller);

    return [`${row.route} by ${caller.name} answers ${status}`, { row, caller, status }] as const;
  }),
);

describe('who may call each route', () => {
  it('has a row for every member route of the API', () => {
    const routes = ROUTES.filter((route) => route.roles !== 'public');

    expect(ROUTE_ROWS.map((row) => row.route).sort()).toEqual(routes.map(routeName).sort());
  });

  it.each(MATRIX)('%s', async (_name, { row, caller, status }) => {
    const { path, body } = await row.prepare(world, caller.role);
    const method = row.route.split(' ')[0]?.toLowerCase() as 'get' | 'put' | 'post';
    let pending = api.http[method](path).set(at(NOW));
    if (caller.authorization) pending = pending.set('Authorization', caller.authorization());

    const response = body === undefined ? await pending : await pending.send(body);

    expect(response.status).toBe(status);
    if (status === 401) expect((response.body as ErrorBody).error.code).toBe('UNAUTHENTICATED');
    if (status === 403) expect((response.body as ErrorBody).error.code).toBe('FORBIDDEN');
  });
});

describe('google auth mode', () => {
  let google: TestApi;
  let stranger: TestSigner;
  beforeAll(async () => {
    google = await startTestApi({ auth: 'google' });
    stranger = createTestSigner();
  });
  afterAll(async () => google.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const secondsAgo = (seconds: number) => Math.floor(Date.now() / 1000) - seconds;

  it('accepts a signed token of a member', async () => {
    const response = await google.http
      .get('/v1/me')
      .set(bearer(google.signer.sign({ email: ADMIN })));

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ member: { email: ADMIN, role: 'admin' } });
  });

  it('refuses a signed token of someone who is not a member with 403', async () => {
    const token = google.signer.sign({ email: 'stranger@example.com' });

    const response = await google.http.get('/v1/me').set(bearer(token));

    expect(response.status).toBe(403);
  });

  it.each([
    [
      'a token for another audience',
      {
        token: () => google.signer.sign({ email: ADMIN, aud: 'other.apps.googleusercontent.com' }),
      },
    ],
    [
      'an expired token',
      {
        token: () =>
          google.signer.sign({ email: ADMIN, iat: secondsAgo(7200), exp: secondsAgo(3600) }),
      },
    ],
    ['a token signed by another key', { token: () => stranger.sign({ email: ADMIN }) }],
    [
      'a token with an unverified email',
      { token: () => google.signer.sign({ email: ADMIN, email_verified: false }) },
    ],
    ['a dev token', { token: () => `dev:${ADMIN}` }],
    ['a token that is not a JWT', { token: () => 'not.a.jwt' }],
  ])('refuses %s with 401', async (_name, { token }) => {
    const response = await google.http.get('/v1/me').set(bearer(token()));

    expect(response.status).toBe(401);
    expect((response.body as ErrorBody).error.code).toBe('UNAUTHENTICATED');
  });

  it('ignores X-Leadpool-Now and keeps the real clock', async () => {
    const before = new Date().toISOString();

    const response = await google.http
      .post('/v1/leads')
      .set(bearer(google.signer.sign({ email: ADMIN })))
      .set(at('2031-01-01T00:00:00.000Z'))
      .send({ company: 'Real Clock Co' });

    expect(response.status).toBe(201);
    const lead = await google.store.getLead((response.body as LeadBody).id);
    expect(Date.parse(lead?.createdAt ?? '')).toBeGreaterThanOrEqual(Date.parse(before));
    expect(Date.parse(lead?.createdAt ?? '')).toBeLessThanOrEqual(Date.now());
  });

  it('ignores an X-Leadpool-Now it could not even read', async () => {
    const response = await google.http
      .get('/v1/me')
      .set(bearer(google.signer.sign({ email: ADMIN })))
      .set('X-Leadpool-Now', 'tomorrow');

    expect(response.status).toBe(200);
  });
});
