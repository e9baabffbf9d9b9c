import { changes } from '../domain/changes.js';
import { newMember, type Member } from '../domain/member.js';
import type { Policy, PolicyPatch } from '../domain/policy.js';
import { applyPolicyPatch, decideSaveMember, type MemberFields } from '../domain/team.js';
import type { Decision } from '../domain/violations.js';
import type { Store, StoreTransaction } from '../store/port.js';
import { systemActor, type Actor } from './actor.js';
import { applyChanges, type NewId } from './apply.js';

export async function saveMember(
  tx: StoreTransaction,
  actor: Actor,
  email: string,
  fields: MemberFields,
  newId: NewId,
): Promise<Decision<Member>> {
  const existing = await tx.getMember(email);
  const decision = decideSaveMember({
    email,
    fields,
    existing,
    actorEmail: actor.member.email,
    now: actor.now,
  });
  if (!decision.ok) return decision;

  applyChanges(tx, decision.value, actor, newId);
  return { ok: true, value: decision.value.member };
}

export async function updatePolicy(
  tx: StoreTransaction,
  actor: Actor,
  patch: PolicyPatch,
  newId: NewId,
): Promise<Policy> {
  const current = await tx.getPolicy();
  const updated = applyPolicyPatch(current, patch);

  tx.savePolicy(updated);
  applyChanges(
    tx,
    changes({
      events: [
        { type: 'policy.updated', leadId: null, subject: null, before: current, after: updated },
      ],
    }),
    actor,
    newId,
  );

  return updated;
}

/** Events written by the server itself, not on any member's behalf, name this actor. */
const SYSTEM = 'system';

/**
 * The first admins of a new team come from configuration. Only missing members are added:
 * an admin demoted later in the product stays demoted across restarts.
 */
export async function ensureAdmins(
  store: Store,
  emails: readonly string[],
  now: Date,
  newId: NewId,
): Promise<string[]> {
  // Each admin is checked at once: a cold start waits for one round trip, not one per admin.
  const created = await Promise.all(emails.map((email) => ensureAdmin(store, email, now, newId)));

  return emails.filter((_, index) => created[index]);
}

/** Adds `email` as an admin unless they are a member already; answers whether it did. */
async function ensureAdmin(store: Store, email: string, now: Date, newId: NewId) {
  // A plain read first: on most starts every admin exists and no transaction is needed.
  if (await store.getMember(email)) return false;

  return store.transaction(async (tx) => {
    if (await tx.getMember(email)) return false;

    const admin = newMember({ email, name: email.split('@')[0] ?? email, role: 'admin' }, now);
    const decision = decideSaveMember({
      email,
      fields: { role: 'admin', name: admin.name },
      existing: null,
      actorEmail: SYSTEM,
      now,
    });
    if (!decision.ok) throw new Error(decision.violation.message);

    applyChanges(tx, decision.value, systemActor(SYSTEM, null, now), newId);
    return true;
  });
}
