import { ApiError } from '../api/errors.js';
import { changes, type Changes } from '../domain/changes.js';
import type { Lead } from '../domain/lead.js';
import { leadKeys } from '../domain/lead-keys.js';
import type { Member } from '../domain/member.js';
import { decideStage, type Stage } from '../domain/pipeline.js';
import type { Policy } from '../domain/policy.js';
import { samplesLateVisit } from '../domain/qc.js';
import {
  decideColdVisit,
  decideLeadVisit,
  type Prospect,
  type QcVerdict,
  type Visit,
  type VisitFields,
} from '../domain/visits.js';
import { allow, refuse, type Decision } from '../domain/violations.js';
import type { DailyReport, QcSample, StoreTransaction } from '../store/port.js';
import type { Actor } from './actor.js';
import { applyChanges, type NewId } from './apply.js';

export type VisitTarget = { leadId: string } | { prospect: Prospect };

export type LoggedVisit = { visit: Visit; lead: Lead | null };

/** Logs a visit: to one of the rep's leads (its follow-up) or a cold visit's prospect. */
export async function logVisit(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  target: VisitTarget,
  fields: VisitFields,
  newId: NewId,
): Promise<Decision<LoggedVisit>> {
  const rep = await tx.getMember(actor.member.email);
  if (!rep) throw new ApiError('FORBIDDEN', 'You are not a member of this team');

  const visitId = newId();
  if ('leadId' in target) {
    const lead = await tx.getLead(target.leadId);
    if (!lead) throw new ApiError('NOT_FOUND', 'No lead has this id', { leadId: target.leadId });

    const decision = decideLeadVisit({ visitId, fields, lead, rep, policy, now: actor.now });
    if (!decision.ok) return decision;

    const visit = await write(tx, decision.value, decision.value.visit, actor, newId);
    return allow({ visit, lead: decision.value.leads[0] ?? lead });
  }

  const existingByKey = await tx.getLeadIdsByKeys(leadKeys(target.prospect, policy.defaultCountry));
  const cold = decideColdVisit({
    visitId,
    leadId: newId(),
    fields,
    prospect: target.prospect,
    existingByKey,
    rep,
    policy,
    now: actor.now,
  });
  if (!cold.ok) return cold;

  // A prospect that is already the rep's own lead: the visit is that lead's follow-up too.
  const { visit: drafted } = cold.value;
  const linked = drafted.prospectOutcome === 'duplicate' ? await tx.getLead(drafted.leadId!) : null;
  if (linked && linked.ownerEmail === rep.email) {
    const followUp = decideLeadVisit({
      visitId,
      fields,
      lead: linked,
      rep,
      policy,
      now: actor.now,
    });
    if (followUp.ok) {
      const events = followUp.value.events.filter((event) => event.type !== 'visit.logged');
      const visit = await write(
        tx,
        { ...cold.value, leads: followUp.value.leads, events: [...cold.value.events, ...events] },
        drafted,
        actor,
        newId,
      );
      return allow({ visit, lead: followUp.value.leads[0] ?? linked });
    }
  }

  const visit = await write(tx, cold.value, drafted, actor, newId);
  return allow({ visit, lead: cold.value.leads[0] ?? null });
}

/** Writes a visit and what it changed; answers the visit as stored. */
async function write(
  tx: StoreTransaction,
  changes: Changes,
  visit: Visit,
  actor: Actor,
  newId: NewId,
): Promise<Visit> {
  // Read before any write, as Firestore demands.
  const sample = await tx.getQcSample(visit.day);

  applyChanges(tx, changes, actor, newId);
  const stored = sample ? joinSampleIfDrawn(tx, sample, visit) : visit;
  tx.saveVisit(stored);

  return stored;
}

/**
 * A visit its day's sample was drawn without (backdated, or logged after the night's draw)
 * is judged against that sample: if it is drawn, it joins the sample and QC's queue.
 */
function joinSampleIfDrawn(tx: StoreTransaction, sample: QcSample, visit: Visit): Visit {
  if (!samplesLateVisit(sample, visit)) return visit;

  tx.saveQcSample({
    ...sample,
    visitIds: [...sample.visitIds, visit.id],
    reps: [...new Set([...sample.reps, visit.repEmail])],
  });

  return { ...visit, qc: { sampleId: sample.day, verdict: null, note: null, by: null, at: null } };
}

/**
 * Judges a visit the night's draw did not see against the sample, as logging it after the
 * draw would have: the draw lists the day's visits before it records the sample, and one
 * logged in between was neither listed nor able to see the sample.
 */
export async function sampleMissedVisit(tx: StoreTransaction, visitId: string): Promise<boolean> {
  const visit = await tx.getVisit(visitId);
  const sample = visit && !visit.qc ? await tx.getQcSample(visit.day) : null;
  if (!visit || !sample || sample.visitIds.includes(visit.id)) return false;

  const stored = joinSampleIfDrawn(tx, sample, visit);
  if (stored === visit) return false;

  tx.saveVisit(stored);
  return true;
}

export async function moveStage(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  leadId: string,
  stage: Stage,
  newId: NewId,
): Promise<Decision<Lead>> {
  const lead = await tx.getLead(leadId);
  if (!lead) throw new ApiError('NOT_FOUND', 'No lead has this id', { leadId });

  const owner = lead.ownerEmail ? await tx.getMember(lead.ownerEmail) : null;
  const decision = decideStage({ lead, actor: actor.member, owner, stage, policy, now: actor.now });
  if (!decision.ok) return decision;

  applyChanges(tx, decision.value, actor, newId);
  return allow(decision.value.leads[0]!);
}

/** One report per rep per day: a resubmission replaces the text and the history keeps both. */
export async function submitReport(
  tx: StoreTransaction,
  actor: Actor,
  day: string,
  text: string,
  newId: NewId,
): Promise<DailyReport> {
  const id = `${actor.member.email}:${day}`;
  const earlier = await tx.getReport(id);
  const report: DailyReport = {
    id,
    repEmail: actor.member.email,
    day,
    text,
    submittedAt: actor.now.toISOString(),
    revision: (earlier?.revision ?? 0) + 1,
  };

  tx.saveReport(report);
  applyChanges(
    tx,
    changes({
      events: [
        {
          type: 'report.submitted',
          leadId: null,
          subject: actor.member.email,
          before: earlier ? { text: earlier.text, revision: earlier.revision } : null,
          after: { text, revision: report.revision },
          data: { day },
        },
      ],
    }),
    actor,
    newId,
  );

  return report;
}

/**
 * QC's verdict on a sampled visit. A fabricated visit flags its rep for the managers; the
 * visit stays, as the evidence. A verdict can be corrected, and the flag follows it.
 */
export async function judgeVisit(
  tx: StoreTransaction,
  actor: Actor,
  visitId: string,
  verdict: QcVerdict,
  note: string,
  newId: NewId,
): Promise<Decision<Visit>> {
  const visit = await tx.getVisit(visitId);
  if (!visit) throw new ApiError('NOT_FOUND', 'No visit has this id', { visitId });

  if (!visit.qc) {
    return refuse('INVALID_TRANSITION', 'This visit was not sampled for quality control', {
      visitId,
    });
  }

  const rep = await tx.getMember(visit.repEmail);
  const before = visit.qc.verdict;
  const judged: Visit = {
    ...visit,
    qc: { ...visit.qc, verdict, note, by: actor.member.email, at: actor.now.toISOString() },
  };
  const flag = (verdict === 'fabricated' ? 1 : 0) - (before === 'fabricated' ? 1 : 0);
  const members: Member[] =
    rep && flag !== 0
      ? [
          {
            ...rep,
            fabricatedVisits: Math.max(0, rep.fabricatedVisits + flag),
            updatedAt: actor.now.toISOString(),
          },
        ]
      : [];

  tx.saveVisit(judged);
  applyChanges(
    tx,
    changes({
      members,
      events: [
        {
          type: 'visit.verdict',
          leadId: visit.leadId,
          subject: visit.repEmail,
          before: { verdict: before },
          after: { verdict },
          data: { visitId, note },
        },
      ],
    }),
    actor,
    newId,
  );

  return allow(judged);
}
