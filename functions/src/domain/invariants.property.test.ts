import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Changes } from './changes.js';
import type { Lead } from './lead.js';
import { decideClose, decideFollowUp } from './lifecycle.js';
import { capacityOf, type Member } from './member.js';
import { decideAssign, decideClaim, decideRelease } from './ownership.js';
import type { Policy } from './policy.js';
import { NOW, aLead, aManager, aRep, policy } from './test-fixtures.js';
import { addHours, hoursBetween } from './time.js';
import type { Decision } from './violations.js';

/** The store as the rules see it, plus when each rep last lost each lead. */
type World = {
  now: Date;
  policy: Policy;
  leads: Map<string, Lead>;
  members: Map<string, Member>;
  lostAt: Map<string, Date>;
};

/** Each rep's own capacity (null: the team's), how many pool leads, and the team's rules. */
type Setup = { reps: (number | null)[]; leadCount: number; policy: Policy };

// Indices are taken modulo the world's size, so one command arbitrary fits every world.
type Command =
  | { kind: 'claim'; rep: number; lead: number; release: number[] }
  | { kind: 'swap'; rep: number; lead: number; count: number }
  | { kind: 'claimBack'; rep: number; lead: number }
  | { kind: 'release'; rep: number; lead: number; byOwner: boolean }
  | { kind: 'assign'; rep: number; lead: number }
  | { kind: 'followUp'; rep: number; lead: number; byOwner: boolean }
  | { kind: 'close'; rep: number; lead: number; byManager: boolean }
  | { kind: 'wait'; hours: number };

type Step = Exclude<Command, { kind: 'wait' }>;

const MANAGER = aManager();

const repIndex = fc.nat({ max: 4 });
const leadIndex = fc.nat({ max: 9 });
const target = { rep: repIndex, lead: leadIndex };
const byOwner = fc.boolean();
const byManager = fc.boolean();

const setupArbitrary: fc.Arbitrary<Setup> = fc.record({
  reps: fc.array(fc.option(fc.integer({ min: 2, max: 4 })), { minLength: 3, maxLength: 5 }),
  leadCount: fc.integer({ min: 6, max: 10 }),
  policy: fc
    .record({
      capacity: fc.integer({ min: 2, max: 4 }),
      dailyClaimLimit: fc.integer({ min: 1, max: 3 }),
      cooldownHours: fc.integer({ min: 1, max: 12 }),
      timeZone: fc.constantFrom('Asia/Shanghai', 'America/New_York', 'UTC'),
    })
    .map((rules) => policy(rules)),
});

const kind = <K extends Command['kind']>(name: K) => fc.constant(name);

// Weighted towards claims so that pools fill up and the capacity and cooldown rules bite.
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: kind('claim'),
      ...target,
      release: fc.uniqueArray(leadIndex, { maxLength: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: kind('swap'), ...target, count: fc.integer({ min: 1, max: 2 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: kind('claimBack'), ...target }) },
  { weight: 2, arbitrary: fc.record({ kind: kind('release'), ...target, byOwner }) },
  { weight: 2, arbitrary: fc.record({ kind: kind('assign'), ...target }) },
  { weight: 1, arbitrary: fc.record({ kind: kind('followUp'), ...target, byOwner }) },
  { weight: 1, arbitrary: fc.record({ kind: kind('close'), ...target, byManager }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: kind('wait'), hours: fc.integer({ min: 1, max: 24 }) }),
  },
);

function createWorld({ reps, leadCount, policy }: Setup): World {
  const members = reps.map((capacity, index) =>
    aRep({ email: `rep${index}@example.com`, name: `Rep ${index}`, capacity }),
  );
  const leads = Array.from({ length: leadCount }, (_, index) => aLead({ id: `lead-${index}` }));

  return {
    now: NOW,
    policy,
    leads: new Map(leads.map((lead) => [lead.id, lead])),
    members: new Map([MANAGER, ...members].map((member) => [member.email, member])),
    lostAt: new Map(),
  };
}

/** Writes a decision's documents over the world; a refused decision changes nothing. */
function apply(world: World, changes: Changes): World {
  const leads = new Map(world.leads);
  const lostAt = new Map(world.lostAt);
  for (const lead of changes.leads) {
    const before = world.leads.get(lead.id);
    if (before?.ownerEmail && before.status === 'owned' && lead.ownerEmail !== before.ownerEmail) {
      lostAt.set(`${before.ownerEmail} ${lead.id}`, world.now);
    }
    leads.set(lead.id, lead);
  }

  const members = new Map(world.members);
  for (const member of changes.members) members.set(member.email, member);

  return { ...world, leads, members, lostAt };
}

function repsOf(world: World): Member[] {
  return [...world.members.values()].filter((member) => member.role === 'rep');
}

function ownerOf(world: World, lead: Lead): Member | null {
  return lead.status === 'owned' && lead.ownerEmail
    ? (world.members.get(lead.ownerEmail) ?? null)
    : null;
}

function lastLostBy(world: World, email: string): Lead | undefined {
  let latest: { leadId: string; at: Date } | undefined;
  for (const [key, at] of world.lostAt) {
    const [loser, leadId] = key.split(' ');
    if (loser === email && (!latest || at >= latest.at)) latest = { leadId: leadId!, at };
  }

  return latest && world.leads.get(latest.leadId);
}

/** The rep and the lead a command names; claimBack names the lead the rep lost last. */
function pick(world: World, command: Step): { rep: Member; lead: Lead; leads: Lead[] } {
  const reps = repsOf(world);
  const leads = [...world.leads.values()];
  const rep = reps[command.rep % reps.length]!;
  const named = leads[command.lead % leads.length]!;
  const lead = command.kind === 'claimBack' ? (lastLostBy(world, rep.email) ?? named) : named;

  return { rep, lead, leads };
}

function decide(world: World, command: Step): Decision<Changes> {
  const { rep, lead, leads } = pick(world, command);
  const { policy, now } = world;

  switch (command.kind) {
    case 'claim': {
      const ids = new Set(command.release.map((index) => leads[index % leads.length]!.id));
      const releases = [...ids].map((id) => world.leads.get(id)!);

      return decideClaim({ lead, rep, releases, policy, now });
    }

    case 'swap': {
      const releases = leads
        .filter((own) => own.status === 'owned' && own.ownerEmail === rep.email)
        .slice(0, command.count);

      return decideClaim({ lead, rep, releases, policy, now });
    }

    case 'claimBack':
      return decideClaim({ lead, rep, releases: [], policy, now });

    case 'release': {
      const owner = command.byOwner ? (ownerOf(world, lead) ?? rep) : rep;

      return decideRelease({ lead, owner, reason: 'testing', policy, now });
    }

    case 'assign':
      return decideAssign({ lead, target: rep, previousOwner: ownerOf(world, lead), policy, now });

    case 'followUp': {
      const actor = command.byOwner ? (ownerOf(world, lead) ?? rep) : rep;

      return decideFollowUp({ lead, actor, channel: 'call', note: '', policy, now });
    }

    case 'close': {
      const actor = command.byManager ? MANAGER : rep;
      const owner = ownerOf(world, lead);

      return decideClose({ lead, actor, owner, reason: 'lost', note: null, now });
    }
  }
}

function expectClaimOutsideCooldown(world: World, repEmail: string, leadId: string): void {
  const lost = world.lostAt.get(`${repEmail} ${leadId}`);
  if (!lost) return;

  expect(hoursBetween(lost, world.now)).toBeGreaterThanOrEqual(world.policy.cooldownHours);
}

function expectInvariants(world: World): void {
  const leads = [...world.leads.values()];

  for (const lead of leads.filter((open) => open.status === 'pool' || open.status === 'owned')) {
    expect(lead.ownerEmail !== null, lead.id).toBe(lead.status === 'owned');
  }

  for (const rep of repsOf(world)) {
    const owned = leads.filter((lead) => lead.status === 'owned' && lead.ownerEmail === rep.email);

    expect(rep.ownedCount, rep.email).toBe(owned.length);
    expect(rep.ownedCount, rep.email).toBeLessThanOrEqual(capacityOf(rep, world.policy));
    expect(rep.claimsOnDay, rep.email).toBeLessThanOrEqual(world.policy.dailyClaimLimit);
  }

  // Catches an owned lead whose owner is not a rep of this world.
  const ownedByReps = repsOf(world).reduce((sum, rep) => sum + rep.ownedCount, 0);
  expect(ownedByReps).toBe(leads.filter((lead) => lead.status === 'owned').length);
}

function isClaim(command: Step): boolean {
  return command.kind === 'claim' || command.kind === 'swap' || command.kind === 'claimBack';
}

describe('the pool under any sequence of commands', () => {
  it('keeps ownership, counts, capacity, cooldowns and daily limits consistent', () => {
    fc.assert(
      fc.property(
        setupArbitrary,
        fc.array(commandArbitrary, { minLength: 10, maxLength: 60, size: 'max' }),
        (setup, commands) => {
          let world = createWorld(setup);
          expectInvariants(world);

          for (const command of commands) {
            if (command.kind === 'wait') {
              world = { ...world, now: addHours(world.now, command.hours) };
              continue;
            }

            const decision = decide(world, command);
            if (!decision.ok) continue;

            if (isClaim(command)) {
              const { rep, lead } = pick(world, command);
              expectClaimOutsideCooldown(world, rep.email, lead.id);
            }

            world = apply(world, decision.value);
            expectInvariants(world);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
