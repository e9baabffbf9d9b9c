import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { statusOf, type ErrorCode } from '../../functions/src/api/errors.js';
import { ROUTES } from '../../functions/src/api/handler.js';
import type { Access, Route } from '../../functions/src/api/router.js';
import { NOW, addMember, addRep, at } from '../api/fixtures.js';
import { routeName, rowFor, type World } from '../api/route-table.js';
import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import { storeFingerprint } from '../support/store-fingerprint.js';

/*
 * Never a 500 for bad input: every route, whatever its body, query, headers or path
 * parameters, answers below 500; a refusal is the JSON error envelope with the status its
 * code maps to; and a refused request leaves the store as it found it. Only refusals are
 * held to the store: an admin's job run with an empty body is meant to change it.
 */

const RUNS_PER_ROUTE = 40;

let api: TestApi;
let world: World;
const members = { rep: '', qc: '', inactive: '' };
beforeAll(async () => {
  api = await startTestApi();
  members.rep = await addRep(api);
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

type Body = { type: string | null; text: string };

type BadRequest = {
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Body | null;
};

type Caller = { email: string; role: Access } | null;

/** The most permissive member a route lets in: an admin, else a rep, else QC. */
function callerOf(route: Route): Caller {
  if (route.roles === 'public') return null;

  if (route.roles.includes('admin')) return { email: ADMIN, role: 'admin' };

  return route.roles.includes('rep')
    ? { email: members.rep, role: 'rep' }
    : { email: members.qc, role: 'qc' };
}

// Node's HTTP client refuses other characters in a header value before anything is sent.
const headerChar = fc
  .oneof(
    fc.constant(0x09),
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x80, max: 0xff }),
  )
  .map((code) => String.fromCharCode(code));

// '/', '?', '#' and '\' would leave the path segment rather than make it strange.
const segmentChar = fc
  .oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
  .map((code) => String.fromCharCode(code))
  .filter((char) => !'/?#\\'.includes(char));

// Servers cap the request line and headers near 16 KiB; the longest values stay well below.
const headerText = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 40 }),
  fc.integer({ min: 199, max: 2_000 }).map((length) => 'k'.repeat(length)),
);

const weirdSegment = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: segmentChar, minLength: 1, maxLength: 30 }),
  fc.constantFrom(
    '',
    '.',
    '..',
    '%',
    '%2',
    '%ZZ',
    '%E0%A4%A',
    '%00',
    '%2F',
    '%2e%2e',
    '%C0%AF',
    '%FF',
    '%F0%9F%98',
    '%EF%BB%BF',
    '__proto__',
    'constructor',
  ),
  fc.integer({ min: 65, max: 3_000 }).map((length) => 'a'.repeat(length)),
  fc.integer({ min: 1, max: 300 }).map((length) => '%E4%B8%AD'.repeat(length)),
);

const isoTime = fc
  .date({
    min: new Date('0001-01-01T00:00:00.000Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());

const timeHeader = fc.oneof(
  { weight: 3, arbitrary: fc.constant(NOW) },
  { weight: 1, arbitrary: isoTime },
  { weight: 1, arbitrary: headerText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2026-02-29T09:00:00+08:00',
      '2026-03-02T09:00:00+14:00',
      '2026-03-02T24:00:00Z',
      '2026-03-02T09:00:00',
      '2026-03-02',
      '0000-01-01T00:00:00Z',
      '+010000-01-01T00:00:00.000Z',
    ),
  },
);

/**
 * Absent `absent` times in `absent + 1`. A header refuses most of its strange values, and
 * present on every request it would hide the body and path from the test.
 */
function sometimes(arbitrary: fc.Arbitrary<string>, absent: number) {
  return fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

function headersArbitrary(): fc.Arbitrary<Record<string, string>> {
  const emails = [members.rep, members.qc, members.inactive, ADMIN, 'stranger@example.com'];
  const relayFor = fc.oneof(
    headerText,
    fc.constantFrom(...emails),
    fc.constantFrom(...emails).map((email) => ` ${email.toUpperCase()} `),
  );

  return fc
    .record({
      'Idempotency-Key': sometimes(headerText, 1),
      'X-Leadpool-Now': sometimes(timeHeader, 1),
      'X-Leadpool-Relay-For': sometimes(relayFor, 3),
      'X-CloudScheduler-ScheduleTime': sometimes(fc.oneof(isoTime, headerText), 1),
    })
    .map((headers) =>
      Object.fromEntries(
        Object.entries(headers).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ),
    );
}

const queryText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: segmentChar, maxLength: 20 }),
  fc.constantFrom('0', '-1', '1.5', '201', '1e2', 'NaN', 'Infinity', ' 7', '0x10', '2026-02-30'),
  fc.constantFrom('2026-13-01', '2026-03-02', '9999-12-31', 'admin@example.com'),
);

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const cursor = fc.oneof(
  queryText,
  fc.jsonValue().map(base64Json),
  fc
    .record({
      createdAt: fc.string({ maxLength: 40 }),
      id: fc.stringMatching(/^[0-9A-Za-z_-]{1,64}$/),
    })
    .map(base64Json),
);

const query = fc.oneof(
  fc.constant(''),
  fc
    .record(
      {
        limit: queryText,
        cursor,
        date: queryText,
        rep: queryText,
        extra: fc.dictionary(fc.string({ maxLength: 8 }), queryText, { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    )
    .map(({ extra, ...known }) => `?${new URLSearchParams({ ...known, ...extra })}`),
  fc.string({ unit: segmentChar, maxLength: 60 }).map((text) => `?${text}`),
);

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      null,
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'application/cloudevents+json',
      'multipart/form-data',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: headerChar, maxLength: 30 }) },
);

const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);

/** Bodies around the route's valid one: arbitrary ones, and that body spoiled field by field. */
function payload(valid: object): fc.Arbitrary<string> {
  // Fields other routes read too, so the ones a valid body leaves out get spoiled as well.
  const known = fc.constantFrom(...Object.keys(valid), 'note', 'company');

  return fc.oneof(
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc
      .dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { minKeys: 1, maxKeys: 4 })
      .map((extra) => JSON.stringify({ ...valid, ...extra })),
    fc
      .tuple(known, wrongValue)
      .map(([field, value]) => JSON.stringify({ ...valid, [field]: value })),
    fc
      .tuple(known, fc.constantFrom(2_001, 5_001, 70_000, 120_000))
      .map(([field, length]) => JSON.stringify({ ...valid, [field]: 'x'.repeat(length) })),
  );
}

function paramsOf(template: string, path: string): Record<string, string> {
  const names: string[] = [];
  const source = template.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${source}$`).exec(path);

  return Object.fromEntries(names.map((name, index) => [name, match?.[index + 1] ?? '']));
}

/** The route's path with each parameter either the prepared one or a strange one. */
function pathArbitrary(route: Route, valid: Record<string, string>): fc.Arbitrary<string> {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const values = names.map((name) => {
    const prepared = valid[name];
    return prepared ? fc.oneof(fc.constant(prepared), weirdSegment) : weirdSegment;
  });

  // A function, not a string, as the replacement: a segment may contain `$&`.
  return fc
    .tuple(...values)
    .map((chosen) =>
      names.reduce(
        (path, name, index) => path.replace(`{${name}}`, () => chosen[index]!),
        route.path,
      ),
    );
}

async function send(route: Route, caller: Caller, request: BadRequest) {
  const method = route.method.toLowerCase() as 'get' | 'post' | 'put';
  let pending = api.http[method](request.path + request.query).set(request.headers);
  if (caller !== null) pending = pending.set(as(caller.email));

  if (request.body === null) return pending;

  if (request.body.type !== null) pending = pending.set('Content-Type', request.body.type);
  // A Buffer goes out as it is, with no Content-Type unless one was set.
  return pending.send(Buffer.from(request.body.text));
}

async function expectSafeAnswer(
  response: { status: number; type: string; body: unknown },
  before: Awaited<ReturnType<typeof storeFingerprint>>,
): Promise<void> {
  expect(response.status).toBeLessThan(500);
  if (response.status < 400) return;

  expect(response.type).toBe('application/json');
  expect(response.body).toEqual({
    error: expect.objectContaining({
      code: expect.stringMatching(/^[A-Z_]+$/),
      message: expect.any(String),
    }),
  });
  const { code } = (response.body as { error: { code: ErrorCode } }).error;
  expect(statusOf(code)).toBe(response.status);
  expect(await storeFingerprint(api.store)).toEqual(before);
}

describe('bad input on every route', () => {
  const routes = ROUTES.map((route) => [routeName(route), route] as const);

  it.each(routes)(
    '%s answers bad input below 500 and refuses it without a trace',
    async (_name, route) => {
      const caller = callerOf(route);
      const row = rowFor(route);
      const prepared = row ? await row.prepare(world, caller?.role) : { path: route.path };
      const request = fc.record({
        path: pathArbitrary(route, paramsOf(route.path, prepared.path)),
        query,
        headers: headersArbitrary(),
        body: fc.option(fc.record({ type: contentType, text: payload(prepared.body ?? {}) }), {
          nil: null,
        }),
      });

      await fc.assert(
        fc.asyncProperty(request, async (bad) => {
          const before = await storeFingerprint(api.store);

          const response = await send(route, caller, bad);

          await expectSafeAnswer(response, before);
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    },
  );

  it('answers any Authorization header on a member route with 401 or 403', async () => {
    const memberRoutes = ROUTES.filter((route) => route.roles !== 'public');
    const authorization = fc.oneof(
      fc.string({ unit: headerChar, maxLength: 60 }),
      fc.string({ unit: headerChar, maxLength: 60 }).map((text) => `Bearer ${text}`),
      fc.string({ unit: headerChar, maxLength: 60 }).map((text) => `Bearer dev:${text}`),
      fc.emailAddress().map((email) => `Bearer dev:${email}`),
    );

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...memberRoutes), authorization, async (route, value) => {
        const before = await storeFingerprint(api.store);
        const method = route.method.toLowerCase() as 'get' | 'post' | 'put';

        const response = await api.http[method](route.path)
          .set('Authorization', value)
          .set(at(NOW))
          .send({});

        expect([401, 403]).toContain(response.status);
        await expectSafeAnswer(response, before);
      }),
      { numRuns: 60 },
    );
  });
});
