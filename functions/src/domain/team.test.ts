import { describe, expect, it } from 'vitest';

import type { Member } from './member.js';
import { PolicyPatchSchema } from './policy.js';
import { applyPolicyPatch, decideSaveMember, type MemberFields } from './team.js';
import { NOW, aRep, accepted, policy, refusalOf } from './test-fixtures.js';
import { addHours } from './time.js';

const ADMIN = 'ada@example.com';
const LATER = addHours(NOW, 5);

describe('decideSaveMember', () => {
  const save = (
    email: string,
    fields: MemberFields,
    existing: Member | null,
    actorEmail: string = ADMIN,
  ) => decideSaveMember({ email, fields, existing, actorEmail, now: LATER });

  it('creates a new member as active, with no leads and no claims', () => {
    const { member } = accepted(save('bo@example.com', { role: 'rep', name: 'Bo' }, null));

    expect(member).toEqual({
      email: 'bo@example.com',
      name: 'Bo',
      role: 'rep',
      group: '',
      capacity: null,
      active: true,
      ownedCount: 0,
      claimsDay: null,
      claimsOnDay: 0,
      lastAssignedAt: null,
      fabricatedVisits: 0,
      createdAt: LATER.toISOString(),
      updatedAt: LATER.toISOString(),
    });
  });

  it('records a new member with no profile before', () => {
    const { events } = accepted(save('bo@example.com', { role: 'rep', name: 'Bo' }, null));

    expect(events).toEqual([
      expect.objectContaining({ type: 'member.saved', subject: 'bo@example.com', before: null }),
    ]);
  });

  it('keeps the counters and the unnamed fields of a member it edits', () => {
    const existing = aRep({
      group: 'East',
      capacity: 30,
      ownedCount: 3,
      claimsDay: '2026-03-02',
      claimsOnDay: 2,
      lastAssignedAt: NOW.toISOString(),
    });

    const { member } = accepted(save(existing.email, { role: 'rep', name: 'Ana Li' }, existing));

    expect(member).toEqual({
      ...existing,
      name: 'Ana Li',
      updatedAt: LATER.toISOString(),
    });
  });

  it('clears a capacity override saved as null', () => {
    const existing = aRep({ capacity: 30 });

    const { member } = accepted(
      save(existing.email, { role: 'rep', name: 'Ana', capacity: null }, existing),
    );

    expect(member.capacity).toBeNull();
  });

  it('refuses to change the role of a rep who still owns leads', () => {
    const existing = aRep({ ownedCount: 1 });

    const decision = save(existing.email, { role: 'manager', name: 'Ana' }, existing);

    expect(refusalOf(decision)).toBe('INVALID_TRANSITION');
  });

  it('changes the role of a rep who owns no leads', () => {
    const existing = aRep({ ownedCount: 0 });

    const { member } = accepted(save(existing.email, { role: 'manager', name: 'Ana' }, existing));

    expect(member.role).toBe('manager');
  });

  it.each([
    { name: 'demote', fields: { role: 'manager', name: 'Ada' } },
    { name: 'deactivate', fields: { role: 'admin', name: 'Ada', active: false } },
  ] satisfies { name: string; fields: MemberFields }[])(
    'refuses an admin who tries to $name themselves',
    ({ fields }) => {
      const admin = aRep({ email: ADMIN, name: 'Ada', role: 'admin' });

      expect(refusalOf(save(ADMIN, fields, admin, ADMIN))).toBe('INVALID_TRANSITION');
    },
  );

  it('lets an admin demote another admin', () => {
    const other = aRep({ email: 'ola@example.com', name: 'Ola', role: 'admin' });

    const { member } = accepted(save(other.email, { role: 'manager', name: 'Ola' }, other));

    expect(member.role).toBe('manager');
  });
});

describe('applyPolicyPatch', () => {
  const current = policy({ capacity: 30, timeZone: 'America/New_York', defaultCountry: 'US' });

  it('applies the named fields and keeps the others', () => {
    expect(applyPolicyPatch(current, { dailyClaimLimit: 5 })).toEqual({
      ...current,
      dailyClaimLimit: 5,
    });
  });

  it('keeps the fields a patch read from a request body leaves out', () => {
    const patch = PolicyPatchSchema.parse({ dailyClaimLimit: 5 });

    expect(applyPolicyPatch(current, patch)).toEqual({ ...current, dailyClaimLimit: 5 });
  });

  it('rejects an unknown time zone', () => {
    expect(() => applyPolicyPatch(current, { timeZone: 'Mars/Olympus_Mons' })).toThrow(
      'Unknown IANA time zone',
    );
  });

  it('rejects a negative capacity', () => {
    expect(() => applyPolicyPatch(current, { capacity: -1 })).toThrow();
  });
});
