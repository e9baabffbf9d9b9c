import * as z from 'zod';

export const EVENT_TYPES = [
  'lead.created',
  'lead.claimed',
  'lead.released',
  'lead.assigned',
  'lead.followed_up',
  'lead.closed',
  'lead.reclaimed',
  'lead.distributed',
  'lead.staged',
  'lead.converted',
  'visit.logged',
  'visit.verdict',
  'report.submitted',
  'member.saved',
  'policy.updated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What a rule says happened; the service adds who asked, through what, and when. */
export type EventDraft = {
  type: EventType;
  leadId: string | null;
  subject: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  data?: Record<string, unknown>;
};

/**
 * One entry of the append-only history. `subject` names the member the event is about
 * (the rep who claimed, lost or received a lead; the member saved), `actor` who caused it,
 * and `relayedBy` the admin identity that relayed an edit made in the sheet.
 */
export const StoredEventSchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  at: z.string(),
  seq: z.number().int().min(0),
  leadId: z.string().nullable(),
  subject: z.string().nullable(),
  actor: z.string(),
  relayedBy: z.string().nullable(),
  requestId: z.string().nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});

export type StoredEvent = z.infer<typeof StoredEventSchema>;
