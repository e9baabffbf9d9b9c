import { afterEach, describe, expect, it, vi } from 'vitest';

import { apiGet, apiGetAll, apiPost, LeadPoolError } from '../../sheets-addon/src/api.js';
import { FakeHttpResponse } from './fakes/services.js';
import { installFakes, refusal, type Canned } from './support/canned-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function caught(action: () => unknown): LeadPoolError {
  try {
    action();
  } catch (error) {
    if (error instanceof LeadPoolError) return error;
    throw error;
  }

  throw new Error('Nothing was thrown');
}

describe('apiPost', () => {
  it('sends the identity token, JSON and a fresh Idempotency-Key for each action', () => {
    const fakes = installFakes({ 'POST /v1/leads/L1/claim': [200, { ok: 1 }] });

    apiPost('/v1/leads/L1/claim', {});
    apiPost('/v1/leads/L1/claim', {});

    const [first, second] = fakes.urlFetch.requests;
    expect(first).toMatchObject({
      url: 'https://leadpool.test/api/v1/leads/L1/claim',
      method: 'POST',
      body: '{}',
      headers: { Authorization: 'Bearer dev:rep@example.com', 'Content-Type': 'application/json' },
    });
    expect(first!.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.headers['Idempotency-Key']).not.toBe(first!.headers['Idempotency-Key']);
  });

  it('names the member an admin relays for', () => {
    const fakes = installFakes({ 'POST /v1/visits': [201, {}] }, 'admin@example.com');

    apiPost('/v1/visits', {}, { relayFor: 'rep@example.com' });

    expect(fakes.urlFetch.requests[0]!.headers['X-Leadpool-Relay-For']).toBe('rep@example.com');
  });

  it('retries a gateway error with the same Idempotency-Key', () => {
    const answers: Canned[] = [
      [503, 'busy'],
      [200, { done: true }],
    ];
    const fakes = installFakes({ 'POST /v1/visits': () => answers.shift()! });

    expect(apiPost('/v1/visits', {}, { actionId: 'action-7' })).toEqual({ done: true });

    const keys = fakes.urlFetch.requests.map((request) => request.headers['Idempotency-Key']);
    expect(keys).toEqual(['action-7', 'action-7']);
    expect(fakes.utilities.sleeps).toEqual([500]);
  });

  it('turns an error answer into a LeadPoolError with the server’s code and message', () => {
    const answer = refusal('CAPACITY_EXCEEDED', 'Your private pool is full', { capacity: 50 });
    installFakes({ 'POST /v1/leads/L1/claim': [409, answer] });

    const error = caught(() => apiPost('/v1/leads/L1/claim', {}));

    expect(error).toMatchObject({
      code: 'CAPACITY_EXCEEDED',
      message: 'Your private pool is full',
      status: 409,
      details: { capacity: 50 },
    });
  });

  it('exposes the validation issues of a 400', () => {
    const issues = [{ path: 'met', message: 'Invalid option', code: 'invalid_value' }];
    installFakes({ 'POST /v1/visits': [400, refusal('INVALID_REQUEST', 'Not valid', { issues })] });

    expect(caught(() => apiPost('/v1/visits', {})).issues).toEqual(issues);
  });
});

describe('apiGet', () => {
  it('refuses to run before the API URL is set', () => {
    const fakes = installFakes({});
    delete fakes.properties.script.values.LEADPOOL_API_URL;

    expect(caught(() => apiGet('/v1/me')).code).toBe('NOT_CONFIGURED');
    expect(fakes.urlFetch.requests).toEqual([]);
  });

  it('sends no Idempotency-Key with a read', () => {
    const fakes = installFakes({ 'GET /v1/me': [200, {}] });

    apiGet('/v1/me');

    expect(fakes.urlFetch.requests[0]!.headers).not.toHaveProperty('Idempotency-Key');
  });

  it('says the server is unreachable when fetching throws, after retrying', () => {
    const fakes = installFakes({});
    vi.spyOn(fakes.urlFetch, 'fetch').mockImplementation(() => {
      throw new Error('Exception: Address unavailable: https://leadpool.test/api/v1/me');
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const error = caught(() => apiGet('/v1/me'));

    expect(error.code).toBe('UNREACHABLE');
    expect(fakes.urlFetch.fetch).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledOnce();
  });

  it('answers a page that is not JSON with a plain message', () => {
    const fakes = installFakes({});
    const page = new FakeHttpResponse({ status: 500, body: '<html>Server Error</html>' });
    vi.spyOn(fakes.urlFetch, 'fetch').mockReturnValue(page);

    expect(caught(() => apiGet('/v1/me')).message).toBe(
      'The Lead Pool server answered 500 without JSON.',
    );
  });
});

describe('apiGetAll', () => {
  it('answers each read or its error, in order', () => {
    installFakes({
      'GET /v1/views/Pool': [200, { tab: 'Pool' }],
      'GET /v1/views/QC': [403, refusal('FORBIDDEN', 'A rep cannot do this')],
    });

    const [pool, qc] = apiGetAll(['/v1/views/Pool', '/v1/views/QC']);

    expect(pool).toEqual({ tab: 'Pool' });
    expect(qc).toBeInstanceOf(LeadPoolError);
    expect(qc).toMatchObject({ code: 'FORBIDDEN' });
  });
});
