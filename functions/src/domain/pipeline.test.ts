import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { STAGES, stateOf, type Lead } from './lead.js';
import type { Member } from './member.js';
import { decideStage, type Stage, type StageInput } from './pipeline.js';
import {
  ANA,
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

const OWNER = aRep({ ownedCount: 10 });

/** A day after NOW, so fresh deadlines are told apart from the lead's first ones. */
const LATER = addHours(NOW, 24);

const ownedAt = (stage: Stage) => anOwnedLead(ANA, { stage });

const customerAt = (stage: Stage) =>
  anOwnedLead(ANA, { stage, status: 'customer', followUpDueAt: null, dealDueAt: null });

/** Ana, who owns the lead, moves it at LATER under the default rules, unless told otherwise. */
const move = (stage: Stage, input: Partial<StageInput> = {}) =>
  decideStage({
    lead: ownedAt('new'),
    actor: OWNER,
    owner: OWNER,
    stage,
    policy: policy(),
    now: LATER,
    ...input,
  });

const byManager = (stage: Stage, lead: Lead, owner: Member = OWNER) =>
  move(stage, { lead, actor: aManager(), owner });

describe('decideStage', () => {
  it.each([
    ['new', 'contacted'],
    ['contacted', 'effective_visit'],
    ['effective_visit', 'proposal'],
  ] as const)('lets the owner move a lead from %s to %s', (from, to) => {
    const { leads } = accepted(move(to, { lead: ownedAt(from) }));

    expect(leads).toEqual([
      expect.objectContaining({ stage: to, status: 'owned', updatedAt: LATER.toISOString() }),
    ]);
  });

  it('records a move with the stages and the direction', () => {
    const lead = ownedAt('new');

    const { leads, events } = accepted(move('contacted', { lead }));

    expect(events).toEqual([
      {
        type: 'lead.staged',
        leadId: 'lead-1',
        subject: ANA,
        before: stateOf(lead),
        after: stateOf(leads[0]!),
        data: { from: 'new', to: 'contacted', direction: 'forward' },
      },
    ]);
  });

  it('leaves the deadlines and the owner’s count alone below the contract', () => {
    const lead = ownedAt('contacted');

    const { leads, members } = accepted(move('effective_visit', { lead }));

    expect(leads[0]).toMatchObject({
      followUpDueAt: lead.followUpDueAt,
      dealDueAt: lead.dealDueAt,
    });
    expect(members).toEqual([]);
  });

  it.each([
    ['skips a stage', 'new', 'effective_visit'],
    ['jumps to payment', 'contacted', 'paid'],
    ['stays where it is', 'proposal', 'proposal'],
    ['moves back', 'proposal', 'effective_visit'],
  ] as const)('refuses an owner who %s as INVALID_TRANSITION', (_name, from, to) => {
    expect(refusalOf(move(to, { lead: ownedAt(from) }))).toBe('INVALID_TRANSITION');
  });

  it('lets a manager move a lead back one stage', () => {
    const { leads, events } = accepted(byManager('contacted', ownedAt('effective_visit')));

    expect(leads[0]).toMatchObject({ stage: 'contacted', status: 'owned', ownerEmail: ANA });
    expect(events[0]?.data).toEqual({
      from: 'effective_visit',
      to: 'contacted',
      direction: 'back',
    });
  });

  it.each([
    ['back two stages', 'proposal', 'contacted'],
    ['forward two stages', 'new', 'effective_visit'],
  ] as const)('refuses a manager who moves a lead %s', (_name, from, to) => {
    expect(refusalOf(byManager(to, ownedAt(from)))).toBe('INVALID_TRANSITION');
  });

  it.each([
    ['the owner', OWNER],
    ['a manager', aManager()],
  ])('makes a lead a customer when %s records the contract', (_name, actor) => {
    const { leads, members, events } = accepted(
      move('contract', { lead: ownedAt('proposal'), actor }),
    );

    expect(leads[0]).toMatchObject({
      stage: 'contract',
      status: 'customer',
      ownerEmail: ANA,
      followUpDueAt: null,
      dealDueAt: null,
    });
    expect(members).toEqual([expect.objectContaining({ email: ANA, ownedCount: 9 })]);
    expect(events.map((event) => event.type)).toEqual(['lead.converted']);
  });

  it('records payment on a customer without touching the owner’s count', () => {
    const { leads, members, events } = accepted(move('paid', { lead: customerAt('contract') }));

    expect(leads[0]).toMatchObject({ stage: 'paid', status: 'customer' });
    expect(members).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['lead.staged']);
  });

  it('keeps a customer a customer when a manager moves payment back to the contract', () => {
    const { leads, members } = accepted(byManager('contract', customerAt('paid')));

    expect(leads[0]).toMatchObject({ stage: 'contract', status: 'customer' });
    expect(members).toEqual([]);
  });

  it('gives a customer moved back before the contract to its owner with fresh deadlines', () => {
    const { leads, members } = accepted(byManager('proposal', customerAt('contract')));

    expect(leads[0]).toMatchObject({
      stage: 'proposal',
      status: 'owned',
      ownerEmail: ANA,
      lastFollowUpAt: null,
      followUpDueAt: addHours(LATER, 72).toISOString(),
      dealDueAt: addHours(LATER, 30 * 24).toISOString(),
    });
    expect(members).toEqual([expect.objectContaining({ email: ANA, ownedCount: 11 })]);
  });

  it.each([
    ['the team’s capacity', aRep({ ownedCount: 50 })],
    ['a capacity of their own', aRep({ capacity: 5, ownedCount: 5 })],
  ])('refuses to move a customer back to an owner full at %s', (_name, owner) => {
    const decision = byManager('proposal', customerAt('contract'), owner);

    expect(refusalOf(decision)).toBe('CAPACITY_EXCEEDED');
  });

  it.each([
    ['a pool lead', aLead({ stage: 'contacted' })],
    ['a closed lead', anOwnedLead(ANA, { stage: 'contacted', status: 'closed' })],
  ])('refuses to move %s', (_name, lead) => {
    expect(refusalOf(byManager('proposal', lead, aRep()))).toBe('INVALID_TRANSITION');
  });

  it('refuses a rep who moves another rep’s lead as NOT_OWNER', () => {
    const decision = move('contacted', { actor: aRep({ email: 'bo@example.com' }) });

    expect(refusalOf(decision)).toBe('NOT_OWNER');
  });

  it('moves one stage at most and keeps the owner’s count in step with the status', () => {
    const stage = fc.constantFrom(...STAGES);

    fc.assert(
      fc.property(stage, stage, fc.boolean(), (from, to, manager) => {
        const signed = STAGES.indexOf(from) >= STAGES.indexOf('contract');
        const lead = signed ? customerAt(from) : ownedAt(from);
        const decision = move(to, { lead, actor: manager ? aManager() : OWNER });
        if (!decision.ok) return;

        const [moved] = decision.value.leads;
        const owned = (status: Lead['status'] | undefined) => (status === 'owned' ? 1 : 0);
        const countAfter = decision.value.members[0]?.ownedCount ?? OWNER.ownedCount;
        expect(Math.abs(STAGES.indexOf(to) - STAGES.indexOf(from))).toBe(1);
        expect(countAfter - OWNER.ownedCount).toBe(owned(moved?.status) - owned(lead.status));
      }),
    );
  });
});
