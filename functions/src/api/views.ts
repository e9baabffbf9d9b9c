import { viewLead, type Lead, type LeadView } from '../domain/lead.js';
import { capacityOf, claimsOn, type Member } from '../domain/member.js';
import type { Policy } from '../domain/policy.js';
import { teamDay } from '../domain/time.js';

export type MemberView = {
  email: string;
  name: string;
  role: Member['role'];
  group: string;
  active: boolean;
  capacity: number;
  ownedCount: number;
  claimsToday: number;
  /** Visits QC found fabricated: a flag for the managers. */
  fabricatedVisits: number;
};

export function viewMember(member: Member, policy: Policy, now: Date): MemberView {
  return {
    email: member.email,
    name: member.name,
    role: member.role,
    group: member.group,
    active: member.active,
    capacity: capacityOf(member, policy),
    ownedCount: member.ownedCount,
    claimsToday: claimsOn(member, teamDay(now, policy.timeZone)),
    fabricatedVisits: member.fabricatedVisits,
  };
}

/** Cooldowns of other members are private; the viewer sees only their own. */
export function viewLeadFor(
  lead: Lead,
  policy: Policy,
  now: Date,
  viewer: string,
): Omit<LeadView, 'cooldowns'> {
  const { cooldowns: _cooldowns, ...view } = viewLead(lead, policy, now, viewer);

  return view;
}
