import { changes, type Changes } from './changes.js';
import { newMember, type Member, type Role } from './member.js';
import { PolicySchema, type Policy, type PolicyPatch } from './policy.js';
import { allow, refuse, type Decision } from './violations.js';

export type MemberFields = {
  role: Role;
  name: string;
  group?: string | undefined;
  capacity?: number | null | undefined;
  active?: boolean | undefined;
};

export type SaveMemberInput = {
  email: string;
  fields: MemberFields;
  existing: Member | null;
  actorEmail: string;
  now: Date;
};

/**
 * An admin adds or edits a member. A rep who still owns leads keeps the rep role until the
 * leads are reassigned, since only reps own leads. Deactivating such a rep is allowed (people
 * leave); their leads stay theirs until a manager reassigns them or they are reclaimed. An
 * admin cannot lock themselves out.
 */
export function decideSaveMember({
  email,
  fields,
  existing,
  actorEmail,
  now,
}: SaveMemberInput): Decision<Changes & { member: Member }> {
  const base = existing ?? newMember({ email, name: fields.name, role: fields.role }, now);
  const saved: Member = {
    ...base,
    name: fields.name,
    role: fields.role,
    group: fields.group ?? base.group,
    capacity: fields.capacity === undefined ? base.capacity : fields.capacity,
    active: fields.active ?? base.active,
    updatedAt: now.toISOString(),
  };

  if (existing && existing.ownedCount > 0 && saved.role !== 'rep') {
    return refuse('INVALID_TRANSITION', 'Reassign this rep’s leads before changing the role', {
      email,
      ownedCount: existing.ownedCount,
    });
  }

  if (
    email === actorEmail &&
    existing?.role === 'admin' &&
    (saved.role !== 'admin' || !saved.active)
  ) {
    return refuse('INVALID_TRANSITION', 'An admin cannot demote or deactivate themselves', {
      email,
    });
  }

  return allow({
    member: saved,
    ...changes({
      members: [saved],
      events: [
        {
          type: 'member.saved',
          leadId: null,
          subject: email,
          before: existing ? profileOf(existing) : null,
          after: profileOf(saved),
        },
      ],
    }),
  });
}

function profileOf(member: Member): Record<string, unknown> {
  return {
    name: member.name,
    role: member.role,
    group: member.group,
    capacity: member.capacity,
    active: member.active,
  };
}

/** The merged policy, validated as a whole so a patch cannot leave it inconsistent. */
export function applyPolicyPatch(current: Policy, patch: PolicyPatch): Policy {
  return PolicySchema.parse({ ...current, ...patch });
}
