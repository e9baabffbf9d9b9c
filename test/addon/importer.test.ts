import { afterEach, describe, expect, it, vi } from 'vitest';

import { importLeads } from '../../sheets-addon/src/index.js';
import { CHUNK_ROWS, describeImport, importFromTab } from '../../sheets-addon/src/importer.js';
import type { ImportAnswer } from '../../sheets-addon/src/types.js';
import { installFakes, view, type CannedRequest, type Routes } from './support/canned-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const HEADERS = ['Company', 'Contact', 'Phone', 'Owner email', 'Result'];

const REDRAW: Routes = {
  'GET /v1/views/Pool': view('Pool', ['Lead ID'], []),
  'GET /v1/views/Leads': view('Leads', ['Lead ID'], []),
};

/** Creates every row with a company, and says a row without one is invalid. */
function importer(sent: { leads: Record<string, string>[] }[]) {
  return (request: CannedRequest): [number, ImportAnswer] => {
    const body = request.json as { leads: Record<string, string>[] };
    sent.push(body);
    const answer: ImportAnswer = { created: [], duplicates: [], invalid: [] };
    body.leads.forEach((lead, row) => {
      if (lead.company) answer.created.push({ row, leadId: `N${sent.length}-${row}` });
      else {
        const issue = { path: 'company', message: 'Company is required' };
        answer.invalid.push({ row, issues: [issue] });
      }
    });

    return [200, answer];
  };
}

describe('importLeads', () => {
  it(`sends the rows in chunks of ${CHUNK_ROWS}, writing each row's result`, () => {
    const sent: { leads: Record<string, string>[] }[] = [];
    const fakes = installFakes(
      { ...REDRAW, 'POST /v1/leads:import': importer(sent) },
      'mina@x.com',
    );
    const rows = Array.from({ length: 450 }, (_, i) => [`Company ${i}`, '', '', '', '']);
    rows[10] = ['', 'Nobody', '138', '', ''];
    const tab = fakes.spreadsheet.addSheet('Import', [HEADERS, ...rows]);

    importLeads();

    expect(sent.map((body) => body.leads.length)).toEqual([200, 200, 50]);
    expect(sent[0]!.leads[10]).toEqual({ company: '', contactName: 'Nobody', phone: '138' });
    const results = tab.records().map((record) => record.Result);
    expect(results[0]).toBe('Created N1-0');
    expect(results[10]).toBe('Invalid: company: Company is required');
    expect(results[449]).toBe('Created N3-49');
    const keys = fakes.urlFetch.requests
      .filter((request) => request.method === 'POST')
      .map((request) => request.headers['Idempotency-Key']);
    expect(new Set(keys).size).toBe(3);
    expect(fakes.spreadsheet.toasts.map((toast) => toast.message)).toEqual([
      'Importing rows 1–200 of 450…',
      'Importing rows 201–400 of 450…',
      'Importing rows 401–450 of 450…',
    ]);
    expect(fakes.ui.alerts).toEqual([
      { title: 'Import leads', message: 'Import done: 449 created, 0 duplicates, 1 invalid.' },
    ]);
  });

  it('skips the rows a previous run created or found duplicate', () => {
    const sent: { leads: Record<string, string>[] }[] = [];
    const fakes = installFakes(
      { ...REDRAW, 'POST /v1/leads:import': importer(sent) },
      'mina@x.com',
    );
    const tab = fakes.spreadsheet.addSheet('Import', [
      HEADERS,
      ['Harbour Tea', '', '', '', 'Created L1'],
      ['Quay Noodles', '', '', '', 'Duplicate of L0'],
      ['Pier Hardware', '', '', 'omar@example.com', 'Invalid: ownerEmail: Not a rep'],
    ]);

    importLeads();

    expect(sent).toEqual([
      { leads: [{ company: 'Pier Hardware', ownerEmail: 'omar@example.com' }] },
    ]);
    expect(tab.records().map((record) => record.Result)).toEqual([
      'Created L1',
      'Duplicate of L0',
      'Created N1-0',
    ]);
  });

  it('creates the Import tab from the server when there is none', () => {
    const fakes = installFakes(
      { 'GET /v1/views/Import': view('Import', [...HEADERS], []) },
      'mina@x.com',
    );

    importLeads();

    expect(fakes.spreadsheet.sheet('Import').values()).toEqual([HEADERS]);
    expect(fakes.ui.alerts[0]?.message).toBe(
      'The Import tab is ready: paste leads into it, one a row, then run the import.',
    );
  });
});

describe('importFromTab', () => {
  it('starts no chunk past its time budget and counts the rows left for the next run', () => {
    const sent: { leads: Record<string, string>[] }[] = [];
    const fakes = installFakes(
      { ...REDRAW, 'POST /v1/leads:import': importer(sent) },
      'mina@x.com',
    );
    const rows = Array.from({ length: 300 }, (_, i) => [`Company ${i}`, '', '', '', '']);
    fakes.spreadsheet.addSheet('Import', [HEADERS, ...rows]);
    const minutes = [0, 0, 5];

    const summary = importFromTab(() => (minutes.shift() ?? 5) * 60_000);

    expect(sent.map((body) => body.leads.length)).toEqual([200]);
    expect(summary).toEqual({ created: 200, duplicates: 0, invalid: 0, remaining: 100 });
    expect(describeImport(summary)).toBe(
      'Import done: 200 created, 0 duplicates, 0 invalid. ' +
        "100 rows are left for the next run (Apps Script's time limit).",
    );
  });
});
