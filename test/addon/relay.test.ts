import { afterEach, describe, expect, it, vi } from 'vitest';

import { relayEdit } from '../../sheets-addon/src/index.js';
import type { FakeRange, FakeSheet } from './fakes/spreadsheet.js';
import { installFakes, refusal, view, type Routes } from './support/canned-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = 'admin@example.com';
const MANAGER = 'mina@example.com';
const LEADS_COLUMNS = ['Lead ID', 'Company', 'Owner', 'Status'];
const VISITS_COLUMNS = ['Visit ID', 'Rep', 'Lead ID', 'Company', 'Outcome', 'Met', 'Note'];

function session(routes: Routes) {
  return installFakes(routes, ADMIN);
}

/** A user's edit: the cells already hold the new values when the trigger runs. */
function edit(range: FakeRange, by: string, values?: { value: string; oldValue: string }) {
  relayEdit({ range, user: { getEmail: () => by }, ...values } as never);
}

function typeInto(sheet: FakeSheet, row: number, column: number, value: string) {
  const cell = sheet.getRange(row, column);
  const oldValue = String(sheet.cell(row, column));
  cell.setValue(value);

  return { cell, value, oldValue };
}

describe('relayEdit in Leads', () => {
  function leadsTab(fakes: ReturnType<typeof session>) {
    return fakes.spreadsheet.addSheet('Leads', [
      LEADS_COLUMNS,
      ['L1', 'Harbour Tea', 'rita@example.com', 'owned'],
      ['L2', 'Quay Noodles', 'rita@example.com', 'owned'],
    ]);
  }

  it('relays edits in a Leads tab people renamed in another case', () => {
    const fakes = session({
      'POST /v1/leads/L1/assign': [200, {}],
      'GET /v1/views/Leads': view('Leads', LEADS_COLUMNS, []),
    });
    const leads = fakes.spreadsheet.addSheet('leads ', [
      LEADS_COLUMNS,
      ['L1', 'Harbour Tea', 'rita@example.com', 'owned'],
    ]);
    const { cell, ...values } = typeInto(leads, 2, 3, 'omar@example.com');

    edit(cell, MANAGER, values);

    expect(fakes.urlFetch.requests[0]).toMatchObject({ method: 'POST' });
    expect(fakes.urlFetch.requests[0]?.url).toMatch(/\/v1\/leads\/L1\/assign$/);
  });

  it('assigns the lead to the new owner, acting for the manager who edited', () => {
    const fakes = session({
      'POST /v1/leads/L1/assign': [200, {}],
      'GET /v1/views/Leads': view('Leads', LEADS_COLUMNS, [
        ['L1', 'Harbour Tea', 'omar@example.com', 'owned'],
      ]),
    });
    const leads = leadsTab(fakes);
    leads.setNote(2, 3, 'An earlier refusal');
    const { cell, ...values } = typeInto(leads, 2, 3, 'omar@example.com');

    edit(cell, MANAGER, values);

    expect(fakes.urlFetch.requests[0]).toMatchObject({
      method: 'POST',
      body: '{"toEmail":"omar@example.com"}',
      headers: { Authorization: `Bearer dev:${ADMIN}`, 'X-Leadpool-Relay-For': MANAGER },
    });
    expect(leads.records()[0]).toMatchObject({ Owner: 'omar@example.com' });
    expect(leads.noteAt(2, 3)).toBe('');
    expect(fakes.locks.lock.held).toBe(false);
  });

  it('puts a refused edit back and notes the server’s message on the cell', () => {
    const full = refusal('CAPACITY_EXCEEDED', "The rep's private pool is full");
    const fakes = session({ 'POST /v1/leads/L1/assign': [409, full] });
    const leads = leadsTab(fakes);
    const { cell, ...values } = typeInto(leads, 2, 3, 'omar@example.com');

    edit(cell, MANAGER, values);

    expect(leads.cell(2, 3)).toBe('rita@example.com');
    expect(leads.noteAt(2, 3)).toBe("The rep's private pool is full");
  });

  it('puts back a cleared owner without asking the server', () => {
    const fakes = session({});
    const leads = leadsTab(fakes);
    const { cell, ...values } = typeInto(leads, 2, 3, '');

    edit(cell, MANAGER, values);

    expect(fakes.urlFetch.requests).toEqual([]);
    expect(leads.cell(2, 3)).toBe('rita@example.com');
    expect(leads.noteAt(2, 3)).toMatch(/owner releases it or a manager assigns it/);
  });

  it('puts back an edit whose author Google did not name', () => {
    const fakes = session({});
    const leads = leadsTab(fakes);
    const { cell, ...values } = typeInto(leads, 2, 3, 'omar@example.com');

    edit(cell, '', values);

    expect(fakes.urlFetch.requests).toEqual([]);
    expect(leads.cell(2, 3)).toBe('rita@example.com');
    expect(leads.noteAt(2, 3)).toMatch(/could not tell who made this edit/);
  });

  it('redraws pasted rows from the server, each refused one with its reason', () => {
    const fakes = session({
      'POST /v1/leads/L1/assign': [200, {}],
      'POST /v1/leads/L2/assign': [409, refusal('INVALID_TRANSITION', 'Not an active rep')],
      'GET /v1/views/Leads': view('Leads', LEADS_COLUMNS, [
        ['L1', 'Harbour Tea', 'omar@example.com', 'owned'],
        ['L2', 'Quay Noodles', 'rita@example.com', 'owned'],
      ]),
    });
    const leads = leadsTab(fakes);
    const pasted = leads.getRange(2, 3, 2, 1);
    pasted.setValues([['omar@example.com'], ['ghost@example.com']]);

    edit(pasted, MANAGER);

    expect(leads.records().map((record) => record.Owner)).toEqual([
      'omar@example.com',
      'rita@example.com',
    ]);
    expect([leads.noteAt(2, 3), leads.noteAt(3, 3)]).toEqual(['', 'Not an active rep']);
  });

  it('leaves edits of other columns to the next sync', () => {
    const fakes = session({});
    const leads = leadsTab(fakes);
    const { cell, ...values } = typeInto(leads, 2, 2, 'Harbour Tea Ltd');

    edit(cell, MANAGER, values);

    expect(fakes.urlFetch.requests).toEqual([]);
  });
});

describe('relayEdit in Visits', () => {
  function visitsTab(fakes: ReturnType<typeof session>, row: string[]) {
    return fakes.spreadsheet.addSheet('Visits', [
      VISITS_COLUMNS,
      ['V1', 'rita@example.com', 'L9', 'Pier Hardware', 'potential', 'staff', ''],
      row,
    ]);
  }

  it('logs a completed new row for the rep who typed it and writes back its Visit ID', () => {
    const fakes = session({
      'POST /v1/visits': [201, { visit: { id: 'V2', leadId: 'L1' }, lead: null }],
      'GET /v1/views/Visits': view('Visits', VISITS_COLUMNS, [
        ['V2', 'rita@example.com', 'L1', 'Harbour Tea', 'effective', 'owner', 'Tasting'],
      ]),
    });
    const visits = visitsTab(fakes, ['', '', 'L1', '', 'Effective', 'Owner', 'Tasting']);

    edit(visits.getRange(3, 1, 1, 7), 'rita@example.com');

    expect(fakes.urlFetch.requests[0]).toMatchObject({
      body: '{"leadId":"L1","outcome":"effective","met":"owner","note":"Tasting"}',
      headers: { 'X-Leadpool-Relay-For': 'rita@example.com' },
    });
    expect(visits.records()[1]).toMatchObject({
      'Visit ID': 'V2',
      Rep: 'rita@example.com',
      Company: 'Harbour Tea',
    });
  });

  it('sends a row naming only a company as a cold visit', () => {
    const fakes = session({
      'POST /v1/visits': [201, { visit: { id: 'V3', leadId: 'L7' } }],
      'GET /v1/views/Visits': view('Visits', VISITS_COLUMNS, []),
    });
    const visits = visitsTab(fakes, ['', '', '', 'Lighthouse Paints', 'potential', 'staff', '']);

    edit(visits.getRange(3, 1, 1, 7), 'rita@example.com');

    expect(JSON.parse(fakes.urlFetch.requests[0]!.body!)).toMatchObject({
      prospect: { company: 'Lighthouse Paints', contactName: '', products: '' },
    });
    expect(visits.records()[1]).toMatchObject({ 'Visit ID': 'V3', 'Lead ID': 'L7' });
  });

  it('waits until the row names a lead, an outcome and whom the rep met', () => {
    const fakes = session({});
    const visits = visitsTab(fakes, ['', '', 'L1', '', 'effective', '', '']);

    edit(visits.getRange(3, 5), 'rita@example.com', { value: 'effective', oldValue: '' });

    expect(fakes.urlFetch.requests).toEqual([]);
    expect(visits.noteAt(3, 5)).toBe('');
  });

  it('notes a refused row on its Outcome cell and keeps what the rep typed', () => {
    const notOwner = refusal('NOT_OWNER', 'You can only log visits to leads you own');
    const fakes = session({ 'POST /v1/visits': [409, notOwner] });
    const visits = visitsTab(fakes, ['', '', 'L5', '', 'potential', 'staff', '']);

    edit(visits.getRange(3, 6), 'rita@example.com', { value: 'staff', oldValue: '' });

    expect(visits.noteAt(3, 5)).toBe('You can only log visits to leads you own');
    expect(visits.records()[1]).toMatchObject({ 'Visit ID': '', 'Lead ID': 'L5' });
  });

  it('puts back an edit of a logged visit', () => {
    const fakes = session({});
    const visits = visitsTab(fakes, []);
    const { cell, ...values } = typeInto(visits, 2, 7, 'Changed my mind');

    edit(cell, 'rita@example.com', values);

    expect(fakes.urlFetch.requests).toEqual([]);
    expect(visits.cell(2, 7)).toBe('');
    expect(visits.noteAt(2, 5)).toBe('A logged visit cannot be changed.');
  });

  it('puts back a cleared Visit ID rather than log the visit again', () => {
    const fakes = session({});
    const visits = visitsTab(fakes, []);
    const { cell, ...values } = typeInto(visits, 2, 1, '');

    edit(cell, 'rita@example.com', values);

    expect(fakes.urlFetch.requests).toEqual([]);
    expect(visits.cell(2, 1)).toBe('V1');
  });
});

describe('relayEdit elsewhere', () => {
  it('ignores tabs that are not relayed', () => {
    const fakes = session({});
    const pool = fakes.spreadsheet.addSheet('Pool', [['Lead ID'], ['L1']]);
    const { cell, ...values } = typeInto(pool, 2, 1, 'L2');

    edit(cell, MANAGER, values);

    expect(fakes.urlFetch.requests).toEqual([]);
  });
});
