import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  assignSelected,
  claimSelected,
  claimWithSwap,
  releaseSelected,
} from '../../sheets-addon/src/index.js';
import { installFakes, refusal, view, type Routes } from './support/canned-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const POOL = [
  ['Lead ID', 'Company'],
  ['L1', 'Harbour Tea'],
  ['L2', 'Quay Noodles'],
];

const REDRAW: Routes = {
  'GET /v1/views/Pool': view('Pool', ['Lead ID', 'Company'], []),
  'GET /v1/views/Leads': view(
    'Leads',
    ['Lead ID', 'Company', 'Owner'],
    [['L1', 'Harbour Tea', 'r']],
  ),
};

function withPool(routes: Routes) {
  const fakes = installFakes({ ...REDRAW, ...routes });
  const pool = fakes.spreadsheet.addSheet('Pool', POOL);

  return { ...fakes, pool };
}

const UNDEFINED_ROW = 'Cannot read properties of undefined (reading "getRow")';

describe('claimSelected', () => {
  it('claims each selected lead, redraws Pool and Leads, and says what it claimed', () => {
    const fakes = withPool({
      'POST /v1/leads/L1/claim': [200, { lead: {}, released: [] }],
      'POST /v1/leads/L2/claim': [200, { lead: {}, released: [] }],
    });
    fakes.pool.select(2, 2);

    claimSelected();

    const paths = fakes.urlFetch.requests.map((request) => `${request.method} ${request.url}`);
    expect(paths).toEqual([
      'POST https://leadpool.test/api/v1/leads/L1/claim',
      'POST https://leadpool.test/api/v1/leads/L2/claim',
      'GET https://leadpool.test/api/v1/views/Pool',
      'GET https://leadpool.test/api/v1/views/Leads',
    ]);
    expect(fakes.spreadsheet.toasts.at(-1)?.message).toBe('Claimed Harbour Tea, Quay Noodles.');
    expect(fakes.spreadsheet.sheet('Leads').values()).toEqual([
      ['Lead ID', 'Company', 'Owner'],
      ['L1', 'Harbour Tea', 'r'],
    ]);
    expect(fakes.ui.alerts).toEqual([]);
  });

  it('opens the swap picker with the server’s message when the private pool is full', () => {
    const full = refusal('CAPACITY_EXCEEDED', 'Your private pool is full: release a lead to swap');
    const fakes = withPool({ 'POST /v1/leads/L2/claim': [409, full] });
    fakes.pool.select(3);

    claimSelected();

    expect(fakes.ui.sidebars.at(-1)?.start()).toEqual({
      view: 'swap',
      leadId: 'L2',
      company: 'Quay Noodles',
      message: 'Your private pool is full: release a lead to swap',
    });
    expect(fakes.ui.alerts).toEqual([]);
  });

  it('tells what was claimed, then shows the refusal that stopped the rest', () => {
    const fakes = withPool({
      'POST /v1/leads/L1/claim': [200, { lead: {}, released: [] }],
      'POST /v1/leads/L2/claim': [
        409,
        refusal('LEAD_NOT_IN_POOL', 'This lead is no longer in the pool'),
      ],
    });
    fakes.pool.select(2, 2);

    claimSelected();

    expect(fakes.spreadsheet.toasts.at(-1)?.message).toBe('Claimed Harbour Tea.');
    expect(fakes.ui.alerts).toEqual([
      { title: 'Claim', message: 'This lead is no longer in the pool' },
    ]);
  });

  it('shows an unexpected failure in one line and logs its stack', () => {
    const fakes = withPool({});
    vi.spyOn(fakes.globals.SpreadsheetApp, 'getActiveRange').mockImplementation(() => {
      throw new TypeError(UNDEFINED_ROW);
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    claimSelected();

    expect(fakes.ui.alerts).toEqual([
      {
        title: 'Claim',
        message: `Lead Pool hit an unexpected problem: ${UNDEFINED_ROW}`,
      },
    ]);
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/^TypeError: .*\n\s+at /);
  });

  it('says so when the server cannot be reached', () => {
    const fakes = withPool({});
    fakes.pool.select(2);
    vi.spyOn(fakes.urlFetch, 'fetch').mockImplementation(() => {
      throw new Error('Exception: DNS error: https://leadpool.test/api/v1/leads/L1/claim');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    claimSelected();

    expect(fakes.ui.alerts).toEqual([
      {
        title: 'Claim',
        message: 'The Lead Pool server could not be reached. Check your connection and try again.',
      },
    ]);
  });

  it('asks for a selection in a tab of leads', () => {
    const fakes = withPool({});
    fakes.spreadsheet.addSheet('Notes', [['Text'], ['hello']]).select(2);

    claimSelected();

    expect(fakes.ui.alerts).toEqual([
      {
        title: 'Claim',
        message: 'The Notes tab has no "Lead ID" column. Run Refresh sheet to restore it.',
      },
    ]);
  });
});

describe('releaseSelected', () => {
  it('sends the reason the rep types', () => {
    const fakes = withPool({ 'POST /v1/leads/L1/release': [200, {}] });
    fakes.pool.select(2);
    fakes.ui.answerPrompts('  Closed for renovation ');

    releaseSelected();

    expect(fakes.urlFetch.requests[0]?.body).toBe('{"reason":"Closed for renovation"}');
    expect(fakes.spreadsheet.toasts.at(-1)?.message).toBe('Released Harbour Tea.');
  });

  it('does nothing when the rep cancels', () => {
    const fakes = withPool({});
    fakes.pool.select(2);
    fakes.ui.answerPrompts(null);

    releaseSelected();

    expect(fakes.urlFetch.requests).toEqual([]);
    expect(fakes.ui.alerts).toEqual([]);
  });
});

describe('assignSelected', () => {
  it('assigns to the rep the manager names', () => {
    const fakes = withPool({ 'POST /v1/leads/L1/assign': [200, {}] });
    fakes.pool.select(2);
    fakes.ui.answerPrompts('omar@example.com');

    assignSelected();

    expect(fakes.urlFetch.requests[0]?.body).toBe('{"toEmail":"omar@example.com"}');
    expect(fakes.spreadsheet.toasts.at(-1)?.message).toBe(
      'Assigned to omar@example.com: Harbour Tea.',
    );
  });
});

describe('claimWithSwap', () => {
  it('claims and releases in one request, keeping the sidebar’s action id', () => {
    const answer = { lead: { company: 'Quay Noodles' }, released: [{ company: 'Harbour Tea' }] };
    const fakes = withPool({ 'POST /v1/leads/L2/claim': [200, answer] });

    const outcome = claimWithSwap('L2', ['L1'], 'swap-1');

    expect(outcome).toMatchObject({ ok: true, value: { ...answer, warning: null } });
    expect(fakes.urlFetch.requests[0]).toMatchObject({
      body: '{"release":["L1"]}',
      headers: { 'Idempotency-Key': 'swap-1' },
    });
  });

  it('answers a refusal as a value for the sidebar to show', () => {
    const full = refusal('CAPACITY_EXCEEDED', 'Your private pool is full: release a lead to swap');
    withPool({ 'POST /v1/leads/L2/claim': [409, full] });

    expect(claimWithSwap('L2', [], 'swap-2')).toEqual({
      ok: false,
      error: {
        code: 'CAPACITY_EXCEEDED',
        message: 'Your private pool is full: release a lead to swap',
        issues: [],
      },
    });
  });
});
