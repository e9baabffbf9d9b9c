import { changes, type Changes } from './changes.js';
import { cooldownUntil, stateOf, type Lead } from './lead.js';
import { capacityOf, claimCountingDay, claimsOn, type Member } from './member.js';
import type { Policy } from './policy.js';
import { addHours, teamDay } from './time.js';
import { allow, refuse, type Decision } from './violations.js';

/** The lead as it is the moment `email` takes it: both deadlines start now. */
export function takeOwnership(lead: Lead, email: string, policy: Policy, now: Date): Lead {
  return {
    ...lead,
    status: 'owned',
    ownerEmail: email,
    assignedAt: now.toISOString(),
    lastFollowUpAt: null,
    followUpDueAt: addHours(now, policy.followUpHours).toISOString(),
    dealDueAt: addHours(now, policy.dealDays * 24).toISOString(),
    cooldowns: activeCooldowns(lead.cooldowns, now),
    updatedAt: now.toISOString(),
  };
}

/** The lead back in the pool; the rep who had it may not claim it back for a while. */
export function returnToPool(lead: Lead, policy: Policy, now: Date): Lead {
  const cooldowns = activeCooldowns(lead.cooldowns, now);
  if (lead.ownerEmail) {
    cooldowns[lead.ownerEmail] = addHours(now, policy.cooldownHours).toISOString();
  }

  return {
    ...lead,
    status: 'pool',
    ownerEmail: null,
    assignedAt: null,
    lastFollowUpAt: null,
    followUpDueAt: null,
    dealDueAt: null,
    cooldowns,
    updatedAt: now.toISOString(),
  };
}

/** Expired cooldowns are dropped on every write so the map stays small. */
function activeCooldowns(cooldowns: Record<string, string>, now: Date): Record<string, string> {
  return Object.fromEntries(Object.entries(cooldowns).filter(([, until]) => new Date(until) > now));
}

/**
 * The member whose count a change adjusts must be the lead's owner; anything else is a
 * bug in the caller, and writing it would leave a counter wrong for good.
 */
export function assertOwnerMatches(lead: Lead, owner: Member | null): void {
  const expected = lead.status === 'owned' ? lead.ownerEmail : null;
  if (lead.status === 'owned' && !expected) throw new Error(`Owned lead ${lead.id} has no owner`);

  if ((owner?.email ?? null) !== expected) {
    throw new Error(`Lead ${lead.id} is owned by ${expected}, not ${owner?.email ?? 'nobody'}`);
  }
}

export type ClaimInput = {
  lead: Lead;
  rep: Member;
  releases: Lead[];
  policy: Policy;
  now: Date;
};

/**
 * A rep takes a pool lead. At capacity the rep must hand back leads of their own in the
 * same step; every successful claim counts toward the day's limit.
 */
export function decideClaim({ lead, rep, policy, now, ...input }: ClaimInput): Decision<Changes> {
  if (rep.role !== 'rep' || !rep.active) {
    return refuse('INVALID_TRANSITION', 'Only an active rep can claim leads', { email: rep.email });
  }

  if (lead.status !== 'pool') {
    return refuse('LEAD_NOT_IN_POOL', 'This lead is no longer in the pool', {
      leadId: lead.id,
      status: lead.status,
    });
  }

  const until = cooldownUntil(lead, rep.email, now);
  if (until) {
    return refuse('COOLDOWN_ACTIVE', 'You gave this lead up recently and cannot claim it yet', {
      leadId: lead.id,
      cooldownUntil: until,
    });
  }

  const day = claimCountingDay(rep, teamDay(now, policy.timeZone));
  const claimedToday = claimsOn(rep, day);
  if (claimedToday >= policy.dailyClaimLimit) {
    return refuse('DAILY_CLAIM_LIMIT', 'You have reached the daily claim limit', {
      limit: policy.dailyClaimLimit,
      claimedToday,
    });
  }

  // A lead named twice is released once; counting it twice would let the rep overfill.
  const releases = [...new Map(input.releases.map((release) => [release.id, release])).values()];
  const notOwned = releases.filter(
    (release) => release.status !== 'owned' || release.ownerEmail !== rep.email,
  );
  if (notOwned.length > 0) {
    return refuse('NOT_OWNER', 'You can only release leads you own', {
      leadIds: notOwned.map((release) => release.id),
    });
  }

  const capacity = capacityOf(rep, policy);
  const ownedAfter = rep.ownedCount - releases.length + 1;
  if (ownedAfter > capacity) {
    return refuse('CAPACITY_EXCEEDED', 'Your private pool is full: release a lead to swap', {
      capacity,
      owned: rep.ownedCount,
      mustRelease: ownedAfter - capacity,
    });
  }

  const released = releases.map((release) => returnToPool(release, policy, now));
  const claimed = takeOwnership(lead, rep.email, policy, now);
  const updatedRep: Member = {
    ...rep,
    ownedCount: ownedAfter,
    claimsDay: day,
    claimsOnDay: claimedToday + 1,
    lastAssignedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };

  return allow(
    changes({
      leads: [claimed, ...released],
      members: [updatedRep],
      events: [
        ...releases.map((release, index) => ({
          type: 'lead.released' as const,
          leadId: release.id,
          subject: rep.email,
          before: stateOf(release),
          after: stateOf(released[index]!),
          data: { reason: 'swap', swappedFor: lead.id },
        })),
        {
          type: 'lead.claimed',
          leadId: lead.id,
          subject: rep.email,
          before: stateOf(lead),
          after: stateOf(claimed),
        },
      ],
    }),
  );
}

export type ReleaseInput = {
  lead: Lead;
  owner: Member;
  reason: string;
  policy: Policy;
  now: Date;
};

export function decideRelease({
  lead,
  owner,
  reason,
  policy,
  now,
}: ReleaseInput): Decision<Changes> {
  if (lead.status !== 'owned' || lead.ownerEmail !== owner.email) {
    return refuse('NOT_OWNER', 'Only the rep who owns this lead can release it', {
      leadId: lead.id,
    });
  }

  const released = returnToPool(lead, policy, now);

  return allow(
    changes({
      leads: [released],
      members: [{ ...owner, ownedCount: owner.ownedCount - 1, updatedAt: now.toISOString() }],
      events: [
        {
          type: 'lead.released',
          leadId: lead.id,
          subject: owner.email,
          before: stateOf(lead),
          after: stateOf(released),
          data: { reason },
        },
      ],
    }),
  );
}

export type AssignInput = {
  lead: Lead;
  target: Member;
  /** The rep who owns the lead now, when it is owned. */
  previousOwner: Member | null;
  policy: Policy;
  now: Date;
};

/**
 * A manager hands a pool or owned lead to a rep. The target's capacity holds; a rep who
 * loses the lead this way starts a cooldown like any other rep who loses one. Manager
 * assignments do not count toward the target's daily claims.
 */
export function decideAssign({
  lead,
  target,
  previousOwner,
  policy,
  now,
}: AssignInput): Decision<Changes> {
  if (lead.status !== 'pool' && lead.status !== 'owned') {
    return refuse('INVALID_TRANSITION', `A ${lead.status} lead cannot be assigned`, {
      leadId: lead.id,
      status: lead.status,
    });
  }

  if (target.role !== 'rep' || !target.active) {
    return refuse('INVALID_TRANSITION', 'Leads can only be assigned to an active rep', {
      toEmail: target.email,
    });
  }

  if (lead.ownerEmail === target.email) {
    return refuse('INVALID_TRANSITION', 'This rep already owns the lead', {
      leadId: lead.id,
      toEmail: target.email,
    });
  }

  const capacity = capacityOf(target, policy);
  if (target.ownedCount + 1 > capacity) {
    return refuse('CAPACITY_EXCEEDED', "The rep's private pool is full", {
      toEmail: target.email,
      capacity,
      owned: target.ownedCount,
    });
  }

  assertOwnerMatches(lead, previousOwner);

  const stamp = now.toISOString();
  const fromPool = lead.status === 'pool' ? lead : returnToPool(lead, policy, now);
  const assigned = takeOwnership(fromPool, target.email, policy, now);
  const members: Member[] = [
    { ...target, ownedCount: target.ownedCount + 1, lastAssignedAt: stamp, updatedAt: stamp },
  ];
  if (previousOwner) {
    members.push({ ...previousOwner, ownedCount: previousOwner.ownedCount - 1, updatedAt: stamp });
  }

  return allow(
    changes({
      leads: [assigned],
      members,
      events: [
        {
          type: 'lead.assigned',
          leadId: lead.id,
          subject: target.email,
          before: stateOf(lead),
          after: stateOf(assigned),
          data: previousOwner ? { from: previousOwner.email } : {},
        },
      ],
    }),
  );
}
