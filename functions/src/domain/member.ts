import * as z from 'zod';

import type { Policy } from './policy.js';

export const ROLES = ['rep', 'manager', 'qc', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'Not an email address' }));

/** A member as stored: profile, role, and the counters rules read inside a transaction. */
export const MemberSchema = z.object({
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  group: z.string(),
  capacity: z.number().int().nullable(),
  active: z.boolean(),
  ownedCount: z.number().int().min(0),
  claimsDay: z.string().nullable(),
  claimsOnDay: z.number().int().min(0),
  lastAssignedAt: z.string().nullable(),
  /** Visits QC found fabricated: the integrity red line, shown to managers. */
  fabricatedVisits: z.number().int().min(0).default(0),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type Member = z.infer<typeof MemberSchema>;

export function isManager(member: Pick<Member, 'role'>): boolean {
  return member.role === 'manager' || member.role === 'admin';
}

export function capacityOf(member: Member, policy: Policy): number {
  return member.capacity ?? policy.capacity;
}

export function freeCapacity(member: Member, policy: Policy): number {
  return Math.max(0, capacityOf(member, policy) - member.ownedCount);
}

/** Successful claims on `day`; the counter resets itself when the team day changes. */
export function claimsOn(member: Member, day: string): number {
  return member.claimsDay === day ? member.claimsOnDay : 0;
}

/**
 * The team day a claim stamped on `day` counts toward. A request is stamped when it arrives,
 * before it waits for the store's locks, so around midnight a claim stamped late on one day
 * can commit after one stamped on the next. It then counts toward the newer day: winding
 * the counter back to the older one would forget the newer day's claims, and the rep could
 * claim past the limit.
 */
export function claimCountingDay(member: Member, day: string): string {
  return member.claimsDay !== null && member.claimsDay > day ? member.claimsDay : day;
}

export function newMember(
  fields: Pick<Member, 'email' | 'name' | 'role'> & Partial<Pick<Member, 'group' | 'capacity'>>,
  now: Date,
): Member {
  const at = now.toISOString();

  return {
    email: fields.email,
    name: fields.name,
    role: fields.role,
    group: fields.group ?? '',
    capacity: fields.capacity ?? null,
    active: true,
    ownedCount: 0,
    claimsDay: null,
    claimsOnDay: 0,
    lastAssignedAt: null,
    fabricatedVisits: 0,
    createdAt: at,
    updatedAt: at,
  };
}
