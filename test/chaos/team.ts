/**
 * The team a chaos run starts from, written straight into the store: the rules are not in
 * the way here, and the checker replays the history from exactly this state.
 */
import { STAGES, type Lead } from '../../functions/src/domain/lead.js';
import { leadKeys } from '../../functions/src/domain/lead-keys.js';
import { newMember, type Member } from '../../functions/src/domain/member.js';
import { takeOwnership } from '../../functions/src/domain/ownership.js';
import { DEFAULT_POLICY, type Policy } from '../../functions/src/domain/policy.js';
import { aLead } from '../../functions/src/domain/test-fixtures.js';
import { addHours } from '../../functions/src/domain/time.js';
import type { Store } from '../../functions/src/store/port.js';

/** 09:00 on a Monday in Shanghai, the team's time zone. */
export const BASE = new Date('2026-03-02T01:00:00Z');

export const MANAGER = 'mei@example.com';

/** A rep who has left: they still hold leads, which only reclaim can take from them. */
export const GONE = 'gone@example.com';

/**
 * Small pools and low limits, so a few hundred operations already meet full pools, daily
 * claim limits and deal deadlines.
 */
export const POLICY: Policy = {
  ...DEFAULT_POLICY,
  capacity: 8,
  dailyClaimLimit: 4,
  dailyAllocation: 5,
  dealDays: 6,
};

/** The active reps' capacities; null takes the team's. */
const CAPACITIES = [3, 4, 5, 6, 8, 10, 12, null];

export const SEEDED_COMPANY = 'Seeded Company';

export const POOL_LEADS = 70;

export type SeedState = { policy: Policy; members: Member[]; leads: Lead[] };

function lead(n: number, fields: Partial<Lead> = {}): Lead {
  return aLead({
    id: `S${String(n).padStart(3, '0')}`,
    company: `${SEEDED_COMPANY} ${n}`,
    phone: '',
    createdAt: addHours(BASE, -200 + n).toISOString(),
    updatedAt: BASE.toISOString(),
    ...fields,
  });
}

/** `pooled` as `email` has held it since `hoursBefore` hours before BASE, at `stage`. */
function heldBy(pooled: Lead, email: string, hoursBefore: number, stage: Lead['stage']): Lead {
  return { ...takeOwnership(pooled, email, POLICY, addHours(BASE, -hoursBefore)), stage };
}

/**
 * A manager, eight reps of different capacities and one who has left. Pool leads, some in
 * a cooldown for a rep; owned leads at every stage before the contract, some overdue already
 * and the rest falling due during the run; customers; and closed leads.
 */
export function chaosTeam(): SeedState {
  const reps = CAPACITIES.map((capacity, n) => ({
    ...newMember({ email: `rep-${n + 1}@example.com`, name: `Rep ${n + 1}`, role: 'rep' }, BASE),
    capacity,
  }));
  const gone = { ...newMember({ email: GONE, name: 'Gone', role: 'rep' }, BASE), active: false };
  const manager = newMember({ email: MANAGER, name: 'Mei', role: 'manager' }, BASE);

  const leads: Lead[] = [];
  let n = 0;
  for (; n < POOL_LEADS; n++) {
    const cooling = n % 7 === 3 ? reps[n % reps.length]!.email : null;
    const cooldowns: Record<string, string> = cooling
      ? { [cooling]: addHours(BASE, (n % 5) * 12 + 6).toISOString() }
      : {};
    leads.push(lead(n, { cooldowns }));
  }

  for (const [index, rep] of [...reps, gone].entries()) {
    const count = Math.min(rep.capacity ?? POLICY.capacity, 2 + (index % 4));
    for (let held = 0; held < count; held++, n++) {
      const stage = STAGES[(n + held) % 4]!;
      leads.push(heldBy(lead(n), rep.email, (n * 13) % 110, stage));
    }
  }

  for (let customer = 0; customer < 6; customer++, n++) {
    const owner = reps[customer]!.email;
    const stage = customer % 2 === 0 ? 'contract' : 'paid';
    const held = heldBy(lead(n), owner, 50, stage);
    leads.push({ ...held, status: 'customer', followUpDueAt: null, dealDueAt: null });
  }

  for (let closed = 0; closed < 4; closed++, n++) {
    leads.push(lead(n, { status: 'closed', closeReason: 'lost', closeNote: 'Chose a rival' }));
  }

  const owned = (email: string) =>
    leads.filter((seeded) => seeded.status === 'owned' && seeded.ownerEmail === email).length;
  const members = [manager, ...reps, gone].map((member) => ({
    ...member,
    ownedCount: owned(member.email),
  }));

  return { policy: POLICY, members, leads };
}

export async function seedChaosTeam(store: Store, seed: SeedState): Promise<void> {
  await store.transaction(async (tx) => {
    tx.savePolicy(seed.policy);
    for (const member of seed.members) tx.saveMember(member);
    for (const seeded of seed.leads) {
      tx.saveLead(seeded);
      for (const key of leadKeys(seeded, seed.policy.defaultCountry))
        tx.saveLeadKey(key, seeded.id);
    }
  });
}
