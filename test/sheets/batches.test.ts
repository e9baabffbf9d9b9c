import type { sheets_v4 } from '@googleapis/sheets';
import { describe, expect, it } from 'vitest';

import { batchesOf } from '../../functions/src/sheets/batches.js';

type Request = sheets_v4.Schema$Request;

/** 61 bytes of JSON a row: a budget of 20,000 bytes holds about 320 of them in a batch. */
const row = (n: number) => ({
  values: [{ userEnteredValue: { stringValue: `row ${String(n).padStart(5, '0')}` } }],
});

function cells(count: number, endRowIndex?: number): Request {
  return {
    updateCells: {
      range: {
        sheetId: 7,
        startRowIndex: 0,
        ...(endRowIndex === undefined ? {} : { endRowIndex }),
        startColumnIndex: 0,
        endColumnIndex: 1,
      },
      rows: Array.from({ length: count }, (_, n) => row(n)),
      fields: 'userEnteredValue,note',
    },
  };
}

const grow: Request = { appendDimension: { sheetId: 7, dimension: 'ROWS', length: 500 } };

/** The body the client sends for a batch, in bytes. */
const bodyBytes = (batch: Request[]) => Buffer.byteLength(JSON.stringify({ requests: batch }));

const pieces = (batches: Request[][]) => batches.flat().flatMap((r) => r.updateCells ?? []);

describe('batchesOf', () => {
  it('sends the requests of a small team as they are, in one batch', () => {
    const requests = [grow, cells(300)];

    expect(batchesOf(requests)).toEqual([requests]);
  });

  it('keeps every batch within the budget, the JSON bodies measured as sent', () => {
    const budget = 20_000;

    const batches = batchesOf([grow, cells(1000), cells(40)], budget);

    expect(batches.length).toBeGreaterThan(3);
    for (const batch of batches) expect(bodyBytes(batch)).toBeLessThanOrEqual(budget);
  });

  it('writes each row of a tab cut in pieces exactly once, over consecutive ranges', () => {
    const whole = cells(1000);

    const written = pieces(batchesOf([whole], 20_000));

    const ranges = written.map(({ range }) => [range?.startRowIndex, range?.endRowIndex]);
    const starts = ranges.map(([start]) => start);
    const ends = ranges.slice(0, -1).map(([, end]) => end);
    expect(written.length).toBeGreaterThan(3);
    expect(written.flatMap((piece) => piece.rows)).toEqual(whole.updateCells?.rows);
    expect(starts).toEqual([0, ...ends]);
    for (const { range, rows } of written.slice(0, -1)) {
      expect(range!.endRowIndex! - range!.startRowIndex!).toBe(rows?.length);
    }
  });

  it('leaves the last piece open below the rows, so it clears what is there', () => {
    const written = pieces(batchesOf([cells(1000)], 20_000));

    expect(written.at(-1)?.range).not.toHaveProperty('endRowIndex');
    expect(written.at(-1)?.rows?.at(-1)).toEqual(row(999));
  });

  it("ends the last piece where the tab's closed range ended", () => {
    const written = pieces(batchesOf([cells(1000, 1200)], 20_000));

    expect(written.at(-1)?.range?.endRowIndex).toBe(1200);
    expect(written.slice(0, -1).map(({ range }) => range?.endRowIndex)).not.toContain(1200);
  });

  it('keeps the order of requests, filling a batch before cutting a tab', () => {
    const addSheet: Request = { addSheet: { properties: { sheetId: 7, title: 'Pool' } } };

    const batches = batchesOf([addSheet, grow, cells(1000), cells(10)], 20_000);

    const kinds = batches.map((batch) => batch.flatMap((request) => Object.keys(request)));
    expect(kinds[0]).toEqual(['addSheet', 'appendDimension', 'updateCells']);
    expect(kinds.flat().slice(-2)).toEqual(['updateCells', 'updateCells']);
    expect(pieces(batches).at(-1)?.rows).toHaveLength(10);
  });

  it('moves a tab that fits an empty batch to the next one rather than cut it', () => {
    const batches = batchesOf([cells(200), cells(200)], 20_000);

    expect(batches.map((batch) => batch.length)).toEqual([1, 1]);
    expect(pieces(batches).map((piece) => piece.rows?.length)).toEqual([200, 200]);
  });

  it('sends a row larger than any batch in a batch of its own', () => {
    const huge = { values: [{ userEnteredValue: { stringValue: 'x'.repeat(30_000) } }] };
    const request = cells(3);
    request.updateCells!.rows!.splice(1, 0, huge);

    const batches = batchesOf([grow, request], 20_000);

    expect(batches.map((batch) => pieces([batch]).flatMap((piece) => piece.rows))).toEqual([
      [row(0)],
      [huge],
      [row(1), row(2)],
    ]);
  });
});
