import { describe, expect, it } from 'vitest';

import { stateOf } from './lead.js';
import { leadKeys } from './lead-keys.js';
import {
  ANA,
  BO,
  NOW,
  aLead,
  aRep,
  accepted,
  anOwnedLead,
  policy,
  refusalOf,
} from './test-fixtures.js';
import { addHours } from './time.js';
import {
  EFFECTIVE_MET,
  MET_ROLES,
  ProspectSchema,
  decideColdVisit,
  decideLeadVisit,
  type ColdVisitInput,
  type LeadVisitInput,
  type Prospect,
  type VisitFields,
} from './visits.js';

const at = (iso: string) => new Date(iso);

const fields = (overrides: Partial<VisitFields> = {}): VisitFields => ({
  outcome: 'potential',
  met: 'staff',
  note: 'Met the front desk, left a brochure',
  at: NOW,
  ...overrides,
});

/** Ana visits her lead-1 at NOW under the default rules, an hour after she was given it. */
const leadVisit = (input: Partial<LeadVisitInput> = {}) =>
  decideLeadVisit({
    visitId: 'visit-1',
    fields: fields(),
    lead: anOwnedLead(ANA, { assignedAt: addHours(NOW, -1).toISOString() }),
    rep: aRep(),
    policy: policy(),
    now: NOW,
    ...input,
  });

const PROSPECT: Prospect = {
  company: 'Blue Lantern Printing',
  contactName: 'Zhang Min',
  title: 'Owner',
  phone: '139 1234 5678',
  products: 'Label printers, two lines',
};

/** Ana's cold visit at NOW naming PROSPECT, who is not a lead yet, under the default rules. */
const coldVisit = (input: Partial<ColdVisitInput> = {}) =>
  accepted(
    decideColdVisit({
      visitId: 'visit-1',
      leadId: 'lead-9',
      fields: fields(),
      prospect: PROSPECT,
      existingByKey: new Map(),
      rep: aRep(),
      policy: policy(),
      now: NOW,
      ...input,
    }),
  );

describe('ProspectSchema', () => {
  it('fills the optional fields of a prospect named only by its company', () => {
    expect(ProspectSchema.parse({ company: '  Blue Lantern Printing ' })).toEqual({
      company: 'Blue Lantern Printing',
      contactName: '',
      title: '',
      phone: '',
      products: '',
    });
  });

  it.each([
    ['no company', { phone: '139 1234 5678' }],
    ['a blank company', { company: '   ' }],
    ['a field it does not know', { company: 'Blue Lantern', region: 'Pudong' }],
  ])('refuses a prospect with %s', (_name, body) => {
    expect(ProspectSchema.safeParse(body).success).toBe(false);
  });
});

describe('EFFECTIVE_MET', () => {
  it.each(MET_ROLES.map((met) => [met, met === 'owner' || met === 'executive'] as const))(
    'lets a visit that met the %s be effective: %s',
    (met, effective) => {
      expect(EFFECTIVE_MET.includes(met)).toBe(effective);
    },
  );
});

describe('decideLeadVisit', () => {
  it('records the visit on the team day of the time it happened', () => {
    const late = at('2026-03-02T16:30:00Z');

    const { visit } = accepted(leadVisit({ fields: fields({ at: late }), now: late }));

    expect(visit).toMatchObject({
      id: 'visit-1',
      repEmail: ANA,
      leadId: 'lead-1',
      day: '2026-03-03',
      at: '2026-03-02T16:30:00.000Z',
      prospect: null,
      prospectOutcome: null,
      qc: null,
    });
  });

  it('restarts the follow-up clock from the time of the visit', () => {
    const visitedAt = addHours(NOW, 20);

    const { leads } = accepted(
      leadVisit({ fields: fields({ at: visitedAt }), now: addHours(NOW, 30) }),
    );

    expect(leads).toEqual([
      expect.objectContaining({
        lastFollowUpAt: visitedAt.toISOString(),
        followUpDueAt: addHours(visitedAt, 72).toISOString(),
      }),
    ]);
  });

  it('leaves the deal deadline where it was', () => {
    const lead = anOwnedLead(ANA);

    const { leads } = accepted(leadVisit({ lead, fields: fields({ at: addHours(NOW, 5) }) }));

    expect(leads[0]?.dealDueAt).toBe(lead.dealDueAt);
  });

  it('records the visit and the follow-up it counts as', () => {
    const lead = anOwnedLead(ANA);
    const visitedAt = addHours(NOW, 2);

    const { leads, events } = accepted(
      leadVisit({ lead, fields: fields({ at: visitedAt, outcome: 'effective', met: 'owner' }) }),
    );

    expect(events).toEqual([
      {
        type: 'visit.logged',
        leadId: 'lead-1',
        subject: ANA,
        before: null,
        after: null,
        data: {
          visitId: 'visit-1',
          day: '2026-03-02',
          outcome: 'effective',
          cold: false,
          prospectOutcome: null,
        },
      },
      {
        type: 'lead.followed_up',
        leadId: 'lead-1',
        subject: ANA,
        before: stateOf(lead),
        after: stateOf(leads[0]!),
        data: { channel: 'visit', visitId: 'visit-1' },
      },
    ]);
  });

  it('does not move back the clock of a lead followed up after the visit', () => {
    const lead = anOwnedLead(ANA, {
      lastFollowUpAt: addHours(NOW, 3).toISOString(),
      followUpDueAt: addHours(NOW, 3 + 72).toISOString(),
    });

    const { leads, events } = accepted(
      leadVisit({ lead, fields: fields({ at: addHours(NOW, 1) }), now: addHours(NOW, 4) }),
    );

    expect(leads).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['visit.logged']);
  });

  it('does not shorten a deadline with a visit backdated to before the lead was given', () => {
    const lead = anOwnedLead(ANA);

    const decision = leadVisit({ lead, fields: fields({ at: addHours(NOW, -100) }) });

    const followUpDueAt = accepted(decision).leads[0]?.followUpDueAt ?? lead.followUpDueAt;
    expect(followUpDueAt).toBe(lead.followUpDueAt);
  });

  it('logs a visit to a customer without giving it deadlines again', () => {
    const lead = anOwnedLead(ANA, {
      status: 'customer',
      stage: 'contract',
      followUpDueAt: null,
      dealDueAt: null,
    });

    const { visit, leads } = accepted(leadVisit({ lead }));

    expect(visit.leadId).toBe('lead-1');
    expect(leads).toEqual([]);
  });

  it.each([
    ['another rep’s lead', anOwnedLead(BO)],
    ['a pool lead', aLead()],
    ['a lead the rep closed', anOwnedLead(ANA, { status: 'closed', closeReason: 'lost' })],
  ])('refuses a visit to %s as NOT_OWNER', (_name, lead) => {
    expect(refusalOf(leadVisit({ lead }))).toBe('NOT_OWNER');
  });
});

describe('decideColdVisit', () => {
  it('makes the prospect a lead of the rep’s own when they have room', () => {
    const { visit, leads, members } = coldVisit({ rep: aRep({ ownedCount: 49 }) });

    expect(leads).toEqual([
      expect.objectContaining({
        id: 'lead-9',
        company: 'Blue Lantern Printing',
        contactName: 'Zhang Min',
        title: 'Owner',
        phone: '139 1234 5678',
        notes: 'Label printers, two lines',
        source: 'cold visit',
        status: 'owned',
        ownerEmail: ANA,
        followUpDueAt: addHours(NOW, 72).toISOString(),
      }),
    ]);
    expect(members).toEqual([expect.objectContaining({ email: ANA, ownedCount: 50 })]);
    expect(visit).toMatchObject({ leadId: 'lead-9', prospect: PROSPECT, prospectOutcome: 'owned' });
  });

  it.each([
    ['the team’s capacity', aRep({ ownedCount: 50 })],
    ['a capacity of their own', aRep({ capacity: 3, ownedCount: 3 })],
  ])('puts the prospect in the pool when the rep is full at %s', (_name, rep) => {
    const { visit, leads, members } = coldVisit({ rep });

    expect(leads).toEqual([
      expect.objectContaining({ id: 'lead-9', status: 'pool', ownerEmail: null }),
    ]);
    expect(members).toEqual([]);
    expect(visit).toMatchObject({ leadId: 'lead-9', prospectOutcome: 'pool' });
  });

  it('claims the prospect’s keys for the new lead', () => {
    const { keys } = coldVisit();

    expect(keys).toEqual(leadKeys(PROSPECT, 'CN').map((key) => ({ key, leadId: 'lead-9' })));
  });

  it('records the new lead and then the visit to it', () => {
    const { events } = coldVisit();

    expect(events.map((event) => [event.type, event.leadId])).toEqual([
      ['lead.created', 'lead-9'],
      ['visit.logged', 'lead-9'],
    ]);
    expect(events[1]?.data).toMatchObject({ cold: true, prospectOutcome: 'owned' });
  });

  it.each([
    ['phone written differently', { ...PROSPECT, company: 'Other Co', phone: '+86 139-1234-5678' }],
    [
      'company name written differently',
      { ...PROSPECT, phone: '', company: 'BLUE LANTERN printing' },
    ],
  ])(
    'links the visit to the lead that already has the prospect’s %s',
    (_name, prospect: Prospect) => {
      const existingByKey = new Map(leadKeys(PROSPECT, 'CN').map((key) => [key, 'lead-3']));

      const { visit, leads, members, keys, events } = coldVisit({ prospect, existingByKey });

      expect(visit).toMatchObject({
        id: 'visit-1',
        leadId: 'lead-3',
        prospect,
        prospectOutcome: 'duplicate',
        note: 'Met the front desk, left a brochure',
      });
      expect({ leads, members, keys }).toEqual({ leads: [], members: [], keys: [] });
      expect(events.map((event) => event.type)).toEqual(['visit.logged']);
    },
  );
});
