import { apiGet, apiPost, LeadPoolError } from './api.js';
import { ask, toast } from './feedback.js';
import { refreshAfterChange } from './refresh.js';
import { selectedLeads, type SelectedLead } from './sheet.js';
import { openSidebar } from './sidebar.js';
import type { ClaimAnswer, Lead, Page } from './types.js';

/** Claims the selected pool leads one by one; a full private pool opens the swap picker. */
export function claimSelectedLeads(): void {
  const { done, refusal, refusedLead } = eachLead_(selectedLeads(), (lead) =>
    apiPost<ClaimAnswer>(leadPath_(lead.id, 'claim'), {}),
  );
  settle_(done, 'Claimed');

  if (refusal instanceof LeadPoolError && refusal.code === 'CAPACITY_EXCEEDED' && refusedLead) {
    openSidebar({
      view: 'swap',
      leadId: refusedLead.id,
      company: refusedLead.company,
      message: refusal.message,
    });
    return;
  }

  if (refusal) throw refusal;
}

/** Returns the selected leads of the user's own to the pool, with one reason for all. */
export function releaseSelectedLeads(): void {
  const leads = selectedLeads();
  const names = leads.map((lead) => lead.company).join(', ');
  const reason = ask('Release to the pool', `Why is ${names} going back to the pool?`);
  if (reason === null) return;

  if (!reason) throw new LeadPoolError('INVALID_REQUEST', 'A release needs a reason.');

  const { done, refusal } = eachLead_(leads, (lead) =>
    apiPost<Lead>(leadPath_(lead.id, 'release'), { reason }),
  );
  settle_(done, 'Released');
  if (refusal) throw refusal;
}

/** A manager hands the selected leads to a rep, who must have room for them. */
export function assignSelectedLeads(): void {
  const leads = selectedLeads();
  const toEmail = ask('Assign leads', `Email of the rep who gets ${leads.length} lead(s):`);
  if (toEmail === null) return;

  const { done, refusal } = eachLead_(leads, (lead) =>
    apiPost<Lead>(leadPath_(lead.id, 'assign'), { toEmail }),
  );
  settle_(done, `Assigned to ${toEmail}:`);
  if (refusal) throw refusal;
}

/** The swap: claim a lead and release others in one step, as the server's rule asks. */
export function claimWithRelease(
  leadId: string,
  releaseIds: string[],
  actionId?: string,
): ClaimAnswer & { warning: string | null } {
  const body = { release: releaseIds };
  const answer = apiPost<ClaimAnswer>(leadPath_(leadId, 'claim'), body, { actionId });

  return { ...answer, warning: refreshAfterChange(['Pool', 'Leads']) };
}

export function releaseOwnLead(
  leadId: string,
  reason: string,
  actionId?: string,
): Lead & { warning: string | null } {
  const lead = apiPost<Lead>(leadPath_(leadId, 'release'), { reason }, { actionId });

  return { ...lead, warning: refreshAfterChange(['Pool', 'Leads']) };
}

export function myLeads(): Lead[] {
  return apiGet<Page<Lead>>('/v1/me/leads').items;
}

function leadPath_(id: string, action: 'claim' | 'release' | 'assign'): string {
  return `/v1/leads/${encodeURIComponent(id)}/${action}`;
}

type Pass = { done: SelectedLead[]; refusal: unknown; refusedLead: SelectedLead | null };

/** One request per lead, each its own action; the first refusal stops the rest. */
function eachLead_(leads: SelectedLead[], act: (lead: SelectedLead) => unknown): Pass {
  const done: SelectedLead[] = [];
  for (const lead of leads) {
    try {
      act(lead);
      done.push(lead);
    } catch (error) {
      return { done, refusal: error, refusedLead: lead };
    }
  }

  return { done, refusal: null, refusedLead: null };
}

/** What succeeded is redrawn and told before any refusal is shown. */
function settle_(done: SelectedLead[], verb: string): void {
  if (done.length === 0) return;

  const warning = refreshAfterChange(['Pool', 'Leads']);
  const names = done.map((lead) => lead.company).join(', ');
  toast([`${verb} ${names}.`, warning].filter(Boolean).join(' '));
}
