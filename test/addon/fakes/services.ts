/// <reference types="google-apps-script" />
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Fake } from './fake.js';

type FetchOptions = GoogleAppsScript.URL_Fetch.URLFetchRequestOptions;
type Script = typeof GoogleAppsScript.Script;

/** A request as UrlFetchApp would send it, with header names as the add-on wrote them. */
export type FetchRequest = {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
};

export type FetchAnswer = { status: number; body: string };

/** Where requests go: a canned server in unit tests, a real one end to end. */
export type Transport = (request: FetchRequest) => FetchAnswer;

export class FakeHttpResponse implements Fake<
  GoogleAppsScript.URL_Fetch.HTTPResponse,
  'getResponseCode' | 'getContentText'
> {
  constructor(private readonly answer: FetchAnswer) {}

  getResponseCode(): number {
    return this.answer.status;
  }

  getContentText(): string {
    return this.answer.body;
  }
}

export class FakeUrlFetchApp implements Fake<
  GoogleAppsScript.URL_Fetch.UrlFetchApp,
  'fetch' | 'fetchAll'
> {
  readonly requests: FetchRequest[] = [];

  constructor(private readonly transport: Transport) {}

  fetch(url: string, params: FetchOptions = {}): FakeHttpResponse {
    if (params.muteHttpExceptions !== true) {
      throw new Error('The add-on must mute HTTP exceptions to read the error body');
    }

    const request: FetchRequest = {
      url,
      method: (params.method ?? 'get').toUpperCase(),
      headers: { ...(params.headers as Record<string, string>) },
      body: typeof params.payload === 'string' ? params.payload : null,
    };
    if (params.contentType) request.headers['Content-Type'] = params.contentType;
    this.requests.push(request);

    return new FakeHttpResponse(this.transport(request));
  }

  fetchAll(requests: (GoogleAppsScript.URL_Fetch.URLFetchRequest | string)[]): FakeHttpResponse[] {
    return requests.map((request) =>
      typeof request === 'string' ? this.fetch(request) : this.fetch(request.url, request),
    );
  }
}

export class FakeProperties implements Fake<
  GoogleAppsScript.Properties.Properties,
  'getProperty' | 'setProperty'
> {
  constructor(readonly values: Record<string, string> = {}) {}

  getProperty(key: string): string | null {
    return this.values[key] ?? null;
  }

  setProperty(key: string, value: string): FakeProperties {
    this.values[key] = value;

    return this;
  }
}

export class FakePropertiesService implements Fake<
  GoogleAppsScript.Properties.PropertiesService,
  'getScriptProperties' | 'getUserProperties'
> {
  readonly script = new FakeProperties();
  readonly user = new FakeProperties();

  getScriptProperties(): FakeProperties {
    return this.script;
  }

  getUserProperties(): FakeProperties {
    return this.user;
  }
}

export class FakeTrigger implements Fake<
  GoogleAppsScript.Script.Trigger,
  'getHandlerFunction' | 'getTriggerSourceId'
> {
  constructor(
    readonly handler: string,
    readonly sourceId: string,
    readonly event: string,
  ) {}

  getHandlerFunction(): string {
    return this.handler;
  }

  getTriggerSourceId(): string {
    return this.sourceId;
  }
}

export class FakeSpreadsheetTriggerBuilder implements Fake<
  GoogleAppsScript.Script.SpreadsheetTriggerBuilder,
  'onEdit' | 'create'
> {
  private event = '';

  constructor(
    private readonly script: FakeScriptApp,
    private readonly handler: string,
    private readonly sourceId: string,
  ) {}

  onEdit(): FakeSpreadsheetTriggerBuilder {
    this.event = 'ON_EDIT';

    return this;
  }

  create(): FakeTrigger {
    const trigger = new FakeTrigger(this.handler, this.sourceId, this.event);
    this.script.triggers.push(trigger);

    return trigger;
  }
}

export class FakeTriggerBuilder implements Fake<
  GoogleAppsScript.Script.TriggerBuilder,
  'forSpreadsheet'
> {
  constructor(
    private readonly script: FakeScriptApp,
    private readonly handler: string,
  ) {}

  forSpreadsheet(
    spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet | string,
  ): FakeSpreadsheetTriggerBuilder {
    const id = typeof spreadsheet === 'string' ? spreadsheet : spreadsheet.getId();

    return new FakeSpreadsheetTriggerBuilder(this.script, this.handler, id);
  }
}

const AUTH_MODE = {
  NONE: 'NONE',
  CUSTOM_FUNCTION: 'CUSTOM_FUNCTION',
  LIMITED: 'LIMITED',
  FULL: 'FULL',
};

/** Identity tokens are dev-mode tokens, which the local API accepts for the named email. */
export class FakeScriptApp implements Fake<
  GoogleAppsScript.Script.ScriptApp,
  'getIdentityToken' | 'newTrigger' | 'getProjectTriggers' | 'AuthMode'
> {
  readonly AuthMode = AUTH_MODE as unknown as Script['AuthMode'];
  readonly triggers: FakeTrigger[] = [];

  constructor(public user: string) {}

  getIdentityToken(): string {
    return `dev:${this.user}`;
  }

  newTrigger(handler: string): FakeTriggerBuilder {
    return new FakeTriggerBuilder(this, handler);
  }

  getProjectTriggers(): FakeTrigger[] {
    return [...this.triggers];
  }
}

export class FakeUtilities implements Fake<
  GoogleAppsScript.Utilities.Utilities,
  'getUuid' | 'sleep'
> {
  readonly sleeps: number[] = [];

  getUuid(): string {
    return randomUUID();
  }

  sleep(milliseconds: number): void {
    this.sleeps.push(milliseconds);
  }
}

export class FakeHtmlOutput implements Fake<
  GoogleAppsScript.HTML.HtmlOutput,
  'setTitle' | 'append' | 'getContent' | 'getTitle'
> {
  private title = '';

  constructor(private content: string) {}

  setTitle(title: string): FakeHtmlOutput {
    this.title = title;

    return this;
  }

  append(added: string): FakeHtmlOutput {
    this.content += added;

    return this;
  }

  getContent(): string {
    return this.content;
  }

  getTitle(): string {
    return this.title;
  }

  /** The start state the add-on appended for the sidebar's script. */
  start(): unknown {
    const json = /window\.leadpoolStart = (.*);<\/script>$/.exec(this.content)?.[1];

    return json === undefined ? undefined : JSON.parse(json);
  }
}

/** Serves the project's HTML files by name, as Apps Script serves a pushed project's. */
export class FakeHtmlService implements Fake<
  GoogleAppsScript.HTML.HtmlService,
  'createHtmlOutputFromFile'
> {
  constructor(private readonly dir: string) {}

  createHtmlOutputFromFile(name: string): FakeHtmlOutput {
    return new FakeHtmlOutput(readFileSync(join(this.dir, `${name}.html`), 'utf8'));
  }
}

export class FakeLock implements Fake<GoogleAppsScript.Lock.Lock, 'waitLock' | 'releaseLock'> {
  held = false;

  waitLock(_timeoutInMillis: number): void {
    if (this.held) throw new Error('Exception: Lock timeout: another process held the lock.');

    this.held = true;
  }

  releaseLock(): void {
    this.held = false;
  }
}

export class FakeLockService implements Fake<GoogleAppsScript.Lock.LockService, 'getDocumentLock'> {
  readonly lock = new FakeLock();

  getDocumentLock(): FakeLock {
    return this.lock;
  }
}
