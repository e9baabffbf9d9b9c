import * as z from 'zod';

import { changes, type Changes } from './changes.js';
import type { EventDraft } from './events.js';
import { stateOf, type Lead } from './lead.js';
import { decideCreate } from './lifecycle.js';
import type { Member } from './member.js';
import type { Policy } from './policy.js';
import { addHours, teamDay } from './time.js';
import { allow, refuse, type Decision } from './violations.js';

export const VISIT_OUTCOMES = ['effective', 'potential'] as const;
export const MET_ROLES = ['owner', 'executive', 'manager', 'staff', 'other'] as const;
export const QC_VERDICTS = ['verified', 'unreachable', 'fabricated'] as const;

export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];
export type MetRole = (typeof MET_ROLES)[number];
export type QcVerdict = (typeof QC_VERDICTS)[number];

/** A visit is effective only when the rep met someone who can move the deal forward. */
export const EFFECTIVE_MET: readonly MetRole[] = ['owner', 'executive'];

const text = (max: number) => z.string().trim().max(max);

/** A new company found walking a building floor by floor. */
export const ProspectSchema = z
  .object({
    company: text(200).min(1, 'Company is required'),
    contactName: text(100).default(''),
    title: text(100).default(''),
    phone: text(40).default(''),
    products: text(1000).default(''),
  })
  .strict();

export type Prospect = z.infer<typeof ProspectSchema>;

export const VisitSchema = z.object({
  id: z.string(),
  repEmail: z.string(),
  /** The team day the visit happened on, in the team's time zone when it was logged. */
  day: z.string(),
  at: z.string(),
  outcome: z.enum(VISIT_OUTCOMES),
  met: z.enum(MET_ROLES),
  note: z.string(),
  leadId: z.string().nullable(),
  /** A cold visit names a prospect instead of an existing lead. */
  prospect: ProspectSchema.nullable(),
  /** What became of a cold visit's prospect. */
  prospectOutcome: z.enum(['owned', 'pool', 'duplicate']).nullable(),
  qc: z
    .object({
      sampleId: z.string(),
      verdict: z.enum(QC_VERDICTS).nullable(),
      note: z.string().nullable(),
      by: z.string().nullable(),
      at: z.string().nullable(),
    })
    .nullable(),
  createdAt: z.string(),
});

export type Visit = z.infer<typeof VisitSchema>;

export type VisitFields = {
  outcome: VisitOutcome;
  met: MetRole;
  note: string;
  at: Date;
};

function newVisit(id: string, rep: Member, fields: VisitFields, policy: Policy, now: Date): Visit {
  return {
    id,
    repEmail: rep.email,
    day: teamDay(fields.at, policy.timeZone),
    at: fields.at.toISOString(),
    outcome: fields.outcome,
    met: fields.met,
    note: fields.note,
    leadId: null,
    prospect: null,
    prospectOutcome: null,
    qc: null,
    createdAt: now.toISOString(),
  };
}

export type VisitDecision = Changes & { visit: Visit };

function effectiveWithoutDecisionMaker(fields: VisitFields): Decision<never> | null {
  if (fields.outcome !== 'effective' || EFFECTIVE_MET.includes(fields.met)) return null;

  return refuse(
    'INVALID_TRANSITION',
    'A visit is effective only after meeting the owner or an executive',
    {
      outcome: fields.outcome,
      met: fields.met,
    },
  );
}

export type LeadVisitInput = {
  visitId: string;
  fields: VisitFields;
  lead: Lead;
  rep: Member;
  policy: Policy;
  now: Date;
};

/**
 * A visit to one of the rep's own leads. On an owned lead it is the follow-up: the clock
 * restarts from the visit's time (never moving a later follow-up back).
 */
export function decideLeadVisit({
  visitId,
  fields,
  lead,
  rep,
  policy,
  now,
}: LeadVisitInput): Decision<VisitDecision> {
  const invalid = effectiveWithoutDecisionMaker(fields);
  if (invalid) return invalid;

  const own = lead.ownerEmail === rep.email;
  if (!own || (lead.status !== 'owned' && lead.status !== 'customer')) {
    return refuse('NOT_OWNER', 'You can only log visits to leads you own', { leadId: lead.id });
  }

  const visit = { ...newVisit(visitId, rep, fields, policy, now), leadId: lead.id };
  const events: EventDraft[] = [visitEvent(visit)];
  const leads: Lead[] = [];
  // A visit logged late, from before the lead's clock last started, must not pull the
  // deadline earlier: only a due time later than the current one replaces it.
  const due = addHours(fields.at, policy.followUpHours).toISOString();
  const later = !lead.followUpDueAt || lead.followUpDueAt < due;
  if (lead.status === 'owned' && later) {
    const followed: Lead = {
      ...lead,
      lastFollowUpAt: fields.at.toISOString(),
      followUpDueAt: due,
      updatedAt: now.toISOString(),
    };
    leads.push(followed);
    events.push({
      type: 'lead.followed_up',
      leadId: lead.id,
      subject: rep.email,
      before: stateOf(lead),
      after: stateOf(followed),
      data: { channel: 'visit', visitId },
    });
  }

  return allow({ visit, ...changes({ leads, events }) });
}

export type ColdVisitInput = {
  visitId: string;
  leadId: string;
  fields: VisitFields;
  prospect: Prospect;
  /** For each key of the prospect, the lead that already holds it. */
  existingByKey: ReadonlyMap<string, string>;
  rep: Member;
  policy: Policy;
  now: Date;
};

/**
 * A cold visit. The prospect becomes a lead of the rep's own when they have room, else a
 * pool lead. A prospect that is already a lead is not created twice: the visit is linked to
 * that lead and says so, so the visit itself is never lost.
 */
export function decideColdVisit(input: ColdVisitInput): Decision<VisitDecision> {
  const { visitId, leadId, fields, prospect, existingByKey, rep, policy, now } = input;
  const invalid = effectiveWithoutDecisionMaker(fields);
  if (invalid) return invalid;

  const base: Visit = { ...newVisit(visitId, rep, fields, policy, now), prospect };
  const leadFields = {
    company: prospect.company,
    contactName: prospect.contactName,
    title: prospect.title,
    phone: prospect.phone,
    region: '',
    source: 'cold visit',
    notes: prospect.products,
  };

  const create = (owner: Member | null) =>
    decideCreate({ id: leadId, fields: leadFields, owner, existingByKey, policy, now });
  const asOwned = create(rep);
  const decision =
    asOwned.ok || asOwned.violation.code === 'DUPLICATE_LEAD' ? asOwned : create(null);
  if (!decision.ok) {
    const existing = String(decision.violation.details?.existingLeadId ?? '');
    const visit: Visit = { ...base, leadId: existing, prospectOutcome: 'duplicate' };
    return allow({ visit, ...changes({ events: [visitEvent(visit)] }) });
  }

  const created = decision.value.leads[0]!;
  const visit: Visit = {
    ...base,
    leadId: created.id,
    prospectOutcome: created.status === 'owned' ? 'owned' : 'pool',
  };

  return allow({
    visit,
    ...decision.value,
    events: [...decision.value.events, visitEvent(visit)],
  });
}

function visitEvent(visit: Visit): EventDraft {
  return {
    type: 'visit.logged',
    leadId: visit.leadId,
    subject: visit.repEmail,
    before: null,
    after: null,
    data: {
      visitId: visit.id,
      day: visit.day,
      outcome: visit.outcome,
      cold: visit.prospect !== null,
      prospectOutcome: visit.prospectOutcome,
    },
  };
}
