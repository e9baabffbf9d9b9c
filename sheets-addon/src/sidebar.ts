/** Which panel the sidebar opens on, and what it needs to show there. */
export type SidebarStart =
  | { view: 'leads' }
  | { view: 'visit'; leadId: string | null }
  | { view: 'swap'; leadId: string; company: string; message: string }
  | { view: 'qc' }
  | { view: 'settings' };

const TITLE = 'Lead Pool';

/** The sidebar page with its start state appended, as Apps Script will serve it. */
export function sidebarPage(start: SidebarStart): GoogleAppsScript.HTML.HtmlOutput {
  // JSON inside a script element: "<" is escaped so no value can close the element.
  const json = JSON.stringify(start).replace(/</g, '\\u003c');

  return HtmlService.createHtmlOutputFromFile('sidebar')
    .setTitle(TITLE)
    .append(`<script>window.leadpoolStart = ${json};</script>`);
}

/** Sheets shows one sidebar at a time; opening this one replaces whatever was open. */
export function openSidebar(start: SidebarStart): void {
  SpreadsheetApp.getUi().showSidebar(sidebarPage(start));
}
