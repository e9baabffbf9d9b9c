import type { EventDraft } from './events.js';
import type { Lead } from './lead.js';
import type { Member } from './member.js';

/** What a rule decided: whole documents to write and the events that explain them. */
export type Changes = {
  leads: Lead[];
  members: Member[];
  keys: { key: string; leadId: string }[];
  events: EventDraft[];
};

export function changes(parts: Partial<Changes>): Changes {
  return {
    leads: parts.leads ?? [],
    members: parts.members ?? [],
    keys: parts.keys ?? [],
    events: parts.events ?? [],
  };
}

/** Adds `more` to `target`, so several decisions in one transaction write once, in order. */
export function mergeChanges(target: Changes, more: Changes): void {
  target.leads.push(...more.leads);
  target.members.push(...more.members);
  target.keys.push(...more.keys);
  target.events.push(...more.events);
}

/** Each document once, in its last state: later decisions saw the earlier ones' writes. */
export function latestOnly(all: Changes): Changes {
  return {
    ...all,
    leads: [...new Map(all.leads.map((lead) => [lead.id, lead])).values()],
    members: [...new Map(all.members.map((member) => [member.email, member])).values()],
  };
}
