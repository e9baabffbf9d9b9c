import { describe, expect, it } from 'vitest';

import { stateOf, type Lead } from './lead.js';
import type { Member } from './member.js';
import {
  decideReclaim,
  mayReceive,
  overdueReason,
  rankReceivers,
  type ReclaimInput,
} from './reclaim.js';
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

const justBefore = (at: Date) => new Date(at.getTime() - 1);

/** Ana took lead-1 at NOW: her follow-up is due 72 hours later, the deal 30 days later. */
const FOLLOW_UP_DUE = addHours(NOW, 72);
const DEAL_DUE = addHours(NOW, 30 * 24);

/** Ana's lead, followed up on day 29, so only the deal deadline can be missed on day 30. */
const followedUpLate = anOwnedLead(ANA, {
  lastFollowUpAt: addHours(NOW, 29 * 24).toISOString(),
  followUpDueAt: addHours(NOW, 32 * 24).toISOString(),
});

describe('overdueReason', () => {
  it('finds nothing overdue one millisecond before the follow-up is due', () => {
    expect(overdueReason(anOwnedLead(ANA), justBefore(FOLLOW_UP_DUE))).toBeNull();
  });

  it('finds the follow-up overdue the moment it falls due', () => {
    expect(overdueReason(anOwnedLead(ANA), FOLLOW_UP_DUE)).toBe('follow_up');
  });

  it('finds nothing overdue one millisecond before the deal is due', () => {
    expect(overdueReason(followedUpLate, justBefore(DEAL_DUE))).toBeNull();
  });

  it('finds the deal overdue the moment it falls due when the follow-up is not', () => {
    expect(overdueReason(followedUpLate, DEAL_DUE)).toBe('deal');
  });

  it('names the follow-up when both deadlines have passed', () => {
    expect(overdueReason(anOwnedLead(ANA), DEAL_DUE)).toBe('follow_up');
  });

  it.each([
    { status: 'pool', lead: aLead({ followUpDueAt: NOW.toISOString() }) },
    { status: 'customer', lead: anOwnedLead(ANA, { status: 'customer', stage: 'contract' }) },
    { status: 'closed', lead: anOwnedLead(ANA, { status: 'closed', closeReason: 'lost' }) },
  ])('never finds a $status lead overdue, whatever its stored deadlines', ({ lead }) => {
    expect(overdueReason(lead, DEAL_DUE)).toBeNull();
  });
});

describe('rankReceivers', () => {
  const rules = policy({ capacity: 10 });
  const emails = (members: Member[]) => members.map((member) => member.email);

  it('puts the rep with the most free capacity first', () => {
    const ranked = rankReceivers(
      [
        aRep({ email: ANA, ownedCount: 6 }),
        aRep({ email: BO, ownedCount: 2 }),
        aRep({ email: CY, ownedCount: 4 }),
      ],
      rules,
    );

    expect(emails(ranked)).toEqual([BO, CY, ANA]);
  });

  it('breaks a tie on free capacity in favour of the rep assigned least recently, or never', () => {
    const ranked = rankReceivers(
      [
        aRep({ email: ANA, lastAssignedAt: '2026-03-01T09:00:00.000Z' }),
        aRep({ email: BO, lastAssignedAt: '2026-02-27T09:00:00.000Z' }),
        aRep({ email: CY, lastAssignedAt: null }),
      ],
      rules,
    );

    expect(emails(ranked)).toEqual([CY, BO, ANA]);
  });

  it('breaks a remaining tie by email so a rerun makes the same choice', () => {
    const ranked = rankReceivers(
      [aRep({ email: CY }), aRep({ email: ANA }), aRep({ email: BO })],
      rules,
    );

    expect(emails(ranked)).toEqual([ANA, BO, CY]);
  });

  it('leaves out inactive members, members who are not reps and reps with no room', () => {
    const ranked = rankReceivers(
      [
        aRep({ email: 'off@example.com', active: false }),
        aManager(),
        aRep({ email: 'qi@example.com', role: 'qc' }),
        aRep({ email: 'full@example.com', ownedCount: 10 }),
        aRep({ email: 'small@example.com', capacity: 3, ownedCount: 3 }),
        aRep({ email: BO, ownedCount: 9 }),
      ],
      rules,
    );

    expect(emails(ranked)).toEqual([BO]);
  });

  it('measures free capacity against the rep’s own capacity when one is set', () => {
    const ranked = rankReceivers(
      [
        aRep({ email: ANA, ownedCount: 5 }),
        aRep({ email: BO, capacity: 20, ownedCount: 12 }),
        aRep({ email: CY, capacity: 4, ownedCount: 0 }),
      ],
      rules,
    );

    expect(emails(ranked)).toEqual([BO, ANA, CY]);
  });
});

describe('mayReceive', () => {
  const rules = policy({ capacity: 10 });
  const lead = aLead({ cooldowns: { [BO]: '2026-03-02T02:00:00.000Z', [CY]: NOW.toISOString() } });

  it.each([
    { name: 'an active rep with room', member: aRep(), expected: true },
    { name: 'a rep whose cooldown ends now', member: aRep({ email: CY }), expected: true },
    { name: 'a rep in cooldown for the lead', member: aRep({ email: BO }), expected: false },
    { name: 'an inactive rep', member: aRep({ active: false }), expected: false },
    { name: 'a rep at capacity', member: aRep({ ownedCount: 10 }), expected: false },
    {
      name: 'a rep at their own capacity',
      member: aRep({ capacity: 2, ownedCount: 2 }),
      expected: false,
    },
    { name: 'a manager', member: aManager(), expected: false },
    { name: 'a QC member', member: aRep({ role: 'qc' }), expected: false },
  ])('answers $expected for $name', ({ member, expected }) => {
    expect(mayReceive(member, lead, rules, NOW)).toBe(expected);
  });
});

describe('decideReclaim', () => {
  const rules = policy({ capacity: 10, cooldownHours: 48, followUpHours: 24, dealDays: 5 });
  const ana = aRep({ ownedCount: 4, lastAssignedAt: '2026-03-01T09:00:00.000Z' });
  const bo = aRep({ email: BO, name: 'Bo', ownedCount: 2 });
  const cy = aRep({ email: CY, name: 'Cy', ownedCount: 7 });

  /** Ana's lead, an hour past its follow-up deadline, offered to Bo then Cy. */
  const LATE = addHours(FOLLOW_UP_DUE, 1);
  const reclaim = (input: Partial<ReclaimInput> = {}) =>
    decideReclaim({
      lead: anOwnedLead(ANA),
      owner: ana,
      candidates: [bo, cy],
      policy: rules,
      now: LATE,
      ...input,
    });
  const receiverOf = (lead: Lead | undefined) => lead?.ownerEmail ?? 'the pool';

  it('refuses a lead whose deadlines have not passed', () => {
    expect(refusalOf(reclaim({ now: justBefore(FOLLOW_UP_DUE) }))).toBe('INVALID_TRANSITION');
  });

  it.each([
    { status: 'pool', lead: aLead() },
    { status: 'customer', lead: aLead({ status: 'customer', ownerEmail: ANA, stage: 'contract' }) },
    { status: 'closed', lead: aLead({ status: 'closed', closeReason: 'invalid' }) },
  ])('refuses to reclaim a $status lead', ({ lead }) => {
    expect(refusalOf(reclaim({ lead, owner: null }))).toBe('INVALID_TRANSITION');
  });

  it('gives the lead to the first candidate who may receive it', () => {
    const { leads } = accepted(reclaim());

    expect(receiverOf(leads[0])).toBe(BO);
  });

  it('never gives the lead back to its previous owner, even first with the most room', () => {
    const roomyAna = { ...ana, capacity: 100, ownedCount: 1 };

    const { leads } = accepted(reclaim({ candidates: [roomyAna, bo] }));

    expect(receiverOf(leads[0])).toBe(BO);
  });

  it.each([
    {
      name: 'in cooldown for the lead',
      lead: anOwnedLead(ANA, { cooldowns: { [BO]: addHours(LATE, 1).toISOString() } }),
      first: bo,
    },
    { name: 'inactive', lead: anOwnedLead(ANA), first: { ...bo, active: false } },
    { name: 'a manager', lead: anOwnedLead(ANA), first: aManager() },
    { name: 'at capacity', lead: anOwnedLead(ANA), first: { ...bo, ownedCount: 10 } },
  ])('passes over a candidate who is $name', ({ lead, first }) => {
    const { leads } = accepted(reclaim({ lead, candidates: [first, cy] }));

    expect(receiverOf(leads[0])).toBe(CY);
  });

  it('gives the lead to the rep with the most room when the candidates are ranked', () => {
    const team = [cy, bo, aRep({ email: 'dee@example.com', ownedCount: 5 })];

    const { leads } = accepted(reclaim({ candidates: rankReceivers(team, rules) }));

    expect(receiverOf(leads[0])).toBe(BO);
  });

  describe('when nobody may receive the lead', () => {
    const nobody = [ana, { ...bo, active: false }, { ...cy, ownedCount: 10 }];

    it('returns the lead to the pool with no owner and no deadlines', () => {
      const { leads } = accepted(reclaim({ candidates: nobody }));

      expect(leads).toEqual([
        expect.objectContaining({
          status: 'pool',
          ownerEmail: null,
          assignedAt: null,
          followUpDueAt: null,
          dealDueAt: null,
        }),
      ]);
    });

    it('only frees a place in the previous owner’s private pool', () => {
      const { members } = accepted(reclaim({ candidates: nobody }));

      expect(members.map((member) => [member.email, member.ownedCount])).toEqual([[ANA, 3]]);
    });

    it('records that the lead went to nobody', () => {
      const { events } = accepted(reclaim({ candidates: nobody }));

      expect(events[0]?.data).toEqual({ reason: 'follow_up', from: ANA, to: null });
    });
  });

  it('takes one lead off the previous owner’s count and adds one to the receiver’s', () => {
    const { members } = accepted(reclaim());

    expect(members).toEqual([
      expect.objectContaining({
        email: ANA,
        ownedCount: 3,
        lastAssignedAt: '2026-03-01T09:00:00.000Z',
      }),
      expect.objectContaining({ email: BO, ownedCount: 3, lastAssignedAt: LATE.toISOString() }),
    ]);
  });

  it('starts the previous owner’s cooldown on the lead', () => {
    const { leads } = accepted(reclaim());

    expect(leads[0]?.cooldowns).toEqual({ [ANA]: addHours(LATE, 48).toISOString() });
  });

  it('starts both deadlines afresh for the receiver', () => {
    const { leads } = accepted(reclaim());

    expect(leads[0]).toMatchObject({
      status: 'owned',
      ownerEmail: BO,
      assignedAt: LATE.toISOString(),
      lastFollowUpAt: null,
      followUpDueAt: addHours(LATE, 24).toISOString(),
      dealDueAt: addHours(LATE, 5 * 24).toISOString(),
    });
  });

  it('records the reclaim with its reason, both reps and the state before and after', () => {
    const lead = anOwnedLead(ANA);

    const { leads, events } = accepted(reclaim({ lead }));

    expect(events).toEqual([
      {
        type: 'lead.reclaimed',
        leadId: 'lead-1',
        subject: ANA,
        before: stateOf(lead),
        after: stateOf(leads[0]!),
        data: { reason: 'follow_up', from: ANA, to: BO },
      },
    ]);
  });

  it('names the deal deadline as the reason when only the deal was missed', () => {
    const { events } = accepted(reclaim({ lead: followedUpLate, now: DEAL_DUE }));

    expect(events[0]?.data).toMatchObject({ reason: 'deal' });
  });
});
