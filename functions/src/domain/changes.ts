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
