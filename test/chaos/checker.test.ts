import { describe, expect, it } from 'vitest';

import type { EventType, StoredEvent } from '../../functions/src/domain/events.js';
import { stateOf, type Lead, type LeadState } from '../../functions/src/domain/lead.js';
import { newMember, type Member } from '../../functions/src/domain/member.js';
import { DEFAULT_POLICY } from '../../functions/src/domain/policy.js';
import { aLead } from '../../functions/src/domain/test-fixtures.js';
import { checkHistory } from './checker.js';
import type { SeedState } from './team.js';

// A checker that never objects proves nothing: each broken rule below is planted in a
// history of a few events, and the checker must name it.
const ANA = 'ana@example.com';
const BO = 'bo@example.com';
const T0 = Date.parse('2026-03-02T01:00:00Z');

const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

const POOL: LeadState = stateOf(aLead());

function ownedBy(email: string, since = 0): LeadState {
  return { ...POOL, status: 'owned', ownerEmail: email, followUpDueAt: at(since + 72) };
}

function aSeed(leads: Lead[], policy = DEFAULT_POLICY): SeedState {
  const members: Member[] = [
    { ...newMember({ email: ANA, name: 'Ana', role: 'rep' }, new Date(T0)), capacity: 1 },
    { ...newMember({ email: BO, name: 'Bo', role: 'rep' }, new Date(T0)), capacity: 2 },
  ];
  const owned = (email: string) => leads.filter((lead) => stateOf(lead).ownerEmail === email);

  return {
    policy,
    members: members.map((m) => ({ ...m, ownedCount: owned(m.email).length })),
    leads,
  };
}

let sequence = 0;

function anEvent(
  type: EventType,
  leadId: string,
  before: LeadState,
  after: LeadState,
  hours: number,
): StoredEvent {
  return {
    id: `event-${++sequence}`,
    type,
    at: at(hours),
    seq: 0,
    leadId,
    subject: after.ownerEmail ?? before.ownerEmail,
    actor: 'test',
    relayedBy: null,
    requestId: null,
    before: { ...before },
    after: { ...after },
    data: null,
  };
}

const NOTHING_STORED = { leads: [], members: [] };

describe('checkHistory', () => {
  it('accepts a claim, a release and another rep claiming the lead', () => {
    const seed = aSeed([aLead({ id: 'L1' })]);
    const events = [
      anEvent('lead.claimed', 'L1', POOL, ownedBy(ANA, 1), 1),
      anEvent('lead.released', 'L1', ownedBy(ANA, 1), POOL, 2),
      anEvent('lead.claimed', 'L1', POOL, ownedBy(BO, 3), 3),
    ];
    const stored = {
      leads: [aLead({ id: 'L1', ...ownedBy(BO, 3), cooldowns: { [ANA]: at(74) } })],
      members: seed.members.map((m) => ({
        ...m,
        ownedCount: m.email === BO ? 1 : 0,
        claimsDay: '2026-03-02',
        claimsOnDay: 1,
      })),
    };

    const verdict = checkHistory(seed, events, stored);

    expect(verdict.steps).toEqual([]);
    expect(verdict.end).toEqual([]);
  });

  it('flags a claim decided from a pool lead another claim had already taken', () => {
    const seed = aSeed([aLead({ id: 'L1' })]);
    const events = [
      anEvent('lead.claimed', 'L1', POOL, ownedBy(ANA, 1), 1),
      anEvent('lead.claimed', 'L1', POOL, ownedBy(BO, 1), 1),
    ];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([
      expect.stringContaining('decided from pool/-/new, but the lead was owned/ana@example.com'),
      expect.stringContaining('claimed while owned'),
    ]);
  });

  it('flags a claim that takes a rep past their capacity', () => {
    const seed = aSeed([aLead({ id: 'L1', ...ownedBy(ANA) }), aLead({ id: 'L2' })]);
    const events = [anEvent('lead.claimed', 'L2', POOL, ownedBy(ANA, 1), 1)];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([
      expect.stringContaining('ana@example.com owns 2, over a capacity of 1'),
    ]);
  });

  it('flags a claim by the rep who released the lead before the cooldown ends', () => {
    const seed = aSeed([aLead({ id: 'L1', ...ownedBy(ANA) })]);
    const events = [
      anEvent('lead.released', 'L1', ownedBy(ANA), POOL, 1),
      anEvent('lead.claimed', 'L1', POOL, ownedBy(ANA, 50), 50),
    ];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([
      expect.stringContaining(`ana@example.com got it in a cooldown running until ${at(73)}`),
    ]);
  });

  it('accepts that claim when a change of owner stamped after the cooldown ended it', () => {
    const seed = aSeed([aLead({ id: 'L1', ...ownedBy(ANA) })]);
    const events = [
      anEvent('lead.released', 'L1', ownedBy(ANA), POOL, 1),
      anEvent('lead.claimed', 'L1', POOL, ownedBy(BO, 80), 80),
      anEvent('lead.released', 'L1', ownedBy(BO, 80), POOL, 81),
      anEvent('lead.claimed', 'L1', POOL, ownedBy(ANA, 72), 72),
    ];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([]);
  });

  it('flags a lead dealt to a rep who has left', () => {
    const seed = aSeed([aLead({ id: 'L1' })]);
    seed.members = seed.members.map((m) => (m.email === BO ? { ...m, active: false } : m));
    const events = [anEvent('lead.distributed', 'L1', POOL, ownedBy(BO, 1), 1)];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([
      expect.stringContaining('given to bo@example.com, who is not an active rep'),
    ]);
  });

  it('flags a reclaim that hands the lead back to the rep who lost it', () => {
    const seed = aSeed([aLead({ id: 'L1', ...ownedBy(ANA) })]);
    const events = [anEvent('lead.reclaimed', 'L1', ownedBy(ANA), ownedBy(ANA, 80), 80)];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([
      expect.stringContaining('handed back to ana@example.com, who had just lost it'),
    ]);
  });

  it('flags a reclaim of a customer', () => {
    const customer: LeadState = { ...POOL, status: 'customer', ownerEmail: ANA, stage: 'paid' };
    const seed = aSeed([aLead({ id: 'L1', ...customer })]);
    const events = [anEvent('lead.reclaimed', 'L1', customer, POOL, 80)];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([
      expect.stringContaining('reclaimed while customer'),
      expect.stringContaining('reclaimed before it was due'),
    ]);
  });

  it('flags a reclaim of a lead not yet due', () => {
    const seed = aSeed([aLead({ id: 'L1', ...ownedBy(ANA) })]);
    const events = [anEvent('lead.reclaimed', 'L1', ownedBy(ANA), ownedBy(BO, 70), 70)];

    const { steps } = checkHistory(seed, events, NOTHING_STORED);

    expect(steps).toEqual([expect.stringContaining('reclaimed before it was due')]);
  });

  it('flags an owned count that differs from the leads the member owns', () => {
    const seed = aSeed([aLead({ id: 'L1', ...ownedBy(ANA) })]);
    const stored = {
      leads: seed.leads,
      members: seed.members.map((m) => ({ ...m, ownedCount: 0 })),
    };

    const { end } = checkHistory(seed, [], stored);

    expect(end).toEqual(['ana@example.com: ownedCount 0, owns 1, replayed 1']);
  });

  it('flags a stored lead that is not where its history left it', () => {
    const seed = aSeed([aLead({ id: 'L1' })]);
    const events = [anEvent('lead.claimed', 'L1', POOL, ownedBy(ANA, 1), 1)];
    const stored = { leads: seed.leads, members: seed.members };

    const { end } = checkHistory(seed, events, stored);

    expect(end).toEqual([
      'L1: replayed owned/ana@example.com/new, stored pool/-/new',
      'ana@example.com: ownedCount 0, owns 0, replayed 1',
      'ana@example.com: claims 0 on null, replayed 1 on 2026-03-02',
    ]);
  });

  describe('the daily claim limit', () => {
    const limitOfTwo = { ...DEFAULT_POLICY, dailyClaimLimit: 2 };
    const pool = ['L1', 'L2', 'L3'].map((id) => aLead({ id }));

    /** Bo claims each lead at its hour and releases it an hour later. */
    const claimsAt = (hours: number[]) =>
      hours.flatMap((hour, n) => [
        anEvent('lead.claimed', `L${n + 1}`, POOL, ownedBy(BO, hour), hour),
        anEvent('lead.released', `L${n + 1}`, ownedBy(BO, hour), POOL, hour + 0.5),
      ]);

    it('flags a claim past the limit on one team day', () => {
      const { steps } = checkHistory(aSeed(pool, limitOfTwo), claimsAt([1, 2, 3]), NOTHING_STORED);

      expect(steps).toEqual([
        expect.stringContaining('made claim 3 on 2026-03-02, over a daily limit of 2'),
      ]);
    });

    it('counts afresh on the next team day', () => {
      // 15:00 UTC is 23:00 in Shanghai; 16:30 is half past midnight there.
      const { steps } = checkHistory(aSeed(pool, limitOfTwo), claimsAt([1, 14, 15.5]), {
        leads: [],
        members: [],
      });

      expect(steps).toEqual([]);
    });

    it('counts a claim stamped before midnight that commits after one stamped past it', () => {
      const history = claimsAt([15.5, 16, 14.9]);

      const { steps } = checkHistory(aSeed(pool, limitOfTwo), history, NOTHING_STORED);

      expect(steps).toEqual([
        expect.stringContaining('made claim 3 on 2026-03-03, over a daily limit of 2'),
      ]);
    });

    it('flags a stored claim counter the history does not add up to', () => {
      const seed = aSeed(pool, limitOfTwo);
      const stored = {
        leads: pool,
        members: seed.members.map((m) => ({ ...m, claimsDay: '2026-03-02', claimsOnDay: 1 })),
      };

      const { end } = checkHistory(seed, claimsAt([1, 2]), stored);

      expect(end.filter((difference) => difference.includes(': claims '))).toEqual([
        'ana@example.com: claims 1 on 2026-03-02, replayed 0 on null',
        'bo@example.com: claims 1 on 2026-03-02, replayed 2 on 2026-03-02',
      ]);
    });
  });
});
