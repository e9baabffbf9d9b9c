import { ApiError } from '../api/errors.js';
import {
  changes as emptyChanges,
  latestOnly,
  mergeChanges,
  type Changes,
} from '../domain/changes.js';
import type { CloseReason, Lead, NewLead } from '../domain/lead.js';
import { leadKeys } from '../domain/lead-keys.js';
import { decideClose, decideCreate, decideFollowUp } from '../domain/lifecycle.js';
import type { Member } from '../domain/member.js';
import type { Policy } from '../domain/policy.js';
import { decideAssign, decideClaim, decideRelease } from '../domain/ownership.js';
import { allow, type Decision, type Violation } from '../domain/violations.js';
import type { StoreTransaction } from '../store/port.js';
import type { Actor } from './actor.js';
import { applyChanges, type NewId } from './apply.js';

async function leadOrThrow(tx: StoreTransaction, id: string): Promise<Lead> {
  const lead = await tx.getLead(id);
  if (!lead) throw new ApiError('NOT_FOUND', 'No lead has this id', { leadId: id });

  return lead;
}

function memberOrThrow(members: Map<string, Member>, email: string): Member {
  const member = members.get(email);
  if (!member) throw new ApiError('NOT_FOUND', 'No member has this email', { email });

  return member;
}

/** The decision's documents written and the named lead returned, or the violation. */
function commit<T>(
  tx: StoreTransaction,
  decision: Decision<Changes>,
  actor: Actor,
  newId: NewId,
  pick: (changes: Changes) => T,
): Decision<T> {
  if (!decision.ok) return decision;

  applyChanges(tx, decision.value, actor, newId);
  return allow(pick(decision.value));
}

const leadById = (id: string) => (changes: Changes) => changes.leads.find((l) => l.id === id)!;

export async function createLead(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  fields: NewLead,
  newId: NewId,
): Promise<Decision<Lead>> {
  const existingByKey = await tx.getLeadIdsByKeys(leadKeys(fields, policy.defaultCountry));
  const owner = fields.ownerEmail ? await tx.getMember(fields.ownerEmail) : null;
  if (fields.ownerEmail && !owner) {
    throw new ApiError('NOT_FOUND', 'No member has this email', { email: fields.ownerEmail });
  }

  const id = newId();
  const decision = decideCreate({ id, fields, owner, existingByKey, policy, now: actor.now });

  return commit(tx, decision, actor, newId, leadById(id));
}

export type ImportRowOutcome =
  | { row: number; outcome: 'created'; leadId: string }
  | { row: number; outcome: 'duplicate'; existingLeadId: string }
  | { row: number; outcome: 'refused'; error: Violation };

/**
 * Many leads in one transaction, so an import is all-or-nothing against a crash and its
 * answer can be replayed. A row may duplicate an earlier row of the same import.
 */
export async function importLeads(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  rows: { row: number; fields: NewLead }[],
  newId: NewId,
): Promise<ImportRowOutcome[]> {
  const keysByRow = rows.map(({ fields }) => leadKeys(fields, policy.defaultCountry));
  const existingByKey = await tx.getLeadIdsByKeys([...new Set(keysByRow.flat())]);
  const ownerEmails = [...new Set(rows.flatMap(({ fields }) => fields.ownerEmail ?? []))];
  const owners = await tx.getMembers(ownerEmails);

  const outcomes: ImportRowOutcome[] = [];
  const all = emptyChanges({});
  for (const { row, fields } of rows) {
    const owner = fields.ownerEmail ? (owners.get(fields.ownerEmail) ?? null) : null;
    if (fields.ownerEmail && !owner) {
      outcomes.push({
        row,
        outcome: 'refused',
        error: { code: 'INVALID_TRANSITION', message: 'No member has this email' },
      });
      continue;
    }

    const id = newId();
    const decision = decideCreate({ id, fields, owner, existingByKey, policy, now: actor.now });
    if (!decision.ok) {
      const existing = decision.violation.details?.existingLeadId;
      outcomes.push(
        decision.violation.code === 'DUPLICATE_LEAD' && typeof existing === 'string'
          ? { row, outcome: 'duplicate', existingLeadId: existing }
          : { row, outcome: 'refused', error: decision.violation },
      );
      continue;
    }

    // Later rows see this row's keys and its owner's new count.
    for (const { key } of decision.value.keys) existingByKey.set(key, id);
    for (const member of decision.value.members) owners.set(member.email, member);
    mergeChanges(all, decision.value);
    outcomes.push({ row, outcome: 'created', leadId: id });
  }

  applyChanges(tx, latestOnly(all), actor, newId);

  return outcomes;
}

export type ClaimResult = { lead: Lead; released: Lead[] };

export async function claimLead(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  leadId: string,
  releaseIds: string[],
  newId: NewId,
): Promise<Decision<ClaimResult>> {
  const rep = await tx.getMember(actor.member.email);
  const found = await tx.getLeads([leadId, ...releaseIds]);
  const lead = found.get(leadId);
  if (!lead) throw new ApiError('NOT_FOUND', 'No lead has this id', { leadId });

  const missing = releaseIds.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new ApiError('NOT_FOUND', 'Some leads to release do not exist', { leadIds: missing });
  }

  if (!rep) throw new ApiError('FORBIDDEN', 'You are not a member of this team');

  const releases = releaseIds.map((id) => found.get(id)!);
  const decision = decideClaim({ lead, rep, releases, policy, now: actor.now });

  return commit(tx, decision, actor, newId, (changes) => ({
    lead: changes.leads[0]!,
    released: changes.leads.slice(1),
  }));
}

/** The acting member as the transaction reads them, so their counters are current. */
async function currentSelf(tx: StoreTransaction, actor: Actor): Promise<Member> {
  const self = await tx.getMember(actor.member.email);
  if (!self) throw new ApiError('FORBIDDEN', 'You are not a member of this team');

  return self;
}

export async function releaseLead(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  leadId: string,
  reason: string,
  newId: NewId,
): Promise<Decision<Lead>> {
  const lead = await leadOrThrow(tx, leadId);
  const owner = await currentSelf(tx, actor);
  const decision = decideRelease({ lead, owner, reason, policy, now: actor.now });

  return commit(tx, decision, actor, newId, leadById(leadId));
}

export async function assignLead(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  leadId: string,
  toEmail: string,
  newId: NewId,
): Promise<Decision<Lead>> {
  const lead = await leadOrThrow(tx, leadId);
  const previousEmail = lead.status === 'owned' ? lead.ownerEmail : null;
  const members = await tx.getMembers(previousEmail ? [toEmail, previousEmail] : [toEmail]);
  const target = memberOrThrow(members, toEmail);
  const previousOwner = previousEmail ? (members.get(previousEmail) ?? null) : null;
  const decision = decideAssign({ lead, target, previousOwner, policy, now: actor.now });

  return commit(tx, decision, actor, newId, leadById(leadId));
}

export async function followUpLead(
  tx: StoreTransaction,
  actor: Actor,
  policy: Policy,
  leadId: string,
  followUp: { channel: string; note: string },
  newId: NewId,
): Promise<Decision<Lead>> {
  const lead = await leadOrThrow(tx, leadId);
  const decision = decideFollowUp({
    lead,
    actor: actor.member,
    ...followUp,
    policy,
    now: actor.now,
  });

  return commit(tx, decision, actor, newId, leadById(leadId));
}

export async function closeLead(
  tx: StoreTransaction,
  actor: Actor,
  leadId: string,
  close: { reason: CloseReason; note: string | null },
  newId: NewId,
): Promise<Decision<Lead>> {
  const lead = await leadOrThrow(tx, leadId);
  const owner =
    lead.status === 'owned' && lead.ownerEmail ? await tx.getMember(lead.ownerEmail) : null;
  const decision = decideClose({ lead, actor: actor.member, owner, ...close, now: actor.now });

  return commit(tx, decision, actor, newId, leadById(leadId));
}
