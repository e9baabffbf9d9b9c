import {
  FakeHtmlService,
  FakeLockService,
  FakePropertiesService,
  FakeScriptApp,
  FakeUrlFetchApp,
  FakeUtilities,
  type Transport,
} from './services.js';
import { FakeSpreadsheet, FakeSpreadsheetApp, FakeUi } from './spreadsheet.js';

export const API_URL = 'https://leadpool.test/api';

export type AppsScriptOptions = {
  /** Who runs the script: the identity token names them. */
  user: string;
  transport: Transport;
  /** Where the HTML files served by HtmlService live. */
  htmlDir: string;
  /** Another user's view of the same spreadsheet: users share it, not their sessions. */
  spreadsheet?: FakeSpreadsheet;
};

/** One user's Apps Script environment around one spreadsheet, as globals and as handles. */
export function fakeAppsScript({ user, transport, htmlDir, ...shared }: AppsScriptOptions) {
  const spreadsheet = shared.spreadsheet ?? new FakeSpreadsheet();
  const ui = new FakeUi();
  const urlFetch = new FakeUrlFetchApp(transport);
  const properties = new FakePropertiesService();
  const script = new FakeScriptApp(user);
  const utilities = new FakeUtilities();
  const locks = new FakeLockService();
  properties.script.setProperty('LEADPOOL_API_URL', API_URL);

  const globals = {
    SpreadsheetApp: new FakeSpreadsheetApp(spreadsheet, ui),
    UrlFetchApp: urlFetch,
    PropertiesService: properties,
    ScriptApp: script,
    Utilities: utilities,
    HtmlService: new FakeHtmlService(htmlDir),
    LockService: locks,
  };

  return { globals, spreadsheet, ui, urlFetch, properties, script, utilities, locks };
}

export type FakeAppsScript = ReturnType<typeof fakeAppsScript>;
