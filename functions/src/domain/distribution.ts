import { changes, type Changes } from './changes.js';
import { cooldownUntil, stateOf, type Lead } from './lead.js';
import { capacityOf, type Member } from './member.js';
import { takeOwnership } from './ownership.js';
import type { Policy } from './policy.js';
import { allow, refuse, type Decision } from './violations.js';

/** How many leads the morning distribution gives `rep` to reach the day's allocation. */
export function morningNeed(rep: Member, policy: Policy): number {
  if (rep.role !== 'rep' || !rep.active) return 0;

  const target = Math.min(policy.dailyAllocation, capacityOf(rep, policy));
  return Math.max(0, target - rep.ownedCount);
}

export type Deal = { leadId: string; repEmail: string };

/**
 * Deals pool leads to reps one at a time, round after round, so a short pool is shared
 * evenly: no rep gets a second lead in a round before every rep who still needs one has had
 * a first. `pool` must be oldest first; a rep skips a lead in cooldown for them and the next
 * rep may take it. Within a round, reps blocked by more cooldowns choose first (they have
 * fewer leads they may take), then the rep assigned least recently, so the oldest leads do
 * not go to the same reps every morning.
 */
export function planDistribution(
  reps: readonly Member[],
  pool: readonly Lead[],
  policy: Policy,
  now: Date,
): Deal[] {
  const needs = new Map(reps.map((rep) => [rep.email, morningNeed(rep, policy)]));
  const blocked = new Map<string, number>();
  for (const lead of pool) {
    for (const email of Object.keys(lead.cooldowns)) {
      if (cooldownUntil(lead, email, now)) blocked.set(email, (blocked.get(email) ?? 0) + 1);
    }
  }

  const order = reps
    .filter((rep) => (needs.get(rep.email) ?? 0) > 0)
    .sort(
      (a, b) =>
        (blocked.get(b.email) ?? 0) - (blocked.get(a.email) ?? 0) ||
        (a.lastAssignedAt ?? '').localeCompare(b.lastAssignedAt ?? '') ||
        a.email.localeCompare(b.email),
    )
    .map((rep) => rep.email);
  const taken = new Array<boolean>(pool.length).fill(false);
  // Each rep scans the pool once, from where they last stopped: what they passed was taken
  // or is in cooldown for them, so it can never become theirs later in the same plan.
  const cursor = new Map(order.map((email) => [email, 0]));
  const deals: Deal[] = [];

  let dealtThisRound = true;
  while (dealtThisRound) {
    dealtThisRound = false;
    for (const email of order) {
      if (needs.get(email) === 0) continue;

      let index = cursor.get(email)!;
      while (
        index < pool.length &&
        (taken[index] || cooldownUntil(pool[index]!, email, now) !== null)
      ) {
        index++;
      }
      cursor.set(email, index + 1);
      if (index >= pool.length) continue;

      taken[index] = true;
      deals.push({ leadId: pool[index]!.id, repEmail: email });
      needs.set(email, needs.get(email)! - 1);
      dealtThisRound = true;
    }
  }

  return deals;
}

export type DistributeInput = { lead: Lead; rep: Member; policy: Policy; now: Date };

/**
 * One planned deal, checked again against the documents as the transaction reads them:
 * the lead may have been claimed and the rep may have filled up since the plan was made.
 */
export function decideDistribute({ lead, rep, policy, now }: DistributeInput): Decision<Changes> {
  if (rep.role !== 'rep' || !rep.active) {
    return refuse('INVALID_TRANSITION', 'Leads are only dealt to active reps', {
      email: rep.email,
    });
  }

  if (lead.status !== 'pool') {
    return refuse('LEAD_NOT_IN_POOL', 'This lead is no longer in the pool', { leadId: lead.id });
  }

  if (morningNeed(rep, policy) === 0) {
    return refuse('CAPACITY_EXCEEDED', 'This rep already has the day’s allocation', {
      email: rep.email,
    });
  }

  const until = cooldownUntil(lead, rep.email, now);
  if (until) {
    return refuse('COOLDOWN_ACTIVE', 'This rep gave the lead up recently', {
      leadId: lead.id,
      cooldownUntil: until,
    });
  }

  const stamp = now.toISOString();
  const assigned = takeOwnership(lead, rep.email, policy, now);

  return allow(
    changes({
      leads: [assigned],
      members: [
        { ...rep, ownedCount: rep.ownedCount + 1, lastAssignedAt: stamp, updatedAt: stamp },
      ],
      events: [
        {
          type: 'lead.distributed',
          leadId: lead.id,
          subject: rep.email,
          before: stateOf(lead),
          after: stateOf(assigned),
        },
      ],
    }),
  );
}
