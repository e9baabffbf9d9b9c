import * as z from 'zod';

import { EmailSchema } from './member.js';
import type { Policy } from './policy.js';
import { addHours } from './time.js';

export const LEAD_STATUSES = ['pool', 'owned', 'customer', 'closed'] as const;
export const STAGES = [
  'new',
  'contacted',
  'effective_visit',
  'proposal',
  'contract',
  'paid',
] as const;
export const CLOSE_REASONS = ['invalid', 'lost', 'duplicate', 'other'] as const;
export const FOLLOW_UP_CHANNELS = ['call', 'visit', 'message', 'email'] as const;

export type LeadStatus = (typeof LEAD_STATUSES)[number];
export type CloseReason = (typeof CLOSE_REASONS)[number];

export const LeadSchema = z.object({
  id: z.string(),
  company: z.string(),
  contactName: z.string(),
  title: z.string(),
  phone: z.string(),
  region: z.string(),
  source: z.string(),
  notes: z.string(),
  status: z.enum(LEAD_STATUSES),
  ownerEmail: z.string().nullable(),
  stage: z.enum(STAGES),
  assignedAt: z.string().nullable(),
  lastFollowUpAt: z.string().nullable(),
  followUpDueAt: z.string().nullable(),
  dealDueAt: z.string().nullable(),
  closeReason: z.enum(CLOSE_REASONS).nullable(),
  closeNote: z.string().nullable(),
  /** Member email → the ISO time until which that member may not claim this lead back. */
  cooldowns: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type Lead = z.infer<typeof LeadSchema>;

const text = (max: number) => z.string().trim().max(max);

/** What a manager types to create a lead; the same shape is one row of an import. */
export const NewLeadSchema = z
  .object({
    company: text(200).min(1, 'Company is required'),
    contactName: text(100).default(''),
    title: text(100).default(''),
    phone: text(40).default(''),
    region: text(100).default(''),
    source: text(100).default(''),
    notes: text(2000).default(''),
    ownerEmail: EmailSchema.optional(),
  })
  .strict();

export type NewLead = z.infer<typeof NewLeadSchema>;

/** The descriptive fields of a lead, as a manager enters them. */
export type LeadDetails = Pick<
  Lead,
  'company' | 'contactName' | 'title' | 'phone' | 'region' | 'source' | 'notes'
>;

/** A lead as it enters the pool: unowned, at the first stage, with no deadlines. */
export function newPoolLead(id: string, details: LeadDetails, now: Date): Lead {
  const stamp = now.toISOString();

  return {
    id,
    company: details.company,
    contactName: details.contactName,
    title: details.title,
    phone: details.phone,
    region: details.region,
    source: details.source,
    notes: details.notes,
    status: 'pool',
    ownerEmail: null,
    stage: 'new',
    assignedAt: null,
    lastFollowUpAt: null,
    followUpDueAt: null,
    dealDueAt: null,
    closeReason: null,
    closeNote: null,
    cooldowns: {},
    createdAt: stamp,
    updatedAt: stamp,
  };
}

/** The fields whose change the history records as before / after. */
export type LeadState = Pick<
  Lead,
  'status' | 'ownerEmail' | 'stage' | 'followUpDueAt' | 'dealDueAt' | 'closeReason'
>;

export function stateOf(lead: Lead): LeadState {
  return {
    status: lead.status,
    ownerEmail: lead.ownerEmail,
    stage: lead.stage,
    followUpDueAt: lead.followUpDueAt,
    dealDueAt: lead.dealDueAt,
    closeReason: lead.closeReason,
  };
}

/** The earliest deadline of an owned lead, or null when nothing is due. */
export function nextDueAt(lead: Lead): string | null {
  if (lead.status !== 'owned') return null;

  const dues = [lead.followUpDueAt, lead.dealDueAt].filter((due): due is string => !!due);
  if (dues.length === 0) return null;

  return dues.reduce((earliest, due) => (due < earliest ? due : earliest));
}

export function isDueSoon(lead: Lead, policy: Policy, now: Date): boolean {
  const due = nextDueAt(lead);
  if (due === null) return false;

  return new Date(due) <= addHours(now, policy.warnHours);
}

/** The cooldown still running for `email` on this lead, if any. */
export function cooldownUntil(lead: Lead, email: string, now: Date): string | null {
  const until = lead.cooldowns[email];
  if (!until || new Date(until) <= now) return null;

  return until;
}

export type LeadView = Lead & { dueSoon: boolean; cooldownUntil?: string | null };

/** How a lead is answered: stored fields plus what depends on the clock. */
export function viewLead(lead: Lead, policy: Policy, now: Date, viewer?: string): LeadView {
  const view: LeadView = { ...lead, dueSoon: isDueSoon(lead, policy, now) };
  if (viewer !== undefined) view.cooldownUntil = cooldownUntil(lead, viewer, now);

  return view;
}
