import { apiGet, apiPost } from './api.js';
import { toast } from './feedback.js';
import { refreshAfterChange, viewPath } from './refresh.js';
import {
  columnOf,
  FIRST_DATA_ROW,
  readTable,
  renderView,
  requireColumn,
  tab,
  text,
} from './sheet.js';
import type { ImportAnswer, View } from './types.js';

export const IMPORT_TAB = 'Import';

/** Rows per request, well under the server's 500 so one request stays quick. */
export const CHUNK_ROWS = 200;

/** No new chunk starts after this, so the run ends inside Apps Script's 6 minutes. */
const TIME_BUDGET_MS = 4.5 * 60_000;

/** Lead fields and the headers they may appear under in the Import tab. */
const FIELDS: readonly (readonly [field: string, ...headers: string[]])[] = [
  ['company', 'Company'],
  ['contactName', 'Contact', 'Contact Name'],
  ['title', 'Title'],
  ['phone', 'Phone'],
  ['region', 'Region'],
  ['source', 'Source'],
  ['notes', 'Notes', 'Note'],
  ['ownerEmail', 'Owner', 'Owner Email'],
];

export type ImportSummary = {
  created: number;
  duplicates: number;
  invalid: number;
  /** Rows left without a result because the run stopped to stay inside the time limit. */
  remaining: number;
};

/** A row is done once it is in the store, so running the import again skips it. */
function isDone_(result: string): boolean {
  return /^(created|duplicate)/i.test(result);
}

/**
 * Sends the Import tab's rows without a final result in chunks, writing each row's outcome
 * into its Result column as each chunk is answered. Answers null when the tab was missing
 * and has just been created for the user to fill.
 */
export function importFromTab(clock: () => number = Date.now): ImportSummary | null {
  const started = clock();
  const sheet = tab(IMPORT_TAB);
  if (!sheet) {
    renderView(apiGet<View>(viewPath(IMPORT_TAB)));
    return null;
  }

  const table = readTable(sheet);
  requireColumn(table, 'Company');
  const columns = FIELDS.map(([field, ...headers]) => ({
    field,
    column: columnOf(table.headers, ...headers),
  }));
  let resultColumn = columnOf(table.headers, 'Result');
  if (resultColumn < 0) {
    resultColumn = table.headers.length;
    sheet.getRange(1, resultColumn + 1).setValue('Result');
  }

  const pending = table.rows.flatMap((row, index) => {
    const lead: Record<string, string> = {};
    for (const { field, column } of columns) {
      const value = text(row[column]);
      if (value) lead[field] = value;
    }
    const done = isDone_(text(row[resultColumn]));

    return Object.keys(lead).length > 0 && !done ? [{ index, lead }] : [];
  });

  const summary: ImportSummary = { created: 0, duplicates: 0, invalid: 0, remaining: 0 };
  const actionId = Utilities.getUuid();
  for (let start = 0; start < pending.length; start += CHUNK_ROWS) {
    if (clock() - started > TIME_BUDGET_MS) {
      summary.remaining = pending.length - start;
      break;
    }

    const chunk = pending.slice(start, start + CHUNK_ROWS);
    toast(`Importing rows ${start + 1}–${start + chunk.length} of ${pending.length}…`);
    const answer = apiPost<ImportAnswer>(
      '/v1/leads:import',
      { leads: chunk.map(({ lead }) => ({ company: '', ...lead })) },
      { actionId: `${actionId}-${start / CHUNK_ROWS}` },
    );

    const results = resultsByRow_(answer);
    summary.created += answer.created.length;
    summary.duplicates += answer.duplicates.length;
    summary.invalid += answer.invalid.length;

    const first = chunk[0]!.index;
    const last = chunk[chunk.length - 1]!.index;
    const column = table.rows.slice(first, last + 1).map((row) => [text(row[resultColumn])]);
    chunk.forEach(({ index }, row) => {
      column[index - first] = [results.get(row) ?? 'No answer for this row'];
    });
    sheet.getRange(first + FIRST_DATA_ROW, resultColumn + 1, column.length, 1).setValues(column);
  }

  if (summary.created > 0) refreshAfterChange(['Pool', 'Leads']);

  return summary;
}

function resultsByRow_(answer: ImportAnswer): Map<number, string> {
  const results = new Map<number, string>();
  for (const { row, leadId } of answer.created) results.set(row, `Created ${leadId}`);
  for (const { row, existingLeadId } of answer.duplicates) {
    results.set(row, `Duplicate of ${existingLeadId}`);
  }
  for (const { row, issues } of answer.invalid) {
    const reasons = issues.map((issue) => (issue.path ? `${issue.path}: ` : '') + issue.message);
    results.set(row, `Invalid: ${reasons.join('; ')}`);
  }

  return results;
}

export function describeImport(summary: ImportSummary | null): string {
  if (summary === null) {
    return `The ${IMPORT_TAB} tab is ready: paste leads into it, one a row, then run the import.`;
  }

  const parts = [
    `${summary.created} created`,
    `${summary.duplicates} duplicates`,
    `${summary.invalid} invalid`,
  ];
  const done = `Import done: ${parts.join(', ')}.`;
  if (summary.remaining === 0) return done;

  return `${done} ${summary.remaining} rows are left for the next run (Apps Script's time limit).`;
}
