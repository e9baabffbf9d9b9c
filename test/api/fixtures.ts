import { expect } from 'vitest';

import type { Role } from '../../functions/src/domain/member.js';
import { ADMIN, as, type TestApi } from '../support/api-server.js';

/** 09:00 on a Monday in Asia/Shanghai, the default team time zone. */
export const NOW = '2026-03-02T01:00:00.000Z';

/** The dev-mode header that sets the server's clock for one request. */
export function at(iso: string): { 'X-Leadpool-Now': string } {
  return { 'X-Leadpool-Now': iso };
}

export function hoursAfter(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}

let sequence = 0;

/** A name no other test of the file uses, so tests sharing one API never meet. */
export function unique(prefix: string): string {
  sequence += 1;

  return `${prefix}-${sequence}`;
}

/** A Chinese mobile number of 11 digits that no other lead of the file has. */
export function uniquePhone(): string {
  sequence += 1;

  return `1380013${String(sequence).padStart(4, '0')}`;
}

/** The same mobile number as another sheet might write it: country code and separators. */
export function writtenDifferently(phone: string): string {
  return `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`;
}

/** A lead as the API answers it, with the fields the contract promises. */
export type LeadBody = {
  id: string;
  company: string;
  status: 'pool' | 'owned' | 'customer' | 'closed';
  ownerEmail: string | null;
  stage: string;
  followUpDueAt: string | null;
  dealDueAt: string | null;
  dueSoon: boolean;
  cooldownUntil?: string | null;
};

export type ErrorBody = {
  error: { code: string; message: string; details?: Record<string, unknown> };
};

type MemberFields = {
  role: Role;
  name?: string;
  group?: string;
  capacity?: number;
  active?: boolean;
};

/** A new member saved by ADMIN; answers their email. */
export async function addMember(api: TestApi, fields: MemberFields): Promise<string> {
  const email = `${unique(fields.role)}@example.com`;

  const response = await api.http
    .put(`/v1/members/${email}`)
    .set(as(ADMIN))
    .set(at(NOW))
    .send({ name: email.split('@')[0], ...fields });

  expect(response.status).toBe(200);
  return email;
}

export function addRep(api: TestApi, fields: Omit<MemberFields, 'role'> = {}): Promise<string> {
  return addMember(api, { role: 'rep', ...fields });
}

type NewLead = { company?: string; phone?: string; ownerEmail?: string; notes?: string };

/** A lead created by ADMIN, in the pool unless it names an owner. */
export async function addLead(api: TestApi, fields: NewLead = {}, when = NOW): Promise<LeadBody> {
  const response = await api.http
    .post('/v1/leads')
    .set(as(ADMIN))
    .set(at(when))
    .send({ company: unique('Company'), ...fields });

  expect(response.status).toBe(201);
  return response.body as LeadBody;
}

/** A lead `rep` claimed from the pool. */
export async function claimed(api: TestApi, rep: string, when = NOW): Promise<LeadBody> {
  const lead = await addLead(api, {}, when);

  const response = await api.http
    .post(`/v1/leads/${lead.id}/claim`)
    .set(as(rep))
    .set(at(when))
    .send({});

  expect(response.status).toBe(200);
  return (response.body as { lead: LeadBody }).lead;
}

export async function release(api: TestApi, rep: string, id: string, when = NOW): Promise<void> {
  const response = await api.http
    .post(`/v1/leads/${id}/release`)
    .set(as(rep))
    .set(at(when))
    .send({ reason: 'not reachable' });

  expect(response.status).toBe(200);
}

export async function ownedCount(api: TestApi, email: string): Promise<number | undefined> {
  return (await api.store.getMember(email))?.ownedCount;
}

/**
 * Everything a request could have changed that the store lets a test read: members,
 * policy, the pool, every owned lead, and the history of the leads named.
 */
export async function storeState(api: TestApi, leadIds: readonly string[] = []) {
  const members = await api.store.listMembers();
  const owned = await Promise.all(members.map((m) => api.store.listOwnedLeads(m.email)));
  const histories = await Promise.all(leadIds.map((id) => api.store.listLeadEvents(id)));

  return {
    members,
    policy: await api.store.getPolicy(),
    pool: (await api.store.listPool(10_000, null)).items,
    owned: owned.flat(),
    leads: await Promise.all(leadIds.map((id) => api.store.getLead(id))),
    events: histories.flat().length,
  };
}
