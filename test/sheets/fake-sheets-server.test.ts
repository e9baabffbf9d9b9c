import type { sheets_v4 } from '@googleapis/sheets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FakeSheetsServer, maskPaths } from './fake-sheets-server.js';

// The sync's tests trust these rules of the real Sheets API; here the fake shows it keeps them.

const ID = 'fakeSelfTest_0123456789abcdefghijklmnopqrs';

let fake: FakeSheetsServer;
beforeAll(async () => {
  fake = await FakeSheetsServer.start();
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.create(ID, ['Pool']);
  for (let row = 0; row < 5; row += 1) fake.type(ID, 'Pool', row, [`old ${row}`, 'x', 'y']);
  fake.annotate(ID, 'Pool', 3, 0, 'a note');
});

async function batch(requests: sheets_v4.Schema$Request[]) {
  const response = await fetch(`${fake.rootUrl}v4/spreadsheets/${ID}:batchUpdate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.accessToken}` },
    body: JSON.stringify({ requests }),
  });
  const body = (await response.json()) as { error?: { message: string } };

  return { status: response.status, message: body.error?.message ?? '' };
}

const pool = () => fake.tab(ID, 'Pool').sheetId;
const text = (value: string) => ({ values: [{ userEnteredValue: { stringValue: value } }] });

/** A chart of column B by column A of Pool, its one series drawn as `type`. */
function aChart(chartType: string, type: string): sheets_v4.Schema$EmbeddedChart {
  const column = (index: number) => ({
    sourceRange: {
      sources: [{ sheetId: pool(), startColumnIndex: index, endColumnIndex: index + 1 }],
    },
  });

  return {
    chartId: 77,
    spec: {
      title: 'Pool',
      basicChart: {
        chartType,
        legendPosition: 'NO_LEGEND',
        headerCount: 1,
        domains: [{ domain: column(0) }],
        series: [{ series: column(1), targetAxis: 'LEFT_AXIS', type }],
      },
    },
    position: {
      overlayPosition: {
        anchorCell: { sheetId: pool(), rowIndex: 0, columnIndex: 4 },
        widthPixels: 320,
        heightPixels: 200,
      },
    },
  };
}

describe('the fake Sheets API', () => {
  it('clears the masked fields of cells an open-ended range has beyond its rows', async () => {
    const range = { sheetId: pool(), startRowIndex: 0, startColumnIndex: 0 };
    const fields = 'userEnteredValue,note';

    await batch([{ updateCells: { range, rows: [text('new')], fields } }]);

    expect(fake.rows(ID, 'Pool')).toEqual([['new']]);
    expect(fake.notes(ID, 'Pool')).toEqual([]);
  });

  it('leaves the cells outside a closed range, and fields the mask does not name', async () => {
    const range = { sheetId: pool(), startRowIndex: 0, endRowIndex: 4, endColumnIndex: 1 };

    await batch([{ updateCells: { range, rows: [text('new')], fields: 'userEnteredValue' } }]);

    expect(fake.rows(ID, 'Pool')).toEqual([
      ['new', 'x', 'y'],
      ['', 'x', 'y'],
      ['', 'x', 'y'],
      ['', 'x', 'y'],
      ['old 4', 'x', 'y'],
    ]);
    expect(fake.notes(ID, 'Pool')).toEqual([[3, 0, 'a note']]);
  });

  it('refuses rows beyond the grid, and then applies nothing of the batch', async () => {
    const range = { sheetId: pool(), startRowIndex: 998 };
    const rows = [text('a'), text('b'), text('c')];

    const refused = await batch([
      {
        updateSheetProperties: {
          properties: { sheetId: pool(), gridProperties: { frozenRowCount: 1 } },
          fields: 'gridProperties.frozenRowCount',
        },
      },
      { updateCells: { range, rows, fields: 'userEnteredValue' } },
    ]);

    expect(refused).toEqual({
      status: 400,
      message:
        'Invalid requests[1].updateCells: Attempting to write row: 1001, beyond the last ' +
        'requested row of: 1000',
    });
    expect(fake.tab(ID, 'Pool').frozenRows).toBe(0);
  });

  it('refuses a range past the last column of the grid, as exceeding its limits', async () => {
    const range = { sheetId: pool(), startRowIndex: 0, startColumnIndex: 0, endColumnIndex: 27 };
    const fields = 'userEnteredValue';

    const refused = await batch([{ updateCells: { range, rows: [], fields } }]);

    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/exceeds grid limits\. Max rows: 1000, max columns: 26$/);
  });

  it('appends rows and columns at the end of a grid, keeping what it holds', async () => {
    const append = (dimension: string, length: number) => ({
      appendDimension: { sheetId: pool(), dimension, length },
    });

    await batch([append('ROWS', 5), append('COLUMNS', 4)]);

    expect(fake.tab(ID, 'Pool')).toMatchObject({ rowCount: 1005, columnCount: 30 });
    expect(fake.rows(ID, 'Pool')[4]).toEqual(['old 4', 'x', 'y']);
    expect(fake.notes(ID, 'Pool')).toEqual([[3, 0, 'a note']]);
  });

  it('names a missing sheet id the way the API does, by the kind of request', async () => {
    const cells = await batch([
      { updateCells: { range: { sheetId: 42 }, rows: [], fields: 'userEnteredValue' } },
    ]);
    const properties = await batch([
      {
        updateSheetProperties: {
          properties: { sheetId: 42, gridProperties: { rowCount: 10 } },
          fields: 'gridProperties.rowCount',
        },
      },
    ]);

    expect(cells.message).toBe('Invalid requests[0].updateCells: No grid with id: 42');
    expect(properties.message).toBe(
      'Invalid requests[0].updateSheetProperties: No sheet with id: 42',
    );
  });

  it('refuses a body over 10 MiB as the API does, and applies none of it', async () => {
    const range = { sheetId: pool(), startRowIndex: 0, endRowIndex: 1 };
    const rows = [text('x'.repeat(10 * 1024 * 1024))];

    const refused = await batch([{ updateCells: { range, rows, fields: 'userEnteredValue' } }]);

    expect(refused).toEqual({
      status: 400,
      message: 'Request payload size exceeds the limit: 10485760 bytes.',
    });
    expect(fake.rows(ID, 'Pool')[0]).toEqual(['old 0', 'x', 'y']);
  });

  it('keeps the id a chart was added with, and refuses a second chart with it', async () => {
    const chart = aChart('COMBO', 'LINE');

    const added = await batch([{ addChart: { chart } }]);
    const again = await batch([{ addChart: { chart } }]);

    expect(added.status).toBe(200);
    expect(again.status).toBe(400);
    expect(fake.tab(ID, 'Pool').charts.map((one) => one.chartId)).toEqual([77]);
  });

  it('refuses a series type in a chart that is not a combo', async () => {
    const refused = await batch([{ addChart: { chart: aChart('COLUMN', 'LINE') } }]);

    expect(refused.status).toBe(400);
    expect(fake.tab(ID, 'Pool').charts).toEqual([]);
  });

  it('deletes a chart by its id', async () => {
    await batch([{ addChart: { chart: aChart('COMBO', 'LINE') } }]);

    const deleted = await batch([{ deleteEmbeddedObject: { objectId: 77 } }]);

    expect(deleted.status).toBe(200);
    expect(fake.tab(ID, 'Pool').charts).toEqual([]);
  });

  it('reads the paths of a field mask, nested ones included', () => {
    expect(maskPaths('gridProperties(rowCount,columnCount),title')).toEqual([
      'gridProperties.rowCount',
      'gridProperties.columnCount',
      'title',
    ]);
  });
});
