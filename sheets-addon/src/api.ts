import type { Issue } from './types.js';

/** The script property that holds the server's base URL, like https://…/api. */
export const API_URL_PROPERTY = 'LEADPOOL_API_URL';

/** The header that names the member an admin's request speaks for (the edit relay). */
const RELAY_HEADER = 'X-Leadpool-Relay-For';

/** Statuses worth one more try with the same Idempotency-Key: the request may not have run. */
const RETRY_STATUSES = [502, 503, 504];
const ATTEMPTS = 3;

/** A refusal or failure, with the server's code and message when the server gave one. */
export class LeadPoolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LeadPoolError';
  }

  /** The validation issues of a 400, each naming the field it is about. */
  get issues(): Issue[] {
    const issues = this.details.issues;

    return Array.isArray(issues) ? (issues as Issue[]) : [];
  }
}

export type CallOptions = {
  /** One user action: a retry of that action sends the same key, so it runs only once. */
  actionId?: string;
  /** The member an admin's request acts for. */
  relayFor?: string;
};

type Method = 'get' | 'post' | 'put';

export function apiGet<T>(path: string, options: CallOptions = {}): T {
  return call_<T>('get', path, undefined, options);
}

export function apiPost<T>(path: string, body: unknown, options: CallOptions = {}): T {
  return call_<T>('post', path, body, options);
}

export function apiPut<T>(path: string, body: unknown, options: CallOptions = {}): T {
  return call_<T>('put', path, body, options);
}

/** Several reads at once with UrlFetchApp.fetchAll; each answer or its error, in order. */
export function apiGetAll<T>(paths: readonly string[]): (T | LeadPoolError)[] {
  const requests = paths.map((path) => ({ url: urlOf_(path), ...request_('get', undefined, {}) }));
  let responses: GoogleAppsScript.URL_Fetch.HTTPResponse[];
  try {
    responses = UrlFetchApp.fetchAll(requests);
  } catch (error) {
    throw unreachable_(error);
  }

  return responses.map((response) => {
    try {
      return answer_<T>(response);
    } catch (error) {
      if (error instanceof LeadPoolError) return error;
      throw error;
    }
  });
}

function call_<T>(method: Method, path: string, body: unknown, options: CallOptions): T {
  const url = urlOf_(path);
  const mutating = method !== 'get';
  const key = mutating ? (options.actionId ?? Utilities.getUuid()) : undefined;
  const params = request_(method, body, { ...options, actionId: key });

  for (let attempt = 1; ; attempt++) {
    let response: GoogleAppsScript.URL_Fetch.HTTPResponse;
    try {
      response = UrlFetchApp.fetch(url, params);
    } catch (error) {
      if (attempt < ATTEMPTS) {
        Utilities.sleep(500 * attempt);
        continue;
      }

      throw unreachable_(error);
    }

    if (RETRY_STATUSES.includes(response.getResponseCode()) && attempt < ATTEMPTS) {
      Utilities.sleep(500 * attempt);
      continue;
    }

    return answer_<T>(response);
  }
}

function urlOf_(path: string): string {
  const base = PropertiesService.getScriptProperties().getProperty(API_URL_PROPERTY);
  if (!base) {
    throw new LeadPoolError(
      'NOT_CONFIGURED',
      `Lead Pool is not set up yet: ask an admin to set the script property ${API_URL_PROPERTY}.`,
    );
  }

  return base.replace(/\/+$/, '') + path;
}

function request_(
  method: Method,
  body: unknown,
  options: CallOptions,
): GoogleAppsScript.URL_Fetch.URLFetchRequestOptions {
  const token = ScriptApp.getIdentityToken();
  if (!token) {
    throw new LeadPoolError(
      'UNAUTHENTICATED',
      'Google gave Lead Pool no sign-in token for you. Reopen the sheet and authorise the add-on.',
    );
  }

  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (options.actionId) headers['Idempotency-Key'] = options.actionId;
  if (options.relayFor) headers[RELAY_HEADER] = options.relayFor;

  const params: GoogleAppsScript.URL_Fetch.URLFetchRequestOptions = {
    method,
    headers,
    muteHttpExceptions: true,
  };
  if (body !== undefined) {
    params.contentType = 'application/json';
    params.payload = JSON.stringify(body);
  }

  return params;
}

function answer_<T>(response: GoogleAppsScript.URL_Fetch.HTTPResponse): T {
  const status = response.getResponseCode();
  const text = response.getContentText();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new LeadPoolError('BAD_ANSWER', `The Lead Pool server answered ${status} without JSON.`);
  }

  if (status >= 200 && status < 300) return json as T;

  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    ?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const details = (error.details ?? {}) as Record<string, unknown>;
    throw new LeadPoolError(error.code, error.message, status, details);
  }

  throw new LeadPoolError('BAD_ANSWER', `The Lead Pool server answered ${status}.`, status);
}

function unreachable_(error: unknown): LeadPoolError {
  // UrlFetchApp throws for DNS failures and timeouts; its text names the URL, not the cause.
  console.warn(JSON.stringify({ message: 'Lead Pool unreachable', error: String(error) }));

  return new LeadPoolError(
    'UNREACHABLE',
    'The Lead Pool server could not be reached. Check your connection and try again.',
  );
}
