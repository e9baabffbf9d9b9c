import { LeadPoolError } from './api.js';

const TOAST_SECONDS = 6;

/**
 * What to tell a user about an error: the server's message and, for invalid input, which
 * fields were wrong. An unexpected error is logged with its stack and described in one line.
 */
export function describeError(error: unknown): string {
  if (error instanceof LeadPoolError) {
    const issues = error.issues.map((issue) =>
      issue.path ? `${issue.path}: ${issue.message}` : issue.message,
    );

    return issues.length > 0 ? `${error.message} (${issues.join('; ')})` : error.message;
  }

  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  const message = error instanceof Error ? error.message : String(error);

  return `Lead Pool hit an unexpected problem: ${message.split('\n')[0]}`;
}

export function toast(message: string, title = 'Lead Pool'): void {
  SpreadsheetApp.getActiveSpreadsheet().toast(message, title, TOAST_SECONDS);
}

export function alert(title: string, message: string): void {
  const ui = SpreadsheetApp.getUi();
  ui.alert(title, message, ui.ButtonSet.OK);
}

/** A question with OK and Cancel; the trimmed answer, or null when the user cancelled. */
export function ask(title: string, question: string): string | null {
  const ui = SpreadsheetApp.getUi();
  const response = ui.prompt(title, question, ui.ButtonSet.OK_CANCEL);
  if (response.getSelectedButton() !== ui.Button.OK) return null;

  return response.getResponseText().trim();
}

/** Runs a menu action and shows any error as an alert titled after the action. */
export function runMenuAction(title: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    alert(title, describeError(error));
  }
}

export type Failure = {
  ok: false;
  error: { code: string; message: string; issues: { path: string; message: string }[] };
};

export type Outcome<T> = { ok: true; value: T } | Failure;

/**
 * Runs a sidebar call. A refusal is an answer the sidebar shows inline, so it comes back as
 * a value; anything else is thrown with a one-line message for the failure handler.
 */
export function sidebarCall<T>(work: () => T): Outcome<T> {
  try {
    return { ok: true, value: work() };
  } catch (error) {
    if (error instanceof LeadPoolError) {
      const issues = error.issues.map(({ path, message }) => ({ path, message }));
      return { ok: false, error: { code: error.code, message: error.message, issues } };
    }

    throw new Error(describeError(error));
  }
}
