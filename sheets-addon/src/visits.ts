import { apiPost, type CallOptions } from './api.js';
import { refreshAfterChange } from './refresh.js';
import type { LoggedVisit, Prospect } from './types.js';

/** The visit form as the sidebar sends it; the server checks every field. */
export type VisitForm = {
  leadId?: string;
  prospect?: Partial<Prospect>;
  outcome: string;
  met: string;
  note?: string;
};

export type VisitBody = {
  leadId?: string;
  prospect?: Prospect;
  outcome: string;
  met: string;
  note: string;
};

/** A visit to a named lead, or a cold visit when no lead is named. */
export function visitBody(form: VisitForm): VisitBody {
  const base = { outcome: clean_(form.outcome), met: clean_(form.met), note: clean_(form.note) };
  const leadId = clean_(form.leadId);
  if (leadId) return { leadId, ...base };

  const prospect = form.prospect ?? {};
  return {
    prospect: {
      company: clean_(prospect.company),
      contactName: clean_(prospect.contactName),
      title: clean_(prospect.title),
      phone: clean_(prospect.phone),
      products: clean_(prospect.products),
    },
    ...base,
  };
}

export function postVisit(body: VisitBody, options: CallOptions = {}): LoggedVisit {
  return apiPost<LoggedVisit>('/v1/visits', body, options);
}

export type VisitReceipt = {
  visitId: string;
  leadId: string | null;
  company: string;
  notice: string | null;
  warning: string | null;
};

export function logVisitFromForm(form: VisitForm, actionId?: string): VisitReceipt {
  const body = visitBody(form);
  const { visit, lead, notice } = postVisit(body, { actionId });

  return {
    visitId: visit.id,
    leadId: visit.leadId,
    company: lead?.company ?? body.prospect?.company ?? '',
    notice: notice ?? null,
    warning: refreshAfterChange(['Visits', 'Today', 'Leads']),
  };
}

function clean_(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}
