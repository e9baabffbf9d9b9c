import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  decideDistribute,
  morningNeed,
  planDistribution,
  type Deal,
  type DistributeInput,
} from './distribution.js';
import { cooldownUntil, stateOf, type Lead } from './lead.js';
import type { Member } from './member.js';
import type { Policy } from './policy.js';
import {
  ANA,
  BO,
  CY,
  NOW,
  aLead,
  aManager,
  aRep,
  accepted,
  anOwnedLead,
  policy,
  refusalOf,
} from './test-fixtures.js';
import { addHours } from './time.js';

/** `count` pool leads, lead-1 the oldest, in the order the store lists the pool. */
const poolOf = (count: number, overrides: (index: number) => Partial<Lead> = () => ({})) =>
  Array.from({ length: count }, (_, index) =>
    aLead({
      id: `lead-${index + 1}`,
      createdAt: addHours(NOW, index - count).toISOString(),
      ...overrides(index),
    }),
  );

const countsOf = (deals: Deal[]) =>
  Object.fromEntries(
    [...new Set(deals.map((deal) => deal.repEmail))]
      .sort()
      .map((email) => [email, deals.filter((deal) => deal.repEmail === email).length]),
  );

describe('morningNeed', () => {
  it.each([
    { name: 'a new rep', rules: {}, rep: aRep(), expected: 40 },
    { name: 'a rep part way there', rules: {}, rep: aRep({ ownedCount: 25 }), expected: 15 },
    {
      name: 'a smaller team capacity',
      rules: { capacity: 30 },
      rep: aRep({ ownedCount: 10 }),
      expected: 20,
    },
    {
      name: 'a smaller capacity of their own',
      rules: {},
      rep: aRep({ capacity: 20, ownedCount: 5 }),
      expected: 15,
    },
  ])('tops up to the allocation or capacity: $expected for $name', ({ rules, rep, expected }) => {
    expect(morningNeed(rep, policy(rules))).toBe(expected);
  });

  it.each([
    { name: 'a rep at the allocation', rules: {}, rep: aRep({ ownedCount: 40 }) },
    { name: 'a rep above the allocation', rules: {}, rep: aRep({ ownedCount: 45 }) },
    {
      name: 'a rep above a lowered capacity',
      rules: { capacity: 10 },
      rep: aRep({ ownedCount: 12 }),
    },
    { name: 'an inactive rep', rules: {}, rep: aRep({ active: false }) },
    { name: 'a manager', rules: {}, rep: aManager() },
    { name: 'a QC member', rules: {}, rep: aRep({ role: 'qc' }) },
  ])('is nothing, never less, for $name', ({ rules, rep }) => {
    expect(morningNeed(rep, policy(rules))).toBe(0);
  });
});

describe('planDistribution', () => {
  const rules = policy({ dailyAllocation: 4, capacity: 10 });

  it('tops every rep up to their need from an ample pool', () => {
    const reps = [
      aRep({ email: ANA, ownedCount: 1 }),
      aRep({ email: BO, ownedCount: 3 }),
      aRep({ email: CY, ownedCount: 0 }),
    ];

    const deals = planDistribution(reps, poolOf(12), rules, NOW);

    expect(countsOf(deals)).toEqual({ [ANA]: 3, [BO]: 1, [CY]: 4 });
  });

  it('deals the oldest leads and leaves the newest in the pool', () => {
    const reps = [aRep({ email: ANA, ownedCount: 1 }), aRep({ email: BO, ownedCount: 3 })];

    const deals = planDistribution(reps, poolOf(6), rules, NOW);

    expect(deals.map((deal) => deal.leadId).sort()).toEqual([
      'lead-1',
      'lead-2',
      'lead-3',
      'lead-4',
    ]);
  });

  it('deals one lead to each rep in turn, in email order, round after round', () => {
    const reps = [CY, ANA, BO].map((email) => aRep({ email, ownedCount: 2 }));

    const deals = planDistribution(reps, poolOf(6), rules, NOW);

    expect(deals).toEqual([
      { leadId: 'lead-1', repEmail: ANA },
      { leadId: 'lead-2', repEmail: BO },
      { leadId: 'lead-3', repEmail: CY },
      { leadId: 'lead-4', repEmail: ANA },
      { leadId: 'lead-5', repEmail: BO },
      { leadId: 'lead-6', repEmail: CY },
    ]);
  });

  it('shares a short pool evenly', () => {
    const reps = [ANA, BO, CY].map((email) => aRep({ email }));

    const deals = planDistribution(reps, poolOf(7), rules, NOW);

    expect(countsOf(deals)).toEqual({ [ANA]: 3, [BO]: 2, [CY]: 2 });
  });

  it('gives a new rep the same share of a short pool as a veteran below the allocation', () => {
    const newcomer = aRep({ email: ANA, ownedCount: 0 });
    const veteran = aRep({ email: BO, ownedCount: 30, lastAssignedAt: '2025-06-01T01:00:00.000Z' });

    const deals = planDistribution([newcomer, veteran], poolOf(10), policy(), NOW);

    expect(countsOf(deals)).toEqual({ [ANA]: 5, [BO]: 5 });
  });

  it('gives a lead in cooldown for one rep to the next rep', () => {
    const reps = [ANA, BO].map((email) => aRep({ email, ownedCount: 3 }));
    const pool = poolOf(2, (index) =>
      index === 0 ? { cooldowns: { [ANA]: addHours(NOW, 1).toISOString() } } : {},
    );

    const deals = planDistribution(reps, pool, rules, NOW);

    expect(deals).toEqual([
      { leadId: 'lead-2', repEmail: ANA },
      { leadId: 'lead-1', repEmail: BO },
    ]);
  });

  it('deals a lead to a rep whose cooldown on it ends at that moment', () => {
    const pool = poolOf(1, () => ({ cooldowns: { [ANA]: NOW.toISOString() } }));

    const deals = planDistribution([aRep({ ownedCount: 3 })], pool, rules, NOW);

    expect(deals).toEqual([{ leadId: 'lead-1', repEmail: ANA }]);
  });

  it('skips inactive members, members who are not reps and reps already at allocation', () => {
    const members = [
      aRep({ email: 'off@example.com', active: false }),
      aManager(),
      aRep({ email: 'qi@example.com', role: 'qc' }),
      aRep({ email: 'done@example.com', ownedCount: 4 }),
      aRep({ email: BO, ownedCount: 3 }),
    ];

    const deals = planDistribution(members, poolOf(10), rules, NOW);

    expect(deals).toEqual([{ leadId: 'lead-1', repEmail: BO }]);
  });

  it('deals nothing from an empty pool', () => {
    expect(planDistribution([aRep()], [], rules, NOW)).toEqual([]);
  });

  it('plans for 200 reps from a pool of 10,000 leads', () => {
    const reps = Array.from({ length: 200 }, (_, index) =>
      aRep({ email: `rep-${index}@example.com` }),
    );

    const deals = planDistribution(reps, poolOf(10_000), policy(), NOW);

    expect(deals).toHaveLength(200 * 40);
  });

  describe('for any team and pool', () => {
    type World = { reps: Member[]; pool: Lead[]; rules: Policy };

    const rulesArbitrary = fc
      .record({
        capacity: fc.integer({ min: 1, max: 12 }),
        dailyAllocation: fc.integer({ min: 0, max: 10 }),
      })
      .map((overrides) => policy(overrides));

    // Emails are drawn at random so that email order and input order disagree.
    const repsArbitrary = fc
      .uniqueArray(
        fc.record({
          number: fc.nat({ max: 99 }),
          ownedCount: fc.nat({ max: 12 }),
          capacity: fc.option(fc.integer({ min: 1, max: 15 }), { nil: null }),
          active: fc.oneof(
            { weight: 4, arbitrary: fc.constant(true) },
            { weight: 1, arbitrary: fc.constant(false) },
          ),
          role: fc.constantFrom('rep', 'rep', 'rep', 'manager'),
        }),
        { selector: (rep) => rep.number, minLength: 1, maxLength: 8 },
      )
      .map((fields) =>
        fields.map(({ number, ...rep }) =>
          aRep({ email: `rep-${String(number).padStart(2, '0')}@example.com`, ...rep }),
        ),
      );

    /** Cooldowns end up to 72 hours either side of NOW: some still run, some have ended. */
    const cooldownsArbitrary = (reps: Member[]) =>
      fc
        .array(
          fc.tuple(
            fc.constantFrom(...reps.map((rep) => rep.email)),
            fc.integer({ min: -72, max: 72 }),
          ),
          { maxLength: reps.length },
        )
        .map((entries) =>
          Object.fromEntries(
            entries.map(([email, hours]) => [email, addHours(NOW, hours).toISOString()]),
          ),
        );

    const totalNeed = (reps: Member[], rules: Policy) =>
      reps.reduce((sum, rep) => sum + morningNeed(rep, rules), 0);

    const worldArbitrary = ({ cooldowns, short }: { cooldowns: boolean; short: boolean }) =>
      fc.tuple(repsArbitrary, rulesArbitrary).chain(([reps, rules]) => {
        const need = totalNeed(reps, rules);
        const maxLength = short ? Math.max(0, need - 1) : need + 10;
        const cooldownsOf = cooldowns ? cooldownsArbitrary(reps) : fc.constant({});

        return fc.array(cooldownsOf, { maxLength }).map((perLead): World => ({
          reps,
          rules,
          pool: poolOf(perLead.length, (index) => ({ cooldowns: perLead[index]! })),
        }));
      });

    const plan = ({ reps, pool, rules }: World) => planDistribution(reps, pool, rules, NOW);
    const received = (deals: Deal[], rep: Member) =>
      deals.filter((deal) => deal.repEmail === rep.email).length;

    it('deals each pool lead at most once', () => {
      fc.assert(
        fc.property(worldArbitrary({ cooldowns: true, short: false }), (world) => {
          const dealt = plan(world).map((deal) => deal.leadId);
          const pooled = new Set(world.pool.map((lead) => lead.id));

          expect(new Set(dealt).size).toBe(dealt.length);
          expect(dealt.every((id) => pooled.has(id))).toBe(true);
        }),
      );
    });

    it('gives no rep more than their morning need', () => {
      fc.assert(
        fc.property(worldArbitrary({ cooldowns: true, short: false }), (world) => {
          const deals = plan(world);

          for (const rep of world.reps) {
            expect(received(deals, rep)).toBeLessThanOrEqual(morningNeed(rep, world.rules));
          }
        }),
      );
    });

    it('never deals a lead to a rep in cooldown for it', () => {
      fc.assert(
        fc.property(worldArbitrary({ cooldowns: true, short: false }), (world) => {
          const byId = new Map(world.pool.map((lead) => [lead.id, lead]));

          for (const { leadId, repEmail } of plan(world)) {
            expect(cooldownUntil(byId.get(leadId)!, repEmail, NOW)).toBeNull();
          }
        }),
      );
    });

    it('leaves no rep short while a lead they may take stays in the pool', () => {
      fc.assert(
        fc.property(worldArbitrary({ cooldowns: true, short: false }), (world) => {
          const deals = plan(world);
          const dealt = new Set(deals.map((deal) => deal.leadId));
          const left = world.pool.filter((lead) => !dealt.has(lead.id));

          for (const rep of world.reps) {
            if (received(deals, rep) === morningNeed(rep, world.rules)) continue;

            expect(left.filter((lead) => !cooldownUntil(lead, rep.email, NOW))).toEqual([]);
          }
        }),
      );
    });

    it('deals as many leads as the reps need or the pool holds when nothing is in cooldown', () => {
      fc.assert(
        fc.property(worldArbitrary({ cooldowns: false, short: false }), (world) => {
          const expected = Math.min(totalNeed(world.reps, world.rules), world.pool.length);

          expect(plan(world)).toHaveLength(expected);
        }),
      );
    });

    it('deals the oldest leads when nothing is in cooldown', () => {
      fc.assert(
        fc.property(worldArbitrary({ cooldowns: false, short: false }), (world) => {
          const deals = plan(world);
          const oldest = world.pool.slice(0, deals.length).map((lead) => lead.id);

          expect(deals.map((deal) => deal.leadId).sort()).toEqual(oldest.sort());
        }),
      );
    });

    // Evenly: a rep may end up more than one lead ahead of another only once the other
    // has all they need. Cooldowns can make a rep skip leads, so they are left out here.
    it('shares a short pool evenly when nothing is in cooldown', () => {
      fc.assert(
        fc.property(worldArbitrary({ cooldowns: false, short: true }), (world) => {
          const deals = plan(world);

          for (const a of world.reps) {
            for (const b of world.reps) {
              if (received(deals, a) <= received(deals, b) + 1) continue;

              expect(received(deals, b)).toBe(morningNeed(b, world.rules));
            }
          }
        }),
      );
    });
  });
});

describe('decideDistribute', () => {
  const rules = policy({ dailyAllocation: 3, capacity: 10, followUpHours: 24, dealDays: 5 });
  const bo = aRep({
    email: BO,
    name: 'Bo',
    ownedCount: 1,
    claimsDay: '2026-03-02',
    claimsOnDay: 2,
  });

  const distribute = (input: Partial<DistributeInput> = {}) =>
    decideDistribute({ lead: aLead(), rep: bo, policy: rules, now: NOW, ...input });

  it('makes the rep the owner of the pool lead with both deadlines starting now', () => {
    const { leads } = accepted(distribute());

    expect(leads).toEqual([
      expect.objectContaining({
        id: 'lead-1',
        status: 'owned',
        ownerEmail: BO,
        assignedAt: '2026-03-02T01:00:00.000Z',
        lastFollowUpAt: null,
        followUpDueAt: '2026-03-03T01:00:00.000Z',
        dealDueAt: '2026-03-07T01:00:00.000Z',
      }),
    ]);
  });

  it('adds the lead to the rep’s owned count and marks them assigned now', () => {
    const { members } = accepted(distribute());

    expect(members).toEqual([
      expect.objectContaining({
        email: BO,
        ownedCount: 2,
        lastAssignedAt: '2026-03-02T01:00:00.000Z',
      }),
    ]);
  });

  it('leaves the rep’s daily claims untouched', () => {
    const { members } = accepted(distribute());

    expect(members[0]).toMatchObject({ claimsDay: '2026-03-02', claimsOnDay: 2 });
  });

  it('records the distribution with the lead state before and after', () => {
    const lead = aLead();

    const { leads, events } = accepted(distribute({ lead }));

    expect(events).toEqual([
      {
        type: 'lead.distributed',
        leadId: 'lead-1',
        subject: BO,
        before: stateOf(lead),
        after: stateOf(leads[0]!),
      },
    ]);
  });

  it.each([
    { name: 'owned by a rep', lead: anOwnedLead(ANA) },
    { name: 'a customer', lead: aLead({ status: 'customer', ownerEmail: ANA, stage: 'contract' }) },
    { name: 'closed', lead: aLead({ status: 'closed', closeReason: 'duplicate' }) },
  ])('refuses a lead that is $name as no longer in the pool', ({ lead }) => {
    expect(refusalOf(distribute({ lead }))).toBe('LEAD_NOT_IN_POOL');
  });

  it.each([
    { name: 'the day’s allocation', rep: { ...bo, ownedCount: 3 } },
    { name: 'their own capacity', rep: { ...bo, capacity: 1 } },
  ])('refuses a rep who already has $name', ({ rep }) => {
    expect(refusalOf(distribute({ rep }))).toBe('CAPACITY_EXCEEDED');
  });

  it('refuses a rep in cooldown for the lead', () => {
    const lead = aLead({ cooldowns: { [BO]: '2026-03-04T01:00:00.000Z' } });

    expect(distribute({ lead })).toMatchObject({
      ok: false,
      violation: {
        code: 'COOLDOWN_ACTIVE',
        details: { leadId: 'lead-1', cooldownUntil: '2026-03-04T01:00:00.000Z' },
      },
    });
  });

  it.each([
    { name: 'an inactive rep', rep: { ...bo, active: false } },
    { name: 'a manager', rep: aManager() },
  ])('refuses $name', ({ rep }) => {
    expect(distribute({ rep }).ok).toBe(false);
  });
});
