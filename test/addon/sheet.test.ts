import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  columnOf,
  readTable,
  renderView,
  requireColumn,
  selectedLeads,
} from '../../sheets-addon/src/sheet.js';
import { installFakes } from './support/canned-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('renderView', () => {
  it('creates the tab with a frozen header and writes the view in one write', () => {
    const { spreadsheet } = installFakes({});

    renderView({ tab: 'Pool', columns: ['Lead ID', 'Company'], rows: [['L1', 'Harbour Tea']] });

    const pool = spreadsheet.sheet('Pool');
    expect(pool.values()).toEqual([
      ['Lead ID', 'Company'],
      ['L1', 'Harbour Tea'],
    ]);
    expect(pool.frozenRows).toBe(1);
    expect(pool.writes).toBe(1);
  });

  it('blanks the rows an earlier, longer view left, and keeps columns people added', () => {
    const { spreadsheet } = installFakes({});
    const old = [
      ['Lead ID', 'Company', 'My notes'],
      ['L1', 'Harbour Tea', 'call after 3'],
      ['L2', 'Quay Noodles', ''],
    ];
    const pool = spreadsheet.addSheet('Pool', old);

    renderView({ tab: 'Pool', columns: ['Lead ID', 'Company'], rows: [['L2', 'Quay Noodles']] });

    expect(pool.values()).toEqual([
      ['Lead ID', 'Company', 'My notes'],
      ['L2', 'Quay Noodles', 'call after 3'],
    ]);
    expect(pool.writes).toBe(1);
  });

  it('writes into a tab people renamed in another case, instead of adding one', () => {
    const { spreadsheet } = installFakes({});
    const pool = spreadsheet.addSheet(' pool', [['Lead ID']]);

    renderView({ tab: 'Pool', columns: ['Lead ID'], rows: [['L1']] });

    expect(spreadsheet.getSheets()).toEqual([pool]);
    expect(pool.values()).toEqual([['Lead ID'], ['L1']]);
  });

  it('leaves the Visits rows a rep is still typing where they are, with their notes', () => {
    const { spreadsheet } = installFakes({});
    const columns = ['Visit ID', 'Company', 'Outcome'];
    const visits = spreadsheet.addSheet('Visits', [
      [...columns, 'Phone'],
      ['V1', 'Harbour Tea', 'effective', ''],
      ['', 'Quay Noodles', '', '021 5555 0100'],
      ['V2', 'Lotus Print', 'potential', ''],
    ]);
    visits.setNote(3, 3, 'Say whom you met');
    visits.setNote(2, 3, 'An old refusal');

    renderView({
      tab: 'Visits',
      columns,
      rows: [
        ['V2', 'Lotus Print', 'potential'],
        ['V3', 'Jade Freight', 'effective'],
      ],
    });

    expect(visits.values()).toEqual([
      [...columns, 'Phone'],
      ['V2', 'Lotus Print', 'potential', ''],
      ['', 'Quay Noodles', '', '021 5555 0100'],
      ['V3', 'Jade Freight', 'effective', ''],
    ]);
    expect(visits.noteAt(3, 3)).toBe('Say whom you met');
    expect(visits.noteAt(2, 3)).toBe('');
  });

  it('writes a name that looks like a formula as text', () => {
    const { spreadsheet } = installFakes({});

    renderView({ tab: 'Pool', columns: ['Company'], rows: [['=IMPORTXML("x","//a")']] });

    expect(spreadsheet.sheet('Pool').cell(2, 1)).toBe('\'=IMPORTXML("x","//a")');
  });

  it('clears the notes of the rows it redraws, which may now hold other leads', () => {
    const { spreadsheet } = installFakes({});
    const pool = spreadsheet.addSheet('Pool', [['Lead ID'], ['L1']]);
    pool.setNote(2, 1, 'Refused: not an active rep');

    renderView({ tab: 'Pool', columns: ['Lead ID'], rows: [['L2']] });

    expect(pool.noteAt(2, 1)).toBe('');
  });

  it('writes text as plain text, so ids and phone numbers stay as the server wrote them', () => {
    const { spreadsheet } = installFakes({});

    renderView({ tab: 'Leads', columns: ['Phone', 'Hours left'], rows: [['+8613800138000', 5]] });

    const formats = spreadsheet.sheet('Leads').formats;
    expect([formats.get('2,1'), formats.get('2,2')]).toEqual(['@', 'General']);
  });
});

describe('columnOf', () => {
  it.each([
    ['Lead ID', 'lead id'],
    ['Owner email', 'Owner Email'],
    ['Follow-up due', 'follow up due'],
  ])('finds the header %s when asked for %s', (header, name) => {
    expect(columnOf(['Company', header], name)).toBe(1);
  });

  it('answers -1 for a header the tab does not have', () => {
    expect(columnOf(['Company'], 'Owner')).toBe(-1);
  });
});

describe('requireColumn', () => {
  it('names the tab and the missing column', () => {
    const { spreadsheet } = installFakes({});
    const table = readTable(spreadsheet.addSheet('Leads', [['Company']]) as never);

    expect(() => requireColumn(table, 'Lead ID')).toThrow(
      'The Leads tab has no "Lead ID" column. Run Refresh sheet to restore it.',
    );
  });
});

describe('selectedLeads', () => {
  it('reads the selected rows’ Lead ID and Company by header, without blanks or repeats', () => {
    const { spreadsheet } = installFakes({});
    const sheet = spreadsheet.addSheet('Pool', [
      ['Company', 'Lead ID'],
      ['Harbour Tea', 'L1'],
      ['', ''],
      ['Quay Noodles', 'L2'],
      ['Quay Noodles', 'L2'],
    ]);

    sheet.select(1, 5);

    expect(selectedLeads()).toEqual([
      { id: 'L1', company: 'Harbour Tea' },
      { id: 'L2', company: 'Quay Noodles' },
    ]);
  });

  it('asks for a selection when only the header is selected', () => {
    const { spreadsheet } = installFakes({});
    spreadsheet.addSheet('Pool', [['Lead ID'], ['L1']]).select(1);

    expect(() => selectedLeads()).toThrow('Select the rows of the leads first.');
  });
});
