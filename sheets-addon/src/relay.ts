import { apiGet, apiPost } from './api.js';
import { describeError } from './feedback.js';
import { viewPath } from './refresh.js';
import {
  columnOf,
  findViewRow,
  FIRST_DATA_ROW,
  isTab,
  mergeViewRow,
  readTable,
  text,
  type Table,
} from './sheet.js';
import type { Lead, View } from './types.js';
import { postVisit, visitBody } from './visits.js';

type EditEvent = GoogleAppsScript.Events.SheetsOnEdit;

type Verdict = { accepted: true } | { accepted: false; message: string };

const LOCK_MS = 30_000;

const UNKNOWN_EDITOR =
  'Lead Pool could not tell who made this edit (Google shares the editor’s email only ' +
  'inside one Workspace domain). Use the Lead Pool menu instead.';

/**
 * The installable onEdit trigger. It runs as the admin who installed it, so its requests
 * carry the admin's token and name the member who edited; the server acts as that member.
 * Edits run one at a time: two quick edits of one Visits row must not log the visit twice.
 */
export function relay(e: EditEvent): void {
  const sheet = e.range.getSheet();
  const name = isTab(sheet, 'Leads') ? 'Leads' : isTab(sheet, 'Visits') ? 'Visits' : null;
  if (name === null) return;

  const lock = LockService.getDocumentLock();
  try {
    lock.waitLock(LOCK_MS);
    const table = readTable(sheet);
    if (name === 'Leads') relayOwnerEdits_(e, table);
    else relayVisitRows_(e, table);
  } catch (error) {
    e.range.getCell(1, 1).setNote(describeError(error));
  } finally {
    lock.releaseLock();
  }
}

function editorOf_(e: EditEvent): string {
  return e.user?.getEmail() ?? '';
}

/** The data rows an edit touched, by sheet row number. */
function editedRows_(e: EditEvent, table: Table): number[] {
  const rows: number[] = [];
  const first = Math.max(e.range.getRow(), FIRST_DATA_ROW);
  const last = Math.min(e.range.getLastRow(), table.rows.length + 1);
  for (let row = first; row <= last; row++) rows.push(row);

  return rows;
}

function touchesColumn_(e: EditEvent, column: number): boolean {
  const sheetColumn = column + 1;

  return sheetColumn >= e.range.getColumn() && sheetColumn <= e.range.getLastColumn();
}

/**
 * A manager's edit of the Owner column is an assignment. A refused one is put back: the old
 * value when one cell was edited, else the server's row; the cell's note says why.
 */
function relayOwnerEdits_(e: EditEvent, table: Table): void {
  const ownerColumn = columnOf(table.headers, 'Owner');
  const idColumn = columnOf(table.headers, 'Lead ID');
  if (ownerColumn < 0 || idColumn < 0 || !touchesColumn_(e, ownerColumn)) return;

  const rows = editedRows_(e, table);
  if (rows.length === 0) return;

  const editor = editorOf_(e);
  const verdicts = rows.map((rowNumber) => {
    const row = table.rows[rowNumber - FIRST_DATA_ROW]!;
    const id = text(row[idColumn]);
    return id ? assignFromCell_(id, text(row[ownerColumn]), editor) : null;
  });
  if (verdicts.every((verdict) => verdict === null)) return;

  const oneCell = e.range.getNumRows() === 1 && e.range.getNumColumns() === 1;
  const first = verdicts[0];
  if (oneCell && first && !first.accepted) {
    e.range.setValue(e.oldValue ?? '');
    e.range.setNote(first.message);
    return;
  }

  const view = viewOrNull_('Leads');
  const values = rows.map((rowNumber, index) => {
    const row = table.rows[rowNumber - FIRST_DATA_ROW]!;
    const viewRow = verdicts[index] && view && findViewRow(view, 'Lead ID', text(row[idColumn]));
    return viewRow && view ? mergeViewRow(table.headers, row, view, viewRow) : row;
  });
  table.sheet.getRange(rows[0]!, 1, rows.length, table.headers.length).setValues(values);
  writeNotes_(table, rows, ownerColumn, verdicts);
}

function assignFromCell_(leadId: string, toEmail: string, editor: string): Verdict {
  if (!editor) return { accepted: false, message: UNKNOWN_EDITOR };

  if (!toEmail) {
    return {
      accepted: false,
      message: 'A lead leaves its owner when the owner releases it or a manager assigns it.',
    };
  }

  try {
    apiPost<Lead>(
      `/v1/leads/${encodeURIComponent(leadId)}/assign`,
      { toEmail },
      { relayFor: editor },
    );
    return { accepted: true };
  } catch (error) {
    return { accepted: false, message: describeError(error) };
  }
}

/**
 * A new row in Visits is a visit, sent once it names a lead or a company, an outcome and
 * whom the rep met. The server's Visit ID written back marks the row as logged.
 */
function relayVisitRows_(e: EditEvent, table: Table): void {
  const column = (name: string, ...aliases: string[]) => columnOf(table.headers, name, ...aliases);
  const visitIdColumn = column('Visit ID');
  const outcomeColumn = column('Outcome');
  if (visitIdColumn < 0 || outcomeColumn < 0) {
    e.range.setNote('The Visits tab has lost its Visit ID or Outcome column: run Refresh sheet.');
    return;
  }

  const editor = editorOf_(e);
  const oneCell = e.range.getNumRows() === 1 && e.range.getNumColumns() === 1;
  // Clearing a Visit ID would make a logged row look new, and log its visit twice.
  if (oneCell && e.oldValue && touchesColumn_(e, visitIdColumn)) {
    e.range.setValue(e.oldValue);
    e.range.setNote('Lead Pool writes the Visit ID; a logged visit cannot be changed.');
    return;
  }

  const rows = editedRows_(e, table);
  const verdicts: (Verdict | null)[] = [];
  const logged = new Map<number, { visitId: string; leadId: string | null }>();
  for (const rowNumber of rows) {
    const row = table.rows[rowNumber - FIRST_DATA_ROW]!;
    const at = (name: string, ...aliases: string[]) => text(row[column(name, ...aliases)]);
    if (at('Visit ID')) {
      if (oneCell) e.range.setValue(e.oldValue ?? '');
      verdicts.push(
        oneCell ? { accepted: false, message: 'A logged visit cannot be changed.' } : null,
      );
      continue;
    }

    const form = {
      leadId: at('Lead ID'),
      prospect: {
        company: at('Company'),
        contactName: at('Contact', 'Contact Name'),
        title: at('Title'),
        phone: at('Phone'),
        products: at('Products'),
      },
      outcome: at('Outcome').toLowerCase(),
      met: at('Met').toLowerCase(),
      note: at('Note', 'Notes'),
    };
    if (!form.outcome || !form.met || (!form.leadId && !form.prospect.company)) {
      verdicts.push(null);
      continue;
    }

    if (!editor) {
      verdicts.push({ accepted: false, message: UNKNOWN_EDITOR });
      continue;
    }

    try {
      const { visit } = postVisit(visitBody(form), { relayFor: editor });
      logged.set(rowNumber, { visitId: visit.id, leadId: visit.leadId });
      verdicts.push({ accepted: true });
    } catch (error) {
      verdicts.push({ accepted: false, message: describeError(error) });
    }
  }

  writeLoggedVisits_(table, logged, visitIdColumn, column('Lead ID'));
  writeNotes_(table, rows, outcomeColumn, verdicts);
}

function writeLoggedVisits_(
  table: Table,
  logged: Map<number, { visitId: string; leadId: string | null }>,
  visitIdColumn: number,
  leadIdColumn: number,
): void {
  if (logged.size === 0) return;

  const view = viewOrNull_('Visits');
  for (const [rowNumber, { visitId, leadId }] of logged) {
    const row = [...table.rows[rowNumber - FIRST_DATA_ROW]!];
    row[visitIdColumn] = visitId;
    if (leadIdColumn >= 0 && !text(row[leadIdColumn])) row[leadIdColumn] = leadId ?? '';

    const viewRow = view && findViewRow(view, 'Visit ID', visitId);
    const values = viewRow && view ? mergeViewRow(table.headers, row, view, viewRow) : row;
    table.sheet.getRange(rowNumber, 1, 1, table.headers.length).setValues([values]);
  }
}

/** One read and one write of a column's notes: a verdict sets or clears its row's note. */
function writeNotes_(
  table: Table,
  rows: number[],
  column: number,
  verdicts: readonly (Verdict | null)[],
): void {
  if (verdicts.every((verdict) => verdict === null)) return;

  const range = table.sheet.getRange(rows[0]!, column + 1, rows.length, 1);
  const notes = range.getNotes();
  verdicts.forEach((verdict, index) => {
    if (verdict) notes[index] = [verdict.accepted ? '' : verdict.message];
  });
  range.setNotes(notes);
}

/** A view to redraw from; without one the sheet keeps what the user typed. */
function viewOrNull_(tab: 'Leads' | 'Visits'): View | null {
  try {
    return apiGet<View>(viewPath(tab));
  } catch (error) {
    console.warn(JSON.stringify({ message: 'view for the relay failed', tab, error: `${error}` }));
    return null;
  }
}
