import { apiGet, LeadPoolError } from './api.js';
import type { Me } from './types.js';

/** The global function the installable edit trigger calls. */
export const RELAY_HANDLER = 'relayEdit';

/**
 * Installs the edit relay for this spreadsheet, once. Installable triggers run as the user
 * who creates them, so only an admin's trigger can speak for the members who edit.
 */
export function installRelay(): 'installed' | 'already installed' {
  const me = apiGet<Me>('/v1/me');
  if (me.member.role !== 'admin') {
    throw new LeadPoolError(
      'FORBIDDEN',
      'Only an admin can install the edit relay: it acts for whoever edits the sheet.',
    );
  }

  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  const existing = ScriptApp.getProjectTriggers().some(
    (trigger) =>
      trigger.getHandlerFunction() === RELAY_HANDLER &&
      trigger.getTriggerSourceId() === spreadsheet.getId(),
  );
  if (existing) return 'already installed';

  ScriptApp.newTrigger(RELAY_HANDLER).forSpreadsheet(spreadsheet).onEdit().create();
  return 'installed';
}
