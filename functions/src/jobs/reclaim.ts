import type { Actor } from '../app/actor.js';
import { applyChanges } from '../app/apply.js';
import type { Lead } from '../domain/lead.js';
import type { Member } from '../domain/member.js';
import type { Policy } from '../domain/policy.js';
import { decideReclaim, mayReceive, overdueReason, rankReceivers } from '../domain/reclaim.js';
import type { JobDeps } from './ledger.js';

const PAGE_SIZE = 200;

/** How many ranked receivers each reclaim reads, in case the first has filled up since. */
const CANDIDATES_PER_LEAD = 3;

/**
 * How often a lead is ranked again when every candidate turned out full once read in its
 * transaction (other instances gave them leads since the job read the team). The last try
 * returns the lead to the pool if its candidates are full again.
 */
const RANKINGS_PER_LEAD = 3;

export type ReclaimCounts = {
  overdue: number;
  reassigned: number;
  pooled: number;
  skipped: number;
};

/**
 * Takes back every lead overdue at `now`. The overdue leads come from an indexed query on
 * their earliest due time, so a run costs what the overdue leads cost, not what the pool
 * does. Each lead is reclaimed in its own transaction that reads the lead again: a
 * follow-up that committed first makes the lead not overdue, and the lead is skipped.
 */
export async function reclaimOverdue(
  deps: JobDeps,
  now: Date,
  actor: Actor,
): Promise<ReclaimCounts> {
  const counts: ReclaimCounts = { overdue: 0, reassigned: 0, pooled: 0, skipped: 0 };
  const policy = await deps.store.getPolicy();
  const members = new Map((await deps.store.listMembers()).map((m) => [m.email, m]));

  let after = null;
  do {
    const page = await deps.store.listOverdueLeads(now.toISOString(), PAGE_SIZE, after);
    for (const lead of page.items) {
      counts.overdue++;
      let outcome: Outcome;
      for (let ranking = 1; ; ranking++) {
        const candidates = candidatesFor(lead, members, policy, now);
        const mayPool = ranking === RANKINGS_PER_LEAD || candidates.length === 0;
        outcome = await reclaimOne(deps, lead, candidates, mayPool, now, actor);
        for (const member of outcome.members) members.set(member.email, member);
        if (outcome.kind !== 'outranked') break;
      }
      counts[outcome.kind]++;
    }
    after = page.next;
  } while (after);

  return counts;
}

/** The best receivers by the job's running picture of the team; the transaction rechecks. */
function candidatesFor(
  lead: Lead,
  members: Map<string, Member>,
  policy: Policy,
  now: Date,
): string[] {
  return rankReceivers([...members.values()], policy)
    .filter((member) => member.email !== lead.ownerEmail && mayReceive(member, lead, policy, now))
    .slice(0, CANDIDATES_PER_LEAD)
    .map((member) => member.email);
}

/**
 * What became of the lead, and the members as the transaction read and then wrote them, in
 * that order: candidates found full since the job read the team must not be offered again.
 * 'outranked': every candidate was found unable to take the lead, and it was left as it was
 * to be ranked again.
 */
type Outcome = {
  kind: 'reassigned' | 'pooled' | 'skipped' | 'outranked';
  members: Member[];
};

async function reclaimOne(
  deps: JobDeps,
  seen: Lead,
  candidateEmails: string[],
  mayPool: boolean,
  now: Date,
  actor: Actor,
): Promise<Outcome> {
  return deps.store.transaction(async (tx) => {
    const policy = await tx.getPolicy();
    const lead = await tx.getLead(seen.id);
    if (!lead || overdueReason(lead, now) === null) return { kind: 'skipped', members: [] };

    const members = await tx.getMembers([lead.ownerEmail!, ...candidateEmails]);
    const candidates = candidateEmails.flatMap((email) => members.get(email) ?? []);
    const decision = decideReclaim({
      lead,
      owner: members.get(lead.ownerEmail!) ?? null,
      candidates,
      policy,
      now,
    });
    const read = [...members.values()];
    if (!decision.ok) return { kind: 'skipped', members: read };

    const reassigned = decision.value.leads[0]?.status === 'owned';
    if (!reassigned && !mayPool) return { kind: 'outranked', members: read };

    applyChanges(tx, decision.value, actor, deps.newId);
    return {
      kind: reassigned ? 'reassigned' : 'pooled',
      members: [...read, ...decision.value.members],
    };
  });
}
