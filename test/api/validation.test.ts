import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import { NOW, addLead, addRep, at, claimed, storeState, type ErrorBody } from './fixtures.js';

let api: TestApi;
let rep: string;
let poolId: string;
let ownedId: string;
beforeAll(async () => {
  api = await startTestApi();
  rep = await addRep(api);
  poolId = (await addLead(api)).id;
  ownedId = (await claimed(api, rep)).id;
});
afterAll(async () => api.close());

type Case = {
  /** `:pool` and `:owned` stand for the ids of a pool lead and of one the rep owns. */
  path: string;
  method?: 'get' | 'post' | 'put';
  caller?: 'rep' | 'admin';
  body?: unknown;
  /** A body sent as written, with its own Content-Type. */
  raw?: { type: string; text: string };
  /** The path of the field an issue must be about. */
  field?: string;
};

async function send(row: Case) {
  const path = row.path.replace(':pool', poolId).replace(':owned', ownedId);
  const method = row.method ?? 'post';
  const pending = api.http[method](path)
    .set(as(row.caller === 'rep' ? rep : ADMIN))
    .set(at(NOW));

  if (row.raw) return pending.set('Content-Type', row.raw.type).send(row.raw.text);
  return row.body === undefined ? pending : pending.send(row.body as object);
}

/** Each case answers 400 with the issues and leaves the store exactly as it was. */
async function expectRefused(_name: string, row: Case) {
  const before = await storeState(api, [poolId, ownedId]);

  const response = await send(row);

  expect(response.status).toBe(400);
  const { error } = response.body as ErrorBody;
  expect(error).toMatchObject({ code: 'INVALID_REQUEST', details: { issues: expect.any(Array) } });
  const paths = (error.details?.issues as { path: string }[]).map((issue) => issue.path);
  expect(paths.length).toBeGreaterThan(0);
  if (row.field !== undefined) expect(paths).toContain(row.field);
  expect(await storeState(api, [poolId, ownedId])).toEqual(before);
}

const LEADS = '/v1/leads';
const MEMBER = '/v1/members/new.rep@example.com';

describe('bodies that are not a JSON object', () => {
  it.each<[string, Case]>([
    [
      'truncated JSON sent as application/json',
      { path: LEADS, raw: { type: 'application/json', text: '{"company":' } },
    ],
    [
      'truncated JSON sent as text/plain',
      { path: LEADS, raw: { type: 'text/plain', text: '{"company":' } },
    ],
    [
      'a form-encoded body',
      {
        path: '/v1/leads/:owned/release',
        caller: 'rep',
        raw: { type: 'application/x-www-form-urlencoded', text: 'reason=moved' },
      },
    ],
    ['a JSON array', { path: LEADS, body: [{ company: 'Array Co' }] }],
    ['JSON null', { path: LEADS, raw: { type: 'text/plain', text: 'null' } }],
  ])('refuses %s with 400 and its issues', expectRefused);
});

describe('fields of the wrong type', () => {
  it.each<[string, Case]>([
    ['a numeric company', { path: LEADS, body: { company: 42 }, field: 'company' }],
    ['null notes', { path: LEADS, body: { company: 'Null Co', notes: null }, field: 'notes' }],
    [
      'a capacity written as a word',
      {
        method: 'put',
        path: MEMBER,
        body: { role: 'rep', name: 'Wen', capacity: 'ten' },
        field: 'capacity',
      },
    ],
    [
      'a fractional capacity',
      {
        method: 'put',
        path: MEMBER,
        body: { role: 'rep', name: 'Wen', capacity: 1.5 },
        field: 'capacity',
      },
    ],
    [
      'active as a string',
      {
        method: 'put',
        path: MEMBER,
        body: { role: 'rep', name: 'Wen', active: 'yes' },
        field: 'active',
      },
    ],
    [
      'a claim limit as a string',
      {
        method: 'put',
        path: '/v1/policy',
        body: { dailyClaimLimit: '2' },
        field: 'dailyClaimLimit',
      },
    ],
    [
      'a release list that is a string',
      {
        path: '/v1/leads/:pool/claim',
        caller: 'rep',
        body: { release: ':owned' },
        field: 'release',
      },
    ],
    ['import rows that are not a list', { path: '/v1/leads:import', body: { leads: 'all' } }],
  ])('refuses %s with 400', expectRefused);
});

describe('unknown fields', () => {
  it.each<[string, Case]>([
    ['an unknown lead field', { path: LEADS, body: { company: 'Colour Co', colour: 'red' } }],
    [
      'an unknown claim field',
      { path: '/v1/leads/:pool/claim', caller: 'rep', body: { force: true } },
    ],
    ['an unknown policy field', { method: 'put', path: '/v1/policy', body: { bonus: 1 } }],
    [
      'an unknown member field',
      { method: 'put', path: MEMBER, body: { role: 'rep', name: 'Wen', salary: 1 } },
    ],
    [
      'an unknown follow-up field',
      {
        path: '/v1/leads/:owned/follow-ups',
        caller: 'rep',
        body: { channel: 'call', when: 'yesterday' },
      },
    ],
  ])('refuses %s with 400', expectRefused);
});

describe('strings that are too long', () => {
  it.each<[string, Case]>([
    [
      'a 201-character company',
      { path: LEADS, body: { company: 'c'.repeat(201) }, field: 'company' },
    ],
    [
      '2001-character notes',
      { path: LEADS, body: { company: 'Long Notes Co', notes: 'n'.repeat(2001) }, field: 'notes' },
    ],
    [
      'a 41-character phone',
      { path: LEADS, body: { company: 'Long Phone Co', phone: '1'.repeat(41) }, field: 'phone' },
    ],
    [
      'a 501-character release reason',
      {
        path: '/v1/leads/:owned/release',
        caller: 'rep',
        body: { reason: 'r'.repeat(501) },
        field: 'reason',
      },
    ],
    [
      'a 2001-character follow-up note',
      {
        path: '/v1/leads/:owned/follow-ups',
        caller: 'rep',
        body: { channel: 'call', note: 'n'.repeat(2001) },
        field: 'note',
      },
    ],
    [
      'a 101-character member name',
      { method: 'put', path: MEMBER, body: { role: 'rep', name: 'n'.repeat(101) }, field: 'name' },
    ],
  ])('refuses %s with 400', expectRefused);
});

describe('email addresses', () => {
  it.each<[string, Case]>([
    [
      'a lead owner that is not an email',
      {
        path: LEADS,
        body: { company: 'Owner Co', ownerEmail: 'not-an-email' },
        field: 'ownerEmail',
      },
    ],
    [
      'an assignee without a domain',
      { path: '/v1/leads/:pool/assign', body: { toEmail: 'rep@' }, field: 'toEmail' },
    ],
    ['a member path that is not an email', { method: 'put', path: '/v1/members/not-an-email' }],
    [
      'a member path of 263 characters',
      {
        method: 'put',
        path: `/v1/members/${'a'.repeat(251)}@example.com`,
        body: { role: 'rep', name: 'Long' },
      },
    ],
  ])('refuses %s with 400', expectRefused);
});

describe('values outside their list', () => {
  it.each<[string, Case]>([
    [
      'a close reason not offered',
      { path: '/v1/leads/:owned/close', caller: 'rep', body: { reason: 'bored' }, field: 'reason' },
    ],
    [
      'a follow-up by fax',
      {
        path: '/v1/leads/:owned/follow-ups',
        caller: 'rep',
        body: { channel: 'fax' },
        field: 'channel',
      },
    ],
    [
      'an unknown role',
      { method: 'put', path: MEMBER, body: { role: 'owner', name: 'Wen' }, field: 'role' },
    ],
    [
      'an unknown time zone',
      {
        method: 'put',
        path: '/v1/policy',
        body: { timeZone: 'Mars/Olympus_Mons' },
        field: 'timeZone',
      },
    ],
    [
      'a lower-case country code',
      {
        method: 'put',
        path: '/v1/policy',
        body: { defaultCountry: 'cn' },
        field: 'defaultCountry',
      },
    ],
  ])('refuses %s with 400', expectRefused);
});

describe('lead ids in the path', () => {
  it.each<[string, Case]>([
    ['an id with a dollar sign', { method: 'get', path: '/v1/leads/lead$1' }],
    ['an id of 65 characters', { method: 'get', path: `/v1/leads/${'A'.repeat(65)}` }],
    ['an id with an encoded slash', { caller: 'rep', path: '/v1/leads/a%2Fb/claim' }],
    [
      'an id with a dot on release',
      { caller: 'rep', path: '/v1/leads/a.b/release', body: { reason: 'moved' } },
    ],
  ])('refuses %s with 400', expectRefused);
});

describe('query values', () => {
  it.each<[string, Case]>([
    ['a page size of 0', { method: 'get', path: '/v1/pool?limit=0', field: 'limit' }],
    ['a page size of 201', { method: 'get', path: '/v1/pool?limit=201', field: 'limit' }],
    ['a page size in words', { method: 'get', path: '/v1/pool?limit=ten', field: 'limit' }],
    ['a fractional page size', { method: 'get', path: '/v1/pool?limit=1.5', field: 'limit' }],
    ['an unknown parameter', { method: 'get', path: '/v1/pool?sort=desc' }],
    [
      'a cursor of 501 characters',
      { method: 'get', path: `/v1/pool?cursor=${'c'.repeat(501)}`, field: 'cursor' },
    ],
  ])('refuses %s with 400', expectRefused);
});
