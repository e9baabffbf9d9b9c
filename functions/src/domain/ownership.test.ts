import { describe, expect, it } from 'vitest';

import { stateOf, type Lead } from './lead.js';
import type { Member } from './member.js';
import { decideAssign, decideClaim, decideRelease, type ClaimInput } from './ownership.js';
import {
  ANA,
  BO,
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

const at = (iso: string) => new Date(iso);

/** Ana claims lead-1 from the pool at NOW under the default rules, unless told otherwise. */
const claim = (input: Partial<ClaimInput> = {}) =>
  decideClaim({ lead: aLead(), rep: aRep(), releases: [], policy: policy(), now: NOW, ...input });

describe('decideClaim', () => {
  it('makes the rep the owner of a pool lead', () => {
    const { leads } = accepted(claim());

    expect(leads[0]).toMatchObject({
      id: 'lead-1',
      status: 'owned',
      ownerEmail: ANA,
      assignedAt: '2026-03-02T01:00:00.000Z',
      lastFollowUpAt: null,
    });
  });

  it('starts the follow-up and deal deadlines from the moment of the claim', () => {
    const { leads } = accepted(claim({ policy: policy({ followUpHours: 48, dealDays: 10 }) }));

    expect(leads[0]).toMatchObject({
      followUpDueAt: '2026-03-04T01:00:00.000Z',
      dealDueAt: '2026-03-12T01:00:00.000Z',
    });
  });

  it('adds the claim to the rep’s owned count and to today’s claims', () => {
    const rep = aRep({ ownedCount: 2, claimsDay: '2026-03-02', claimsOnDay: 1 });

    const { members } = accepted(claim({ rep }));

    expect(members).toEqual([
      expect.objectContaining({
        email: ANA,
        ownedCount: 3,
        claimsDay: '2026-03-02',
        claimsOnDay: 2,
        lastAssignedAt: '2026-03-02T01:00:00.000Z',
      }),
    ]);
  });

  it('records the claim with the lead state before and after', () => {
    const lead = aLead();

    const { leads, events } = accepted(claim({ lead }));

    expect(events).toEqual([
      {
        type: 'lead.claimed',
        leadId: 'lead-1',
        subject: ANA,
        before: stateOf(lead),
        after: stateOf(leads[0]!),
      },
    ]);
  });

  it.each([
    { status: 'owned', lead: anOwnedLead(BO) },
    { status: 'customer', lead: aLead({ status: 'customer', ownerEmail: BO, stage: 'contract' }) },
    { status: 'closed', lead: aLead({ status: 'closed', closeReason: 'invalid' }) },
  ])('refuses a lead that is $status as no longer in the pool', ({ lead }) => {
    expect(refusalOf(claim({ lead }))).toBe('LEAD_NOT_IN_POOL');
  });

  describe('capacity and the swap rule', () => {
    const full = { rep: aRep({ ownedCount: 2 }), policy: policy({ capacity: 2 }) };
    const mine = [anOwnedLead(ANA, { id: 'mine-1' }), anOwnedLead(ANA, { id: 'mine-2' })];

    it('refuses a claim at capacity that names no lead to release', () => {
      expect(claim(full)).toMatchObject({
        ok: false,
        violation: { code: 'CAPACITY_EXCEEDED', details: { capacity: 2, mustRelease: 1 } },
      });
    });

    it('claims at capacity when one of the rep’s own leads is released in the same step', () => {
      const { leads, members } = accepted(claim({ ...full, releases: [mine[0]!] }));

      expect(leads.map((lead) => [lead.id, lead.status, lead.ownerEmail])).toEqual([
        ['lead-1', 'owned', ANA],
        ['mine-1', 'pool', null],
      ]);
      expect(members[0]).toMatchObject({ ownedCount: 2, claimsOnDay: 1 });
    });

    it('starts the rep’s cooldown on each lead released in a swap', () => {
      const rules = policy({ capacity: 2, cooldownHours: 12 });

      const { leads } = accepted(claim({ ...full, policy: rules, releases: mine }));

      expect(leads.slice(1).map((lead) => lead.cooldowns)).toEqual([
        { [ANA]: '2026-03-02T13:00:00.000Z' },
        { [ANA]: '2026-03-02T13:00:00.000Z' },
      ]);
    });

    it('records a release for each lead handed back in a swap, then the claim', () => {
      const { leads, events } = accepted(claim({ ...full, releases: [mine[0]!] }));

      expect(events).toEqual([
        {
          type: 'lead.released',
          leadId: 'mine-1',
          subject: ANA,
          before: stateOf(mine[0]!),
          after: stateOf(leads[1]!),
          data: { reason: 'swap', swappedFor: 'lead-1' },
        },
        expect.objectContaining({ type: 'lead.claimed', leadId: 'lead-1' }),
      ]);
    });

    it.each([
      { name: 'owned by another rep', release: anOwnedLead(BO, { id: 'theirs' }) },
      { name: 'in the pool', release: aLead({ id: 'pooled' }) },
      {
        name: 'that is a customer',
        release: aLead({ id: 'won', status: 'customer', ownerEmail: ANA }),
      },
    ])('refuses a swap that names a lead $name', ({ release }) => {
      expect(claim({ ...full, releases: [release] })).toMatchObject({
        ok: false,
        violation: { code: 'NOT_OWNER', details: { leadIds: [release.id] } },
      });
    });

    it('counts a lead named twice in a swap as one release', () => {
      const decision = claim({ ...full, releases: [mine[0]!, mine[0]!] });

      // Whatever else it answers, Ana now owns mine-2 and lead-1.
      expect(accepted(decision).members[0]?.ownedCount).toBe(2);
    });

    it.each([
      { name: 'above', capacity: 5, ownedCount: 4, expected: 'none' },
      { name: 'below', capacity: 2, ownedCount: 2, expected: 'CAPACITY_EXCEEDED' },
    ])(
      'holds the rep to their own capacity when it is $name the team capacity',
      ({ capacity, ownedCount, expected }) => {
        const decision = claim({
          rep: aRep({ capacity, ownedCount }),
          policy: policy({ capacity: 3 }),
        });

        expect(refusalOf(decision)).toBe(expected);
      },
    );
  });

  describe('the daily claim limit', () => {
    const limitOfTwo = (timeZone = 'Asia/Shanghai') => policy({ dailyClaimLimit: 2, timeZone });

    it('refuses a claim once the rep has claimed the limit today', () => {
      const rep = aRep({ claimsDay: '2026-03-02', claimsOnDay: 2 });

      expect(claim({ rep, policy: limitOfTwo() })).toMatchObject({
        ok: false,
        violation: { code: 'DAILY_CLAIM_LIMIT', details: { limit: 2, claimedToday: 2 } },
      });
    });

    it('counts claims afresh on a new team day', () => {
      const rep = aRep({ claimsDay: '2026-03-01', claimsOnDay: 2 });

      const { members } = accepted(claim({ rep, policy: limitOfTwo() }));

      expect(members[0]).toMatchObject({ claimsDay: '2026-03-02', claimsOnDay: 1 });
    });

    const midnights = [
      {
        timeZone: 'Asia/Shanghai',
        day: '2026-03-02',
        lastSecond: '2026-03-02T15:59:59Z',
        midnight: '2026-03-02T16:00:00Z',
        nextDay: '2026-03-03',
      },
      {
        timeZone: 'America/New_York',
        day: '2026-03-02',
        lastSecond: '2026-03-03T04:59:59Z',
        midnight: '2026-03-03T05:00:00Z',
        nextDay: '2026-03-03',
      },
      // New York moved its clocks forward on 2026-03-08: its midnight is an hour earlier in UTC.
      {
        timeZone: 'America/New_York',
        day: '2026-03-09',
        lastSecond: '2026-03-10T03:59:59Z',
        midnight: '2026-03-10T04:00:00Z',
        nextDay: '2026-03-10',
      },
    ];

    it.each(midnights)(
      'still counts $day at one second to midnight in $timeZone',
      ({ timeZone, day, lastSecond }) => {
        const rep = aRep({ claimsDay: day, claimsOnDay: 2 });

        const decision = claim({ rep, policy: limitOfTwo(timeZone), now: at(lastSecond) });

        expect(refusalOf(decision)).toBe('DAILY_CLAIM_LIMIT');
      },
    );

    // Requests are stamped before they wait for the store's locks, so at midnight one
    // stamped on the old day can commit after the new day's claims have been counted.
    it.each(midnights)(
      'counts a claim stamped on $day that commits after $nextDay began toward $nextDay',
      ({ timeZone, lastSecond, nextDay }) => {
        const limit = limitOfTwo(timeZone);
        const late = (rep: Member) => claim({ rep, policy: limit, now: at(lastSecond) });

        const full = aRep({ claimsDay: nextDay, claimsOnDay: 2 });
        const counting = aRep({ claimsDay: nextDay, claimsOnDay: 1 });

        expect(refusalOf(late(full))).toBe('DAILY_CLAIM_LIMIT');
        expect(accepted(late(counting)).members[0]).toMatchObject({
          claimsDay: nextDay,
          claimsOnDay: 2,
        });
      },
    );

    it.each(midnights)(
      'starts $nextDay at midnight in $timeZone',
      ({ timeZone, day, midnight, nextDay }) => {
        const rep = aRep({ claimsDay: day, claimsOnDay: 2 });

        const { members } = accepted(
          claim({ rep, policy: limitOfTwo(timeZone), now: at(midnight) }),
        );

        expect(members[0]).toMatchObject({ claimsDay: nextDay, claimsOnDay: 1 });
      },
    );
  });

  describe('cooldown', () => {
    const rules = policy({ cooldownHours: 72 });
    const lostAt = NOW;
    const released = accepted(
      decideRelease({
        lead: anOwnedLead(ANA),
        owner: aRep({ ownedCount: 1 }),
        reason: 'wrong region',
        policy: rules,
        now: lostAt,
      }),
    );
    const afterRelease = { lead: released.leads[0]!, rep: released.members[0]!, policy: rules };

    it('refuses the rep who released a lead until cooldownHours have passed', () => {
      const now = new Date(addHours(lostAt, 72).getTime() - 1);

      expect(claim({ ...afterRelease, now })).toMatchObject({
        ok: false,
        violation: {
          code: 'COOLDOWN_ACTIVE',
          details: { leadId: 'lead-1', cooldownUntil: '2026-03-05T01:00:00.000Z' },
        },
      });
    });

    it('lets the rep claim the lead back at the exact moment the cooldown ends', () => {
      const now = addHours(lostAt, 72);

      expect(refusalOf(claim({ ...afterRelease, now }))).toBe('none');
    });

    it('lets another rep claim the lead at once', () => {
      const bo = aRep({ email: BO });

      expect(refusalOf(claim({ ...afterRelease, rep: bo, now: lostAt }))).toBe('none');
    });

    it('drops expired cooldowns and keeps running ones when it writes the lead', () => {
      const lead = aLead({
        cooldowns: {
          'old@example.com': '2026-03-01T00:00:00.000Z',
          'edge@example.com': NOW.toISOString(),
          [BO]: '2026-03-02T02:00:00.000Z',
        },
      });

      const { leads } = accepted(claim({ lead }));

      expect(leads[0]?.cooldowns).toEqual({ [BO]: '2026-03-02T02:00:00.000Z' });
    });
  });
});

describe('decideRelease', () => {
  const owner = aRep({ ownedCount: 3 });
  const rules = policy({ cooldownHours: 24 });
  const release = (lead: Lead, by: Member = owner) =>
    decideRelease({ lead, owner: by, reason: 'no budget', policy: rules, now: NOW });

  it('returns the lead to the pool with no owner and no deadlines', () => {
    const { leads } = accepted(release(anOwnedLead(ANA)));

    expect(leads[0]).toMatchObject({
      status: 'pool',
      ownerEmail: null,
      assignedAt: null,
      followUpDueAt: null,
      dealDueAt: null,
    });
  });

  it('starts the owner’s cooldown on the lead', () => {
    const { leads } = accepted(release(anOwnedLead(ANA)));

    expect(leads[0]?.cooldowns).toEqual({ [ANA]: '2026-03-03T01:00:00.000Z' });
  });

  it('frees a place in the owner’s private pool', () => {
    const { members } = accepted(release(anOwnedLead(ANA)));

    expect(members).toEqual([expect.objectContaining({ email: ANA, ownedCount: 2 })]);
  });

  it('records the release with its reason and the state before and after', () => {
    const lead = anOwnedLead(ANA);

    const { leads, events } = accepted(release(lead));

    expect(events).toEqual([
      {
        type: 'lead.released',
        leadId: 'lead-1',
        subject: ANA,
        before: stateOf(lead),
        after: stateOf(leads[0]!),
        data: { reason: 'no budget' },
      },
    ]);
  });

  it.each([
    { name: 'owned by another rep', lead: anOwnedLead(BO) },
    { name: 'in the pool', lead: aLead() },
  ])('refuses to release a lead $name', ({ lead }) => {
    expect(refusalOf(release(lead))).toBe('NOT_OWNER');
  });
});

describe('decideAssign', () => {
  const rules = policy({ capacity: 3, cooldownHours: 48 });
  const bo = aRep({
    email: BO,
    name: 'Bo',
    ownedCount: 1,
    claimsDay: '2026-03-02',
    claimsOnDay: 2,
  });
  const ana = aRep({ ownedCount: 2, claimsDay: '2026-03-02', claimsOnDay: 1 });

  const assign = (lead: Lead, target: Member, previousOwner: Member | null = null) =>
    decideAssign({ lead, target, previousOwner, policy: rules, now: NOW });

  it('gives a pool lead to the rep with both deadlines starting now', () => {
    const { leads, members } = accepted(assign(aLead(), bo));

    expect(leads[0]).toMatchObject({
      status: 'owned',
      ownerEmail: BO,
      followUpDueAt: '2026-03-05T01:00:00.000Z',
      dealDueAt: '2026-04-01T01:00:00.000Z',
    });
    expect(members).toEqual([expect.objectContaining({ email: BO, ownedCount: 2 })]);
  });

  it('moves an owned lead from one rep to another and updates both counts', () => {
    const { leads, members } = accepted(assign(anOwnedLead(ANA), bo, ana));

    expect(leads[0]?.ownerEmail).toBe(BO);
    expect(members.map((member) => [member.email, member.ownedCount])).toEqual([
      [BO, 2],
      [ANA, 1],
    ]);
  });

  it('starts the previous owner’s cooldown on the lead', () => {
    const { leads } = accepted(assign(anOwnedLead(ANA), bo, ana));

    expect(leads[0]?.cooldowns).toEqual({ [ANA]: '2026-03-04T01:00:00.000Z' });
  });

  it('leaves the daily claims of both reps untouched', () => {
    const { members } = accepted(assign(anOwnedLead(ANA), bo, ana));

    expect(members.map((member) => [member.claimsDay, member.claimsOnDay])).toEqual([
      ['2026-03-02', 2],
      ['2026-03-02', 1],
    ]);
  });

  it('records the assignment with the previous owner', () => {
    const lead = anOwnedLead(ANA);

    const { leads, events } = accepted(assign(lead, bo, ana));

    expect(events).toEqual([
      {
        type: 'lead.assigned',
        leadId: 'lead-1',
        subject: BO,
        before: stateOf(lead),
        after: stateOf(leads[0]!),
        data: { from: ANA },
      },
    ]);
  });

  it.each([
    { name: 'the team capacity', target: aRep({ email: BO, ownedCount: 3 }) },
    { name: 'their own capacity', target: aRep({ email: BO, capacity: 1, ownedCount: 1 }) },
  ])('refuses a rep who is at $name', ({ target }) => {
    expect(refusalOf(assign(aLead(), target))).toBe('CAPACITY_EXCEEDED');
  });

  it.each([
    { name: 'an inactive rep', lead: aLead(), target: aRep({ email: BO, active: false }) },
    { name: 'a manager', lead: aLead(), target: aManager() },
    { name: 'a QC member', lead: aLead(), target: aRep({ email: 'qi@example.com', role: 'qc' }) },
    {
      name: 'anyone, for a customer',
      lead: aLead({ status: 'customer', ownerEmail: ANA, stage: 'contract' }),
      target: bo,
    },
    {
      name: 'anyone, for a closed lead',
      lead: aLead({ status: 'closed', closeReason: 'lost' }),
      target: bo,
    },
    { name: 'the rep who already owns it', lead: anOwnedLead(BO), target: bo },
  ])('refuses to assign to $name', ({ lead, target }) => {
    expect(refusalOf(assign(lead, target))).toBe('INVALID_TRANSITION');
  });
});
