import { changes, type Changes } from './changes.js';
import { newPoolLead, stateOf, type CloseReason, type Lead, type NewLead } from './lead.js';
import { leadKeys } from './lead-keys.js';
import { capacityOf, isManager, type Member } from './member.js';
import { assertOwnerMatches, takeOwnership } from './ownership.js';
import type { Policy } from './policy.js';
import { addHours } from './time.js';
import { allow, refuse, type Decision } from './violations.js';

export type CreateInput = {
  id: string;
  fields: NewLead;
  /** The rep named by `ownerEmail`, when one was named. */
  owner: Member | null;
  /** For each key of the new lead, the lead that already holds it, if any. */
  existingByKey: ReadonlyMap<string, string>;
  policy: Policy;
  now: Date;
};

/** A new lead, in the pool or straight in a rep's private pool; duplicates are refused. */
export function decideCreate({
  id,
  fields,
  owner,
  existingByKey,
  policy,
  now,
}: CreateInput): Decision<Changes> {
  const keys = leadKeys(fields, policy.defaultCountry);
  const clash = keys.find((key) => existingByKey.has(key));
  if (clash) {
    return refuse('DUPLICATE_LEAD', 'A lead with this phone or company already exists', {
      existingLeadId: existingByKey.get(clash),
      matchedOn: clash.slice(0, clash.indexOf(':')),
    });
  }

  const stamp = now.toISOString();
  const pooled = newPoolLead(id, fields, now);
  const keyRows = keys.map((key) => ({ key, leadId: id }));
  const created = changes({
    leads: [pooled],
    keys: keyRows,
    events: [
      { type: 'lead.created', leadId: id, subject: null, before: null, after: stateOf(pooled) },
    ],
  });
  if (!owner) return allow(created);

  if (owner.role !== 'rep' || !owner.active) {
    return refuse('INVALID_TRANSITION', 'Leads can only be given to an active rep', {
      ownerEmail: owner.email,
    });
  }

  const capacity = capacityOf(owner, policy);
  if (owner.ownedCount + 1 > capacity) {
    return refuse('CAPACITY_EXCEEDED', "The rep's private pool is full", {
      ownerEmail: owner.email,
      capacity,
      owned: owner.ownedCount,
    });
  }

  const owned = takeOwnership(pooled, owner.email, policy, now);

  return allow(
    changes({
      leads: [owned],
      keys: keyRows,
      members: [
        { ...owner, ownedCount: owner.ownedCount + 1, lastAssignedAt: stamp, updatedAt: stamp },
      ],
      events: [
        {
          type: 'lead.created',
          leadId: id,
          subject: owner.email,
          before: null,
          after: stateOf(owned),
        },
      ],
    }),
  );
}

export type FollowUpInput = {
  lead: Lead;
  actor: Member;
  channel: string;
  note: string;
  policy: Policy;
  now: Date;
};

/** The owner reached the lead: the follow-up clock starts again from now. */
export function decideFollowUp({
  lead,
  actor,
  channel,
  note,
  policy,
  now,
}: FollowUpInput): Decision<Changes> {
  if (lead.status !== 'owned' || lead.ownerEmail !== actor.email) {
    return refuse('NOT_OWNER', 'Only the rep who owns this lead can log a follow-up', {
      leadId: lead.id,
    });
  }

  const followed: Lead = {
    ...lead,
    lastFollowUpAt: now.toISOString(),
    followUpDueAt: addHours(now, policy.followUpHours).toISOString(),
    updatedAt: now.toISOString(),
  };

  return allow(
    changes({
      leads: [followed],
      events: [
        {
          type: 'lead.followed_up',
          leadId: lead.id,
          subject: actor.email,
          before: stateOf(lead),
          after: stateOf(followed),
          data: { channel, note },
        },
      ],
    }),
  );
}

export type CloseInput = {
  lead: Lead;
  actor: Member;
  /** The rep who owns the lead, when it is owned: their capacity is freed. */
  owner: Member | null;
  reason: CloseReason;
  note: string | null;
  now: Date;
};

/** A lead leaves the funnel. Its owner may close it; a manager may close any open lead. */
export function decideClose({
  lead,
  actor,
  owner,
  reason,
  note,
  now,
}: CloseInput): Decision<Changes> {
  if (lead.status !== 'owned' && lead.status !== 'pool') {
    return refuse('INVALID_TRANSITION', `A ${lead.status} lead cannot be closed`, {
      leadId: lead.id,
      status: lead.status,
    });
  }

  if (!isManager(actor) && (lead.status !== 'owned' || lead.ownerEmail !== actor.email)) {
    return refuse('NOT_OWNER', 'Only the owner or a manager can close this lead', {
      leadId: lead.id,
    });
  }

  assertOwnerMatches(lead, owner);

  const stamp = now.toISOString();
  const closed: Lead = {
    ...lead,
    status: 'closed',
    closeReason: reason,
    closeNote: note,
    followUpDueAt: null,
    dealDueAt: null,
    updatedAt: stamp,
  };
  const members =
    lead.status === 'owned' && owner
      ? [{ ...owner, ownedCount: owner.ownedCount - 1, updatedAt: stamp }]
      : [];

  return allow(
    changes({
      leads: [closed],
      members,
      events: [
        {
          type: 'lead.closed',
          leadId: lead.id,
          subject: lead.ownerEmail,
          before: stateOf(lead),
          after: stateOf(closed),
          data: note ? { reason, note } : { reason },
        },
      ],
    }),
  );
}
