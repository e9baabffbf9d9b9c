import type { sheets_v4 } from '@googleapis/sheets';

type Request = sheets_v4.Schema$Request;
type UpdateCells = sheets_v4.Schema$UpdateCellsRequest;

/**
 * Sheets refuses a request whose body is over 10 MiB ("Request payload size exceeds the limit:
 * 10485760 bytes."), and a Pool tab of about 24,000 leads alone is more. A batch is kept to
 * 8 MiB of the JSON the client sends (it stringifies the body as it is), which leaves room for
 * whatever the front end counts that we do not.
 */
export const BATCH_BYTES = 8 * 1024 * 1024;

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** What a batch body weighs besides its requests, and what each request after the first adds. */
const BODY_BYTES = bytesOf({ requests: [] });
const COMMA = 1;

/**
 * `update` over rows `first` to `end` of its range, in a range of its own. Every piece but
 * the last ends with its rows; the last keeps the range's own end, or none, so it clears what
 * the whole request would have cleared below the rows.
 */
function piece(update: UpdateCells, first: number, end: number, last: boolean): Request {
  const { endRowIndex, ...range } = update.range ?? {};
  const start = range.startRowIndex ?? 0;
  const endRow = last ? endRowIndex : start + end;

  return {
    updateCells: {
      ...update,
      range: {
        ...range,
        startRowIndex: start + first,
        ...(endRow === undefined || endRow === null ? {} : { endRowIndex: endRow }),
      },
      rows: update.rows!.slice(first, end),
    },
  };
}

/**
 * The requests in order, cut into batches whose JSON bodies stay within `budget` bytes. A
 * request is kept whole where an empty batch would hold it. An updateCells that no batch
 * holds is cut into pieces over consecutive rows, the first filling what is left of the
 * current batch; each row is in exactly one piece. A request that cannot be cut and is still
 * over the budget, as a single row over it would be, goes in a batch of its own.
 */
export function batchesOf(requests: readonly Request[], budget = BATCH_BYTES): Request[][] {
  const batches: Request[][] = [];
  let batch: Request[] = [];
  let used = BODY_BYTES;

  const room = () => budget - used - (batch.length > 0 ? COMMA : 0);
  const close = () => {
    if (batch.length > 0) batches.push(batch);
    batch = [];
    used = BODY_BYTES;
  };
  const add = (request: Request, bytes: number) => {
    used += bytes + (batch.length > 0 ? COMMA : 0);
    batch.push(request);
  };
  const fitWhole = (request: Request, bytes: number) => {
    if (bytes > room()) close();
    add(request, bytes);
  };

  for (const request of requests) {
    const update = request.updateCells;
    const rows = update?.rows ?? [];
    if (!update?.range || rows.length < 2) {
      fitWhole(request, bytesOf(request));
      continue;
    }

    // Measured row by row, so that where to cut is known without stringifying each piece.
    const rowBytes = rows.map(bytesOf);
    const rowsTotal = rowBytes.reduce((total, bytes) => total + bytes + COMMA, -COMMA);
    const whole = bytesOf({ updateCells: { ...update, rows: [] } }) + rowsTotal;
    if (whole <= budget - BODY_BYTES) {
      fitWhole(request, whole);
      continue;
    }

    // Every piece's range numbers have at most as many digits as the largest row index, so
    // the wrapper measured with it is an upper bound for each piece's.
    const start = update.range.startRowIndex ?? 0;
    const farthest = Math.max(update.range.endRowIndex ?? 0, start + rows.length);
    const wrapper = bytesOf({
      updateCells: {
        ...update,
        range: { ...update.range, startRowIndex: farthest, endRowIndex: farthest },
        rows: [],
      },
    });

    for (let first = 0; first < rows.length;) {
      let bytes = wrapper;
      let end = first;
      while (end < rows.length) {
        const next = bytes + rowBytes[end]! + (end > first ? COMMA : 0);
        if (next > room()) break;

        bytes = next;
        end += 1;
      }

      if (end === first && batch.length > 0) {
        close();
        continue;
      }

      if (end === first) {
        end = first + 1;
        bytes = wrapper + rowBytes[first]!;
      }
      add(piece(update, first, end, end === rows.length), bytes);
      first = end;
    }
  }
  close();

  return batches;
}
