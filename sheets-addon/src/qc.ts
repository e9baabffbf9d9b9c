import { apiGet, apiPost } from './api.js';
import { refreshAfterChange } from './refresh.js';
import type { Page, QcItem, Visit } from './types.js';

export function qcQueue(): QcItem[] {
  return apiGet<Page<QcItem>>('/v1/qc/queue?limit=50').items;
}

export function judgeVisit(
  visitId: string,
  verdict: string,
  note: string,
  actionId?: string,
): Visit & { warning: string | null } {
  const path = `/v1/qc/${encodeURIComponent(visitId)}/verdict`;
  const visit = apiPost<Visit>(path, { verdict, note: note.trim() }, { actionId });

  return { ...visit, warning: refreshAfterChange(['QC']) };
}
