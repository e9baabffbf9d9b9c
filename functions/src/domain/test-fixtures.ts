import { newPoolLead, type Lead } from './lead.js';
import { newMember, type Member } from './member.js';
import { DEFAULT_POLICY, type Policy } from './policy.js';
import { addHours } from './time.js';
import type { Decision, ViolationCode } from './violations.js';
import type { Visit } from './visits.js';

/** 09:00 on a Monday in Asia/Shanghai, the default team time zone. */
export const NOW = new Date('2026-03-02T01:00:00Z');

/** The reps of the tests; `aRep()` is Ana unless told otherwise. */
export const ANA = 'ana@example.com';
export const BO = 'bo@example.com';
export const CY = 'cy@example.com';

export function policy(overrides: Partial<Policy> = {}): Policy {
  return { ...DEFAULT_POLICY, ...overrides };
}

export function aRep(overrides: Partial<Member> = {}): Member {
  return {
    ...newMember({ email: ANA, name: 'Ana', role: 'rep', group: 'East' }, NOW),
    ...overrides,
  };
}

export function aManager(overrides: Partial<Member> = {}): Member {
  return aRep({ email: 'mei@example.com', name: 'Mei', role: 'manager', group: '', ...overrides });
}

export function aLead(overrides: Partial<Lead> = {}): Lead {
  const details = {
    company: 'Star Harbour Trading',
    contactName: 'Li Wei',
    title: 'Owner',
    phone: '+86 138 0013 8000',
    region: 'Pudong',
    source: 'trade fair',
    notes: '',
  };

  return { ...newPoolLead('lead-1', details, NOW), ...overrides };
}

/** A lead `email` took at NOW under the default policy. */
export function anOwnedLead(email: string, overrides: Partial<Lead> = {}): Lead {
  return aLead({
    status: 'owned',
    ownerEmail: email,
    assignedAt: NOW.toISOString(),
    followUpDueAt: addHours(NOW, DEFAULT_POLICY.followUpHours).toISOString(),
    dealDueAt: addHours(NOW, DEFAULT_POLICY.dealDays * 24).toISOString(),
    ...overrides,
  });
}

/** A potential visit Ana logged on lead-1 at NOW, on the team day it fell on. */
export function aVisit(overrides: Partial<Visit> = {}): Visit {
  const stamp = NOW.toISOString();

  return {
    id: 'visit-1',
    repEmail: 'ana@example.com',
    day: '2026-03-02',
    at: stamp,
    outcome: 'potential',
    met: 'staff',
    note: 'Left a brochure at the front desk',
    leadId: 'lead-1',
    prospect: null,
    prospectOutcome: null,
    qc: null,
    createdAt: stamp,
    ...overrides,
  };
}

/** The decided value; a refusal fails the test with its code. */
export function accepted<T>(decision: Decision<T>): T {
  if (!decision.ok) throw new Error(`Expected success, got ${decision.violation.code}`);

  return decision.value;
}

export function refusalOf(decision: Decision<unknown>): ViolationCode | 'none' {
  return decision.ok ? 'none' : decision.violation.code;
}
