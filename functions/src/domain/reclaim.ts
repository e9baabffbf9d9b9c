import { changes, type Changes } from './changes.js';
import { cooldownUntil, stateOf, type Lead } from './lead.js';
import { freeCapacity, type Member } from './member.js';
import { assertOwnerMatches, returnToPool, takeOwnership } from './ownership.js';
import type { Policy } from './policy.js';
import { allow, refuse, type Decision } from './violations.js';

export type OverdueReason = 'follow_up' | 'deal';

/** Which deadline an owned lead has missed at `now`: it is overdue from the due instant on. */
export function overdueReason(lead: Lead, now: Date): OverdueReason | null {
  if (lead.status !== 'owned') return null;

  if (lead.followUpDueAt && new Date(lead.followUpDueAt) <= now) return 'follow_up';
  if (lead.dealDueAt && new Date(lead.dealDueAt) <= now) return 'deal';

  return null;
}

/**
 * Reps in the order a reclaimed lead should go to them: most free capacity first, then the
 * one assigned least recently (never assigned counts as longest ago), then by email so the
 * order is total and a rerun makes the same choice.
 */
export function rankReceivers(members: readonly Member[], policy: Policy): Member[] {
  return members
    .filter((member) => member.role === 'rep' && member.active && freeCapacity(member, policy) > 0)
    .sort(
      (a, b) =>
        freeCapacity(b, policy) - freeCapacity(a, policy) ||
        (a.lastAssignedAt ?? '').localeCompare(b.lastAssignedAt ?? '') ||
        a.email.localeCompare(b.email),
    );
}

/** A rep who may receive this lead now: active, with room, and not in cooldown for it. */
export function mayReceive(member: Member, lead: Lead, policy: Policy, now: Date): boolean {
  return (
    member.role === 'rep' &&
    member.active &&
    freeCapacity(member, policy) > 0 &&
    cooldownUntil(lead, member.email, now) === null
  );
}

export type ReclaimInput = {
  lead: Lead;
  owner: Member | null;
  /** Receivers in order of preference, as read in the reclaiming transaction. */
  candidates: readonly Member[];
  policy: Policy;
  now: Date;
};

/**
 * An overdue lead is taken from its owner and given to the first candidate who may have it,
 * or returned to the pool when none may. The owner's cooldown starts either way, so the
 * lead can never go straight back to the rep who just lost it.
 */
export function decideReclaim({
  lead,
  owner,
  candidates,
  policy,
  now,
}: ReclaimInput): Decision<Changes> {
  const reason = overdueReason(lead, now);
  if (reason === null) {
    return refuse('INVALID_TRANSITION', 'This lead is not overdue', {
      leadId: lead.id,
      status: lead.status,
    });
  }

  assertOwnerMatches(lead, owner);

  const stamp = now.toISOString();
  const pooled = returnToPool(lead, policy, now);
  const receiver = candidates.find((candidate) => mayReceive(candidate, pooled, policy, now));
  const reclaimed = receiver ? takeOwnership(pooled, receiver.email, policy, now) : pooled;
  const members: Member[] = [{ ...owner!, ownedCount: owner!.ownedCount - 1, updatedAt: stamp }];
  if (receiver) {
    members.push({
      ...receiver,
      ownedCount: receiver.ownedCount + 1,
      lastAssignedAt: stamp,
      updatedAt: stamp,
    });
  }

  return allow(
    changes({
      leads: [reclaimed],
      members,
      events: [
        {
          type: 'lead.reclaimed',
          leadId: lead.id,
          subject: owner!.email,
          before: stateOf(lead),
          after: stateOf(reclaimed),
          data: { reason, from: owner!.email, to: receiver?.email ?? null },
        },
      ],
    }),
  );
}
