import { describe, expect, it } from 'vitest';

import { isDueSoon, NewLeadSchema, type Lead } from './lead.js';
import { decideClose, decideCreate, decideFollowUp } from './lifecycle.js';
import type { Member } from './member.js';
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

describe('decideCreate', () => {
  const fields = NewLeadSchema.parse({ company: 'Star Harbour Trading', phone: '138 0013 8000' });
  const noLeads = new Map<string, string>();

  const create = (owner: Member | null, existingByKey = noLeads) =>
    decideCreate({ id: 'lead-9', fields, owner, existingByKey, policy: policy(), now: NOW });

  it('puts a new lead in the pool when no owner is named', () => {
    const { leads, members } = accepted(create(null));

    expect(leads[0]).toMatchObject({
      id: 'lead-9',
      status: 'pool',
      ownerEmail: null,
      stage: 'new',
      followUpDueAt: null,
    });
    expect(members).toEqual([]);
  });

  it('claims the normalised company and phone keys for the new lead', () => {
    const { keys } = accepted(create(null));

    expect(keys).toEqual([
      { key: 'company:starharbourtrading', leadId: 'lead-9' },
      { key: 'phone:+8613800138000', leadId: 'lead-9' },
    ]);
  });

  it('puts a new lead straight in the named rep’s private pool', () => {
    const { leads, members } = accepted(create(aRep({ ownedCount: 4 })));

    expect(leads[0]).toMatchObject({
      status: 'owned',
      ownerEmail: ANA,
      followUpDueAt: '2026-03-05T01:00:00.000Z',
      dealDueAt: '2026-04-01T01:00:00.000Z',
    });
    expect(members).toEqual([expect.objectContaining({ email: ANA, ownedCount: 5 })]);
  });

  it('refuses to give a new lead to a rep whose private pool is full', () => {
    expect(refusalOf(create(aRep({ capacity: 4, ownedCount: 4 })))).toBe('CAPACITY_EXCEEDED');
  });

  it.each([
    { name: 'a manager', owner: aManager() },
    { name: 'an inactive rep', owner: aRep({ active: false }) },
  ])('refuses to give a new lead to $name', ({ owner }) => {
    expect(refusalOf(create(owner))).toBe('INVALID_TRANSITION');
  });

  it.each([
    { matchedOn: 'phone', key: 'phone:+8613800138000' },
    { matchedOn: 'company', key: 'company:starharbourtrading' },
  ])('refuses a duplicate $matchedOn and names the existing lead', ({ matchedOn, key }) => {
    const decision = create(null, new Map([[key, 'lead-3']]));

    expect(decision).toMatchObject({
      ok: false,
      violation: { code: 'DUPLICATE_LEAD', details: { existingLeadId: 'lead-3', matchedOn } },
    });
  });
});

describe('decideFollowUp', () => {
  const rules = policy({ followUpHours: 72 });
  const lead = anOwnedLead(ANA);
  const later = addHours(NOW, 30);

  const followUp = (actor: Member, target: Lead = lead) =>
    decideFollowUp({
      lead: target,
      actor,
      channel: 'call',
      note: 'Asked for a quote',
      policy: rules,
      now: later,
    });

  it('restarts the follow-up clock from now', () => {
    const { leads } = accepted(followUp(aRep()));

    expect(leads[0]).toMatchObject({
      lastFollowUpAt: '2026-03-03T07:00:00.000Z',
      followUpDueAt: '2026-03-06T07:00:00.000Z',
    });
  });

  it('leaves the deal deadline where it was', () => {
    const { leads } = accepted(followUp(aRep()));

    expect(leads[0]?.dealDueAt).toBe(lead.dealDueAt);
  });

  it('records the follow-up with its channel and note', () => {
    const { events } = accepted(followUp(aRep()));

    expect(events).toEqual([
      expect.objectContaining({
        type: 'lead.followed_up',
        subject: ANA,
        data: { channel: 'call', note: 'Asked for a quote' },
      }),
    ]);
  });

  it.each([
    { name: 'another rep', actor: aRep({ email: BO }), target: lead },
    { name: 'a manager', actor: aManager(), target: lead },
    { name: 'anyone, on a pool lead', actor: aRep(), target: aLead() },
  ])('refuses a follow-up by $name', ({ actor, target }) => {
    expect(refusalOf(followUp(actor, target))).toBe('NOT_OWNER');
  });
});

describe('decideClose', () => {
  const owner = aRep({ ownedCount: 3 });

  const note = 'Chose a rival';
  const close = (lead: Lead, actor: Member, leadOwner: Member | null = null) =>
    decideClose({ lead, actor, owner: leadOwner, reason: 'lost', note, now: NOW });

  it('lets the owner close their lead and frees a place in their private pool', () => {
    const { leads, members } = accepted(close(anOwnedLead(ANA), owner, owner));

    expect(leads[0]).toMatchObject({
      status: 'closed',
      closeReason: 'lost',
      closeNote: 'Chose a rival',
      followUpDueAt: null,
      dealDueAt: null,
    });
    expect(members).toEqual([expect.objectContaining({ email: ANA, ownedCount: 2 })]);
  });

  it('lets a manager close a pool lead', () => {
    const { leads, members } = accepted(close(aLead(), aManager()));

    expect(leads[0]?.status).toBe('closed');
    expect(members).toEqual([]);
  });

  it('lets a manager close an owned lead and frees a place in the owner’s pool', () => {
    const { leads, members } = accepted(close(anOwnedLead(ANA), aManager(), owner));

    expect(leads[0]?.status).toBe('closed');
    expect(members).toEqual([expect.objectContaining({ email: ANA, ownedCount: 2 })]);
  });

  it('records the close with its reason and note', () => {
    const { events } = accepted(close(anOwnedLead(ANA), owner, owner));

    expect(events).toEqual([
      expect.objectContaining({
        type: 'lead.closed',
        subject: ANA,
        data: { reason: 'lost', note: 'Chose a rival' },
      }),
    ]);
  });

  it.each([
    { name: 'another rep’s lead', lead: anOwnedLead(BO) },
    { name: 'a pool lead', lead: aLead() },
  ])('refuses a rep who closes $name', ({ lead }) => {
    expect(refusalOf(close(lead, owner))).toBe('NOT_OWNER');
  });

  const customer = aLead({ status: 'customer', ownerEmail: ANA, stage: 'contract' });
  const closed = aLead({ status: 'closed', ownerEmail: ANA, closeReason: 'invalid' });

  it.each([
    { name: 'a customer', lead: customer },
    { name: 'a closed lead', lead: closed },
  ])('refuses a manager who closes $name', ({ lead }) => {
    expect(refusalOf(close(lead, aManager()))).toBe('INVALID_TRANSITION');
  });

  it.each([
    { name: 'a customer', lead: customer },
    { name: 'a closed lead', lead: closed },
  ])('refuses the rep named as owner who closes $name as an invalid transition', ({ lead }) => {
    expect(refusalOf(close(lead, owner))).toBe('INVALID_TRANSITION');
  });
});

describe('isDueSoon', () => {
  const rules = policy({ warnHours: 24 });
  const lead = anOwnedLead(ANA, {
    followUpDueAt: '2026-03-05T01:00:00.000Z',
    dealDueAt: '2026-04-01T01:00:00.000Z',
  });

  it('flags a lead exactly warnHours before its follow-up is due', () => {
    expect(isDueSoon(lead, rules, new Date('2026-03-04T01:00:00.000Z'))).toBe(true);
  });

  it('does not flag a lead a millisecond earlier', () => {
    expect(isDueSoon(lead, rules, new Date('2026-03-04T00:59:59.999Z'))).toBe(false);
  });

  it('flags a lead by its deal deadline when that comes first', () => {
    const closingSoon = { ...lead, dealDueAt: '2026-03-03T01:00:00.000Z' };

    expect(isDueSoon(closingSoon, rules, new Date('2026-03-02T01:00:00.000Z'))).toBe(true);
  });

  it('flags a lead that is already overdue', () => {
    expect(isDueSoon(lead, rules, new Date('2026-03-06T00:00:00.000Z'))).toBe(true);
  });

  it('never flags a pool lead', () => {
    expect(isDueSoon(aLead(), rules, NOW)).toBe(false);
  });
});
