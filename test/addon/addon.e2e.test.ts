/**
 * The built add-on, Code.js, run in a V8 context whose globals are fakes of the Apps Script
 * services, against the real API on a local port. Every UrlFetchApp call is a real,
 * synchronous HTTP request, as in Apps Script; the sheet and the UI are the fakes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Lead } from '../../functions/src/domain/lead.js';
import type { Visit } from '../../functions/src/domain/visits.js';
import type { StoredEvent } from '../../functions/src/domain/events.js';
import { buildAddon } from '../../sheets-addon/build.js';
import { ADMIN } from '../support/api-server.js';
import { fakeAppsScript } from './fakes/apps-script.js';
import type { FakeSheet, FakeSpreadsheet } from './fakes/spreadsheet.js';
import { startLiveApi, type LiveApi } from './support/live-api.js';
import { loadAddon } from './support/sandbox.js';

const REP = 'rita@example.com';
const OTHER_REP = 'omar@example.com';
const MANAGER = 'mina@example.com';

/** What a stack trace looks like: a frame line, or an error class name leading the text. */
const STACK = /\n\s*at |^\w*Error:|\.js:\d+/;

let api: LiveApi;
let codeFile: string;
let htmlDir: string;
const company: Record<string, string> = {};

function addLead(name: string): string {
  const { status, body } = api.as(ADMIN, 'POST', '/v1/leads', { company: name });
  expect(status).toBe(201);
  company[body.id as string] = name;

  return body.id as string;
}

beforeAll(async () => {
  htmlDir = mkdtempSync(join(tmpdir(), 'leadpool-addon-'));
  codeFile = join((await buildAddon({ outDir: htmlDir })).outDir, 'Code.js');
  api = startLiveApi();
  for (const [email, role] of [
    [REP, 'rep'],
    [OTHER_REP, 'rep'],
    [MANAGER, 'manager'],
  ]) {
    expect(api.as(ADMIN, 'PUT', `/v1/members/${email}`, { role, name: email }).status).toBe(200);
  }
});

afterAll(() => api?.stop());

/** A user opening the shared spreadsheet: their own session, menus and dialogs. */
function openAs(user: string, spreadsheet?: FakeSpreadsheet) {
  const fakes = fakeAppsScript({ user, transport: api.transport, htmlDir, spreadsheet });
  fakes.properties.script.setProperty('LEADPOOL_API_URL', api.baseUrl);

  return { ...fakes, ...loadAddon(codeFile, fakes) };
}

function rowOf(sheet: FakeSheet, leadId: string): number {
  const index = sheet.records().findIndex((record) => record['Lead ID'] === leadId);
  expect(index, `${leadId} in ${sheet.getName()}`).toBeGreaterThanOrEqual(0);

  return index + 2;
}

function idsIn(sheet: FakeSheet, column = 'Lead ID'): unknown[] {
  return sheet.records().map((record) => record[column]);
}

function lead(id: string): Lead {
  return api.store<Lead>('getLead', id);
}

describe('the built add-on against the real API', () => {
  it('builds the menu of the role the server gives the user', () => {
    const rep = openAs(REP);

    rep.addon.onOpen({ authMode: rep.script.AuthMode.FULL } as never);
    expect(rep.ui.menu?.items).toEqual(['Start Lead Pool → loadMenu']);

    rep.addon.loadMenu();
    expect(rep.ui.menu?.items).toContain('Claim selected leads → claimSelected');
    expect(rep.ui.menu?.items).not.toContain('Assign selected leads… → assignSelected');
    expect(rep.spreadsheet.toasts.at(-1)?.message).toBe(`Signed in as ${REP} (rep).`);
  });

  it('claims the selected pool lead, redraws Pool and Leads, and says so', () => {
    const id = addLead('Harbour Tea');
    const rep = openAs(REP);
    rep.addon.refreshSheet();
    const pool = rep.spreadsheet.sheet('Pool');

    pool.select(rowOf(pool, id));
    rep.addon.claimSelected();

    expect(rep.ui.alerts).toEqual([]);
    expect(rep.spreadsheet.toasts.at(-1)?.message).toBe('Claimed Harbour Tea.');
    expect(idsIn(pool)).not.toContain(id);
    const leads = rep.spreadsheet.sheet('Leads');
    expect(leads.records()[rowOf(leads, id) - 2]).toMatchObject({ Owner: REP, Status: 'owned' });
    expect(lead(id)).toMatchObject({ status: 'owned', ownerEmail: REP });
  });

  it('releases the selected lead with the reason the rep types', () => {
    const id = addLead('Quay Noodles');
    const rep = openAs(REP);
    rep.addon.refreshSheet();
    rep.spreadsheet.sheet('Pool').select(rowOf(rep.spreadsheet.sheet('Pool'), id));
    rep.addon.claimSelected();
    const leads = rep.spreadsheet.sheet('Leads');

    leads.select(rowOf(leads, id));
    rep.ui.answerPrompts('Closed for renovation');
    rep.addon.releaseSelected();

    expect(rep.spreadsheet.toasts.at(-1)?.message).toBe('Released Quay Noodles.');
    expect(idsIn(leads)).not.toContain(id);
    expect(idsIn(rep.spreadsheet.sheet('Pool'))).toContain(id);
    expect(lead(id)).toMatchObject({ status: 'pool', ownerEmail: null });
    const events = api.store<StoredEvent[]>('listLeadEvents', id);
    expect(events.at(-1)).toMatchObject({ type: 'lead.released', actor: REP });
  });

  it('shows the server’s message when a claim is refused, and no stack trace', () => {
    const id = addLead('Dock Bakery');
    const rep = openAs(REP);
    rep.addon.refreshSheet();
    const pool = rep.spreadsheet.sheet('Pool');
    pool.select(rowOf(pool, id));
    rep.addon.claimSelected();
    rep.spreadsheet.sheet('Leads').select(rowOf(rep.spreadsheet.sheet('Leads'), id));
    rep.ui.answerPrompts('Wrong district');
    rep.addon.releaseSelected();

    pool.select(rowOf(pool, id));
    rep.addon.claimSelected();

    expect(rep.ui.alerts).toEqual([
      { title: 'Claim', message: 'You gave this lead up recently and cannot claim it yet' },
    ]);
    expect(rep.ui.alerts[0]!.message).not.toMatch(STACK);
    expect(lead(id).status).toBe('pool');
  });

  it('logs a visit from the sidebar’s visit form, once however often it is sent', () => {
    const id = addLead('Pier Hardware');
    const rep = openAs(REP);
    rep.addon.refreshSheet();
    rep.spreadsheet.sheet('Pool').select(rowOf(rep.spreadsheet.sheet('Pool'), id));
    rep.addon.claimSelected();
    const leads = rep.spreadsheet.sheet('Leads');
    leads.select(rowOf(leads, id));

    rep.addon.showVisitForm();
    expect(rep.ui.sidebars.at(-1)?.start()).toEqual({ view: 'visit', leadId: id });

    const form = { leadId: id, outcome: 'effective', met: 'owner', note: 'Met the owner' };
    const first = rep.addon.submitVisit(form, 'visit-action-1');
    const retry = rep.addon.submitVisit(form, 'visit-action-1');

    expect(first).toMatchObject({ ok: true, value: { leadId: id, company: 'Pier Hardware' } });
    expect(retry).toEqual(first);
    const visitId = first.ok ? first.value.visitId : '';
    const day = (api.as(REP, 'GET', '/v1/me').body.today as { day: string }).day;
    const visits = api.store<Visit[]>('listVisits', day, REP).filter((v) => v.leadId === id);
    expect(visits).toMatchObject([{ id: visitId, outcome: 'effective', note: 'Met the owner' }]);
    expect(idsIn(rep.spreadsheet.sheet('Visits'), 'Visit ID')).toContain(visitId);
  });

  it('answers a visit the rules refuse with the server’s message for the sidebar', () => {
    const rep = openAs(REP);

    const refused = rep.addon.submitVisit({
      prospect: { company: 'Lighthouse Paints' },
      outcome: 'effective',
      met: 'staff',
    });

    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    const issues = refused.ok ? [] : refused.error.issues.map((issue) => issue.message);
    expect(issues).toContain(
      'A visit is effective only when the rep met the owner or an executive',
    );
  });

  it('imports the Import tab, writing each row’s outcome beside it', () => {
    const existing = addLead('Mooring Supplies');
    const manager = openAs(MANAGER);
    manager.addon.importLeads();
    const tab = manager.spreadsheet.sheet('Import');
    const headers = tab.values()[0] as string[];
    const row = (fields: Record<string, string>) => headers.map((h) => fields[h] ?? '');
    tab
      .getRange(2, 1, 3, headers.length)
      .setValues([
        row({ Company: 'Slipway Coffee', 'Owner email': OTHER_REP }),
        row({ Company: 'Mooring Supplies' }),
        row({ Phone: '13800138000' }),
      ]);

    manager.addon.importLeads();

    const [created, duplicate, invalid] = tab.records().map((record) => String(record.Result));
    expect(created).toMatch(/^Created \w+$/);
    expect(duplicate).toBe(`Duplicate of ${existing}`);
    expect(invalid).toBe('Invalid: company: Company is required');
    expect(lead(created!.slice('Created '.length))).toMatchObject({ ownerEmail: OTHER_REP });
    expect(manager.ui.alerts.at(-1)?.message).toBe(
      'Import done: 1 created, 1 duplicates, 1 invalid.',
    );
  });

  it('installs the edit relay for an admin, once', () => {
    const admin = openAs(ADMIN);

    admin.addon.installTriggers();
    admin.addon.installTriggers();

    expect(admin.script.triggers.map((t) => [t.handler, t.event])).toEqual([
      ['relayEdit', 'ON_EDIT'],
    ]);
    expect(admin.spreadsheet.toasts.map((t) => t.message)).toEqual([
      'Edit relay installed.',
      'Edit relay already installed.',
    ]);
  });
});

describe('the edit relay, running as the admin who installed it', () => {
  /** The admin's trigger and a member's edit of one cell of the shared spreadsheet. */
  function editLead(leadId: string, header: string, value: string, by: string) {
    const admin = openAs(ADMIN);
    admin.addon.refreshSheet();
    const sheet = admin.spreadsheet.sheet('Leads');
    const row = rowOf(sheet, leadId);
    const column = (sheet.values()[0] ?? []).indexOf(header) + 1;
    const cell = sheet.getRange(row, column);
    const oldValue = String(sheet.cell(row, column));
    cell.setValue(value);

    admin.addon.relayEdit({
      range: cell,
      value,
      oldValue,
      user: { getEmail: () => by },
    } as never);

    return { sheet, cell };
  }

  it('assigns a lead when a manager edits its Owner, acting for the manager', () => {
    const id = addLead('Canal Optics');
    api.as(REP, 'POST', `/v1/leads/${id}/claim`, {});

    const { sheet, cell } = editLead(id, 'Owner', OTHER_REP, MANAGER);

    expect(lead(id)).toMatchObject({ status: 'owned', ownerEmail: OTHER_REP });
    const events = api.store<StoredEvent[]>('listLeadEvents', id);
    expect(events.at(-1)).toMatchObject({
      type: 'lead.assigned',
      actor: MANAGER,
      relayedBy: ADMIN,
    });
    expect(sheet.records()[rowOf(sheet, id) - 2]).toMatchObject({ Owner: OTHER_REP });
    expect(cell.getNotes()).toEqual([['']]);
  });

  it('puts a refused Owner edit back and notes the server’s message on the cell', () => {
    const id = addLead('Ferry Florist');
    api.as(REP, 'POST', `/v1/leads/${id}/claim`, {});

    const { cell } = editLead(id, 'Owner', 'stranger@example.com', MANAGER);

    expect(cell.getValues()).toEqual([[REP]]);
    expect(cell.getNotes()).toEqual([['No member has this email']]);
    expect(lead(id).ownerEmail).toBe(REP);
  });

  it('logs a visit typed into a new Visits row for the rep who typed it', () => {
    const id = addLead('Jetty Print');
    api.as(OTHER_REP, 'POST', `/v1/leads/${id}/claim`, {});
    const admin = openAs(ADMIN);
    admin.addon.refreshSheet();
    const visits = admin.spreadsheet.sheet('Visits');
    const row = visits.getLastRow() + 1;
    const headers = visits.values()[0] ?? [];
    const values = headers.map(
      (h) => ({ 'Lead ID': id, Outcome: 'potential', Met: 'staff' })[h as 'Met'] ?? '',
    );
    visits.getRange(row, 1, 1, headers.length).setValues([values]);

    const range = visits.getRange(row, 1, 1, headers.length);
    admin.addon.relayEdit({ range, user: { getEmail: () => OTHER_REP } } as never);

    const logged = visits.records()[row - 2]!;
    expect(logged['Visit ID']).toMatch(/\S/);
    expect(logged).toMatchObject({ 'Lead ID': id, Rep: OTHER_REP, Company: 'Jetty Print' });
    const day = (api.as(OTHER_REP, 'GET', '/v1/me').body.today as { day: string }).day;
    expect(api.store<Visit[]>('listVisits', day, OTHER_REP)).toMatchObject([
      { id: logged['Visit ID'], leadId: id, outcome: 'potential', met: 'staff' },
    ]);
  });
});
