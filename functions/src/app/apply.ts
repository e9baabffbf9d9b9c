import type { Changes } from '../domain/changes.js';
import type { StoredEvent } from '../domain/events.js';
import type { StoreTransaction } from '../store/port.js';
import type { Actor } from './actor.js';

export type NewId = () => string;

/** Writes what a rule decided, stamping each event with who asked and when. */
export function applyChanges(
  tx: StoreTransaction,
  changes: Changes,
  actor: Actor,
  newId: NewId,
): void {
  for (const lead of changes.leads) tx.saveLead(lead);
  for (const member of changes.members) tx.saveMember(member);
  for (const { key, leadId } of changes.keys) tx.saveLeadKey(key, leadId);

  const at = actor.now.toISOString();
  const events: StoredEvent[] = changes.events.map((draft, seq) => ({
    id: newId(),
    type: draft.type,
    at,
    seq,
    leadId: draft.leadId,
    subject: draft.subject,
    actor: actor.member.email,
    relayedBy: actor.relayedBy,
    requestId: actor.requestId,
    before: draft.before,
    after: draft.after,
    data: draft.data ?? null,
  }));
  if (events.length > 0) tx.appendEvents(events);
}
