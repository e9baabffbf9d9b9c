/// <reference types="google-apps-script" />
import type {
  FakeHtmlOutput,
  FakeHttpResponse,
  FakeLock,
  FakeProperties,
  FakeSpreadsheetTriggerBuilder,
  FakeTrigger,
  FakeTriggerBuilder,
} from './services.js';
import type {
  FakeMenu,
  FakePromptResponse,
  FakeRange,
  FakeSheet,
  FakeSpreadsheet,
  FakeUi,
} from './spreadsheet.js';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

/** The fake standing in for an Apps Script object a faked method returns. */
type FakeOf<R> = R extends GoogleAppsScript.Spreadsheet.Range
  ? FakeRange
  : R extends Spreadsheet
    ? FakeSpreadsheet
    : R extends GoogleAppsScript.Spreadsheet.Sheet
      ? FakeSheet
      : R extends GoogleAppsScript.Base.Menu
        ? FakeMenu
        : R extends GoogleAppsScript.Base.Ui
          ? FakeUi
          : R extends GoogleAppsScript.Base.PromptResponse
            ? FakePromptResponse
            : R extends GoogleAppsScript.HTML.HtmlOutput
              ? FakeHtmlOutput
              : R extends GoogleAppsScript.URL_Fetch.HTTPResponse
                ? FakeHttpResponse
                : R extends GoogleAppsScript.Properties.Properties
                  ? FakeProperties
                  : R extends GoogleAppsScript.Script.SpreadsheetTriggerBuilder
                    ? FakeSpreadsheetTriggerBuilder
                    : R extends GoogleAppsScript.Script.TriggerBuilder
                      ? FakeTriggerBuilder
                      : R extends GoogleAppsScript.Script.Trigger
                        ? FakeTrigger
                        : R extends GoogleAppsScript.Lock.Lock
                          ? FakeLock
                          : R extends (infer E)[]
                            ? FakeOf<E>[]
                            : R;

/**
 * Each overload of a method, as a union. A fake may implement any one of them: `infer` on
 * an overloaded type sees only the last signature, and Sheet.getRange's last takes an A1
 * string where the add-on passes numbers. Up to five overloads; fewer repeat themselves.
 */
type Overloads<T> = T extends {
  (...args: infer A1): infer R1;
  (...args: infer A2): infer R2;
  (...args: infer A3): infer R3;
  (...args: infer A4): infer R4;
  (...args: infer A5): infer R5;
}
  ? | ((...args: A1) => FakeOf<R1>)
    | ((...args: A2) => FakeOf<R2>)
    | ((...args: A3) => FakeOf<R3>)
    | ((...args: A4) => FakeOf<R4>)
    | ((...args: A5) => FakeOf<R5>)
  : T;

/**
 * The members K of an Apps Script interface T, typed as Apps Script declares them except
 * that an Apps Script object returned is the matching fake. A fake class implements this,
 * so its methods keep the real signatures and it implements only what the add-on uses.
 */
export type Fake<T, K extends keyof T> = { [P in K]: Overloads<T[P]> };
