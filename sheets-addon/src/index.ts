/**
 * The add-on's global functions: triggers, menu items, and what the sidebar calls through
 * google.script.run. The build turns every export into a top-level function of Code.js.
 */
import { apiGet } from './api.js';
import { alert, runMenuAction, sidebarCall, toast, type Outcome } from './feedback.js';
import { describeImport, importFromTab } from './importer.js';
import {
  assignSelectedLeads,
  claimSelectedLeads,
  claimWithRelease,
  myLeads,
  releaseOwnLead,
  releaseSelectedLeads,
} from './leads.js';
import { loadMe, rememberedRole, showMenu } from './menu.js';
import { judgeVisit, qcQueue } from './qc.js';
import { describeRefresh, refreshTabs } from './refresh.js';
import { relay } from './relay.js';
import { readPolicy, savePolicyPatch } from './settings.js';
import { preselectedLeadId } from './sheet.js';
import { openSidebar } from './sidebar.js';
import { installRelay } from './triggers.js';
import type { Lead, Me, Policy } from './types.js';
import { logVisitFromForm, type VisitForm } from './visits.js';

/** Simple trigger: builds the menu from the remembered role, as it may not call the server. */
export function onOpen(e?: GoogleAppsScript.Events.SheetsOnOpen): void {
  showMenu(rememberedRole(e?.authMode));
}

/** Runs once when the add-on is installed, so the menu appears without reopening the sheet. */
export function onInstall(e?: GoogleAppsScript.Events.SheetsOnOpen): void {
  onOpen(e);
}

/** Menu: asks the server who the user is and shows the menu of their role. */
export function loadMenu(): void {
  runMenuAction('Lead Pool', () => {
    const { member } = loadMe();
    toast(`Signed in as ${member.email} (${member.role}).`);
  });
}

/** Menu (rep): claims the leads of the selected Pool rows. */
export function claimSelected(): void {
  runMenuAction('Claim', claimSelectedLeads);
}

/** Menu (rep): returns the selected leads to the pool, asking for the reason. */
export function releaseSelected(): void {
  runMenuAction('Release', releaseSelectedLeads);
}

/** Menu (rep): the visit form, on the selected lead when a lead row is selected. */
export function showVisitForm(): void {
  runMenuAction('Log a visit', () => openSidebar({ view: 'visit', leadId: preselectedLeadId() }));
}

/** Menu (rep): the rep's leads with their deadlines. */
export function showMyLeads(): void {
  runMenuAction('My leads', () => openSidebar({ view: 'leads' }));
}

/** Menu (manager): assigns the selected leads to a rep. */
export function assignSelected(): void {
  runMenuAction('Assign', assignSelectedLeads);
}

/** Menu: redraws every tab from the server. */
export function refreshSheet(): void {
  runMenuAction('Refresh sheet', () => toast(describeRefresh(refreshTabs())));
}

/** Menu (qc): the visits sampled for checking. */
export function showQcQueue(): void {
  runMenuAction('QC queue', () => openSidebar({ view: 'qc' }));
}

/** Menu (manager, admin): the team's rules. */
export function showSettings(): void {
  runMenuAction('Team rules', () => openSidebar({ view: 'settings' }));
}

/** Menu (admin): installs the edit relay, which runs as the admin who installs it. */
export function installTriggers(): void {
  runMenuAction('Install the edit relay', () => toast(`Edit relay ${installRelay()}.`));
}

/** Installable onEdit trigger: Owner edits in Leads and new rows in Visits. */
export function relayEdit(e: GoogleAppsScript.Events.SheetsOnEdit): void {
  relay(e);
}

/** Menu (manager): sends the Import tab's new rows to the server. */
export function importLeads(): void {
  runMenuAction('Import leads', () => alert('Import leads', describeImport(importFromTab())));
}

/** Sidebar: the user, today's numbers and their leads. */
export function getMyLeads(): Outcome<{ me: Me; leads: Lead[] }> {
  return sidebarCall(() => ({ me: apiGet<Me>('/v1/me'), leads: myLeads() }));
}

/** Sidebar: logs a visit from the visit form. */
export function submitVisit(form: VisitForm, actionId?: string) {
  return sidebarCall(() => logVisitFromForm(form, actionId));
}

/** Sidebar (swap picker): claims a lead while returning others to the pool. */
export function claimWithSwap(leadId: string, releaseIds: string[], actionId?: string) {
  return sidebarCall(() => claimWithRelease(leadId, releaseIds, actionId));
}

/** Sidebar: returns one of the rep's leads to the pool. */
export function releaseLead(leadId: string, reason: string, actionId?: string) {
  return sidebarCall(() => releaseOwnLead(leadId, reason, actionId));
}

/** Sidebar (qc): the sampled visits still to judge. */
export function getQcQueue() {
  return sidebarCall(qcQueue);
}

/** Sidebar (qc): records a verdict on a sampled visit. */
export function submitVerdict(visitId: string, verdict: string, note: string, actionId?: string) {
  return sidebarCall(() => judgeVisit(visitId, verdict, note, actionId));
}

/** Sidebar: the team's rules. */
export function getPolicy() {
  return sidebarCall(readPolicy);
}

/** Sidebar (manager, admin): changes some of the team's rules. */
export function savePolicy(patch: Policy, actionId?: string) {
  return sidebarCall(() => savePolicyPatch(patch, actionId));
}
