import type { Actor } from '../app/actor.js';
import { applyChanges } from '../app/apply.js';
import { changes, latestOnly, mergeChanges } from '../domain/changes.js';
import {
  decideDistribute,
  morningNeed,
  planDistribution,
  type Deal,
} from '../domain/distribution.js';
import type { Lead } from '../domain/lead.js';
import type { Member } from '../domain/member.js';
import type { Policy } from '../domain/policy.js';
import type { PoolPosition } from '../store/port.js';
import type { JobDeps } from './ledger.js';

/** Deals written per transaction: large enough to be cheap, small enough to stay well within
 * Firestore's limits on a transaction's size and time. */
const DEALS_PER_TRANSACTION = 100;

const POOL_PAGE = 500;

export type DistributeCounts = { reps: number; planned: number; dealt: number; skipped: number };

/**
 * The morning top-up. The plan is made from one read of the team and the oldest pool
 * leads, then written in chunks, each in a transaction that checks every deal again (the
 * lead still in the pool, the rep still short). A run killed half-way leaves whole chunks
 * written; the next run plans again from what is left and finishes the job.
 */
export async function distributeMorning(
  deps: JobDeps,
  now: Date,
  actor: Actor,
): Promise<DistributeCounts> {
  const policy = await deps.store.getPolicy();
  const reps = (await deps.store.listMembers()).filter((m) => morningNeed(m, policy) > 0);
  const needed = reps.reduce((sum, rep) => sum + morningNeed(rep, policy), 0);
  const deals = await planFromPool(deps, reps, needed, policy, now);

  let dealt = 0;
  for (let start = 0; start < deals.length; start += DEALS_PER_TRANSACTION) {
    const chunk = deals.slice(start, start + DEALS_PER_TRANSACTION);
    dealt += await writeDeals(deps, chunk, now, actor);
  }

  return { reps: reps.length, planned: deals.length, dealt, skipped: deals.length - dealt };
}

/**
 * Plans from the oldest pool leads, reading more of the pool only while some rep is still
 * short: a rep in cooldown for the oldest leads (leads back in the pool keep their age) is
 * served from younger ones, and a team rarely needs more than a small part of the pool.
 */
async function planFromPool(
  deps: JobDeps,
  reps: Member[],
  needed: number,
  policy: Policy,
  now: Date,
): Promise<Deal[]> {
  const pool: Lead[] = [];
  let after: PoolPosition | null = null;
  let wanted = needed + reps.length * 2;
  let deals: Deal[] = [];
  for (;;) {
    while (pool.length < wanted) {
      const page = await deps.store.listPool(Math.min(POOL_PAGE, wanted - pool.length), after);
      pool.push(...page.items);
      after = page.next;
      if (!after) break;
    }

    deals = planDistribution(reps, pool, policy, now);
    const short = needed - deals.length;
    if (short === 0 || !after) return deals;

    wanted = pool.length + Math.max(short * 4, POOL_PAGE);
  }
}

async function writeDeals(deps: JobDeps, deals: Deal[], now: Date, actor: Actor): Promise<number> {
  return deps.store.transaction(async (tx) => {
    const current = await tx.getPolicy();
    const leads = await tx.getLeads(deals.map((deal) => deal.leadId));
    const reps = await tx.getMembers([...new Set(deals.map((deal) => deal.repEmail))]);

    const all = changes({});
    let written = 0;
    for (const deal of deals) {
      const lead = leads.get(deal.leadId);
      const rep = reps.get(deal.repEmail);
      if (!lead || !rep) continue;

      const decision = decideDistribute({ lead, rep, policy: current, now });
      if (!decision.ok) continue;

      // Later deals in this chunk see this one: the rep's count and the lead's new state.
      for (const member of decision.value.members) reps.set(member.email, member);
      for (const changed of decision.value.leads) leads.set(changed.id, changed);
      mergeChanges(all, decision.value);
      written++;
    }

    applyChanges(tx, latestOnly(all), actor, deps.newId);
    return written;
  });
}
