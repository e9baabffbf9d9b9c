import { expect } from 'vitest';

import type { Access, Route } from '../../functions/src/api/router.js';
import type { Role } from '../../functions/src/domain/member.js';
import type { Visit } from '../../functions/src/domain/visits.js';
import { ADMIN, type TestApi } from '../support/api-server.js';
import { unique, type LeadBody } from './fixtures.js';

/** The API a row prepares its request on, and how to speak to it as a member. */
export type World = {
  api: TestApi;
  /** The headers of a request by `email`: its credentials and, in dev mode, the clock. */
  headers(email: string): Record<string, string>;
  /** The rep who owns the leads that owner-only routes act on. */
  rep: string;
  /** The team day on the API's clock, for bodies that name a date. */
  today: string;
};

export type Prepared = { path: string; body?: object };

export type RouteRow = {
  /** The route as it is declared: `METHOD /path/{param}`. */
  route: string;
  /** Who may call the route, as the API contract says. */
  allowed: readonly Access[];
  /** The answer of an allowed call. */
  status: number;
  /** A request that succeeds for an allowed caller of `role`, with the data it needs. */
  prepare(world: World, role: Access | undefined): Promise<Prepared>;
};

export function routeName(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

async function newLead(world: World, ownerEmail?: string): Promise<string> {
  const response = await world.api.http
    .post('/v1/leads')
    .set(world.headers(ADMIN))
    .send({ company: unique('Route Table Co'), ...(ownerEmail ? { ownerEmail } : {}) });

  expect(response.status).toBe(201);
  return (response.body as LeadBody).id;
}

/** A lead the calling rep owns, so owner-only routes can succeed; a pool lead otherwise. */
function leadFor(world: World, role: Access | undefined): Promise<string> {
  return newLead(world, role === 'rep' ? world.rep : undefined);
}

/** A visit of the rep's, put in the QC queue as the night's sample would put it. */
async function sampledVisit(world: World): Promise<string> {
  const leadId = await newLead(world, world.rep);
  const logged = await world.api.http
    .post('/v1/visits')
    .set(world.headers(world.rep))
    .send({ leadId, outcome: 'potential', met: 'staff' });
  expect(logged.status).toBe(201);

  const visit = (logged.body as { visit: Visit }).visit;
  const qc = { sampleId: world.today, verdict: null, note: null, by: null, at: null };
  await world.api.store.transaction(async (tx) => tx.saveVisit({ ...visit, qc }));

  return visit.id;
}

export const ANYONE: readonly Role[] = ['rep', 'manager', 'qc', 'admin'];

const JOB_CALLERS: readonly Access[] = ['admin', 'scheduler'];

/** Every member route, in an order where each call still finds the data it needs. */
export const ROUTE_ROWS: readonly RouteRow[] = [
  { route: 'GET /v1/me', allowed: ANYONE, status: 200, prepare: async () => ({ path: '/v1/me' }) },
  {
    route: 'GET /v1/members',
    allowed: ['manager', 'admin'],
    status: 200,
    prepare: async () => ({ path: '/v1/members' }),
  },
  {
    route: 'PUT /v1/members/{email}',
    allowed: ['admin'],
    status: 200,
    prepare: async () => ({
      path: `/v1/members/${unique('newcomer')}@example.com`,
      body: { role: 'rep', name: 'Newcomer' },
    }),
  },
  {
    route: 'GET /v1/policy',
    allowed: ANYONE,
    status: 200,
    prepare: async () => ({ path: '/v1/policy' }),
  },
  {
    route: 'PUT /v1/policy',
    allowed: ['manager', 'admin'],
    status: 200,
    prepare: async () => ({ path: '/v1/policy', body: { warnHours: 24 } }),
  },
  {
    route: 'POST /v1/leads',
    allowed: ['manager', 'admin'],
    status: 201,
    prepare: async () => ({ path: '/v1/leads', body: { company: unique('Matrix Co') } }),
  },
  {
    route: 'POST /v1/leads:import',
    allowed: ['manager', 'admin'],
    status: 200,
    prepare: async () => ({
      path: '/v1/leads:import',
      body: { leads: [{ company: unique('Imported Co') }] },
    }),
  },
  {
    route: 'GET /v1/leads/{id}',
    allowed: ANYONE,
    status: 200,
    prepare: async (world) => ({ path: `/v1/leads/${await newLead(world)}` }),
  },
  {
    route: 'GET /v1/leads/{id}/history',
    allowed: ['rep', 'manager', 'admin'],
    status: 200,
    prepare: async (world, role) => ({ path: `/v1/leads/${await leadFor(world, role)}/history` }),
  },
  {
    route: 'GET /v1/pool',
    allowed: ANYONE,
    status: 200,
    prepare: async () => ({ path: '/v1/pool' }),
  },
  {
    route: 'GET /v1/me/leads',
    allowed: ['rep'],
    status: 200,
    prepare: async () => ({ path: '/v1/me/leads' }),
  },
  {
    route: 'POST /v1/leads/{id}/claim',
    allowed: ['rep'],
    status: 200,
    prepare: async (world) => ({ path: `/v1/leads/${await newLead(world)}/claim`, body: {} }),
  },
  {
    route: 'POST /v1/leads/{id}/release',
    allowed: ['rep'],
    status: 200,
    prepare: async (world, role) => ({
      path: `/v1/leads/${await leadFor(world, role)}/release`,
      body: { reason: 'Out of my region' },
    }),
  },
  {
    route: 'POST /v1/leads/{id}/assign',
    allowed: ['manager', 'admin'],
    status: 200,
    prepare: async (world) => ({
      path: `/v1/leads/${await newLead(world)}/assign`,
      body: { toEmail: world.rep },
    }),
  },
  {
    route: 'POST /v1/leads/{id}/follow-ups',
    allowed: ['rep'],
    status: 201,
    prepare: async (world, role) => ({
      path: `/v1/leads/${await leadFor(world, role)}/follow-ups`,
      body: { channel: 'message', note: 'Sent the brochure' },
    }),
  },
  {
    route: 'POST /v1/leads/{id}/close',
    allowed: ['rep', 'manager', 'admin'],
    status: 200,
    prepare: async (world, role) => ({
      path: `/v1/leads/${await leadFor(world, role)}/close`,
      body: { reason: 'duplicate' },
    }),
  },
  {
    route: 'POST /v1/leads/{id}/stage',
    allowed: ['rep', 'manager', 'admin'],
    status: 200,
    prepare: async (world) => ({
      path: `/v1/leads/${await newLead(world, world.rep)}/stage`,
      body: { stage: 'contacted' },
    }),
  },
  {
    route: 'POST /v1/visits',
    allowed: ['rep'],
    status: 201,
    prepare: async (world, role) => ({
      path: '/v1/visits',
      body: { leadId: await leadFor(world, role), outcome: 'potential', met: 'staff' },
    }),
  },
  {
    route: 'GET /v1/visits',
    allowed: ['rep', 'manager', 'admin'],
    status: 200,
    prepare: async () => ({ path: '/v1/visits' }),
  },
  {
    route: 'POST /v1/reports/daily',
    allowed: ['rep'],
    status: 201,
    prepare: async (world) => ({
      path: '/v1/reports/daily',
      body: { date: world.today, text: 'Eight visits, two effective.' },
    }),
  },
  {
    route: 'GET /v1/reports/day',
    allowed: ['manager', 'admin'],
    status: 200,
    prepare: async () => ({ path: '/v1/reports/day' }),
  },
  {
    route: 'GET /v1/qc/queue',
    allowed: ['qc'],
    status: 200,
    prepare: async () => ({ path: '/v1/qc/queue' }),
  },
  {
    route: 'POST /v1/qc/{visitId}/verdict',
    allowed: ['qc'],
    status: 200,
    prepare: async (world) => ({
      path: `/v1/qc/${await sampledVisit(world)}/verdict`,
      body: { verdict: 'verified', note: 'Called the owner' },
    }),
  },
  {
    route: 'GET /v1/views/{tab}',
    allowed: ANYONE,
    status: 200,
    prepare: async () => ({ path: '/v1/views/Pool' }),
  },
  // Last: a run at NOW deals the pool out, and nothing after it should depend on the pool.
  {
    route: 'GET /v1/jobs/runs',
    allowed: ['manager', 'admin'],
    status: 200,
    prepare: async () => ({ path: '/v1/jobs/runs' }),
  },
  ...(['reclaim', 'distribute', 'qc-sample', 'sheet-sync'] as const).map((job): RouteRow => ({
    route: `POST /v1/jobs/${job}`,
    allowed: JOB_CALLERS,
    status: 200,
    prepare: async () => ({ path: `/v1/jobs/${job}`, body: {} }),
  })),
];

const ROWS_BY_ROUTE = new Map(ROUTE_ROWS.map((row) => [row.route, row]));

/** The row of a declared route; none for the public ones and for a route not yet listed. */
export function rowFor(route: Pick<Route, 'method' | 'path'>): RouteRow | undefined {
  return ROWS_BY_ROUTE.get(routeName(route));
}
