import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

describe('the API through the Functions Framework', () => {
  it('answers health without a token', async () => {
    const response = await api.http.get('/healthz');

    expect(response.status).toBe(200);
  });

  it('answers malformed JSON with the error envelope, not an HTML page', async () => {
    const response = await api.http
      .post('/v1/leads')
      .set(as(ADMIN))
      .set('Content-Type', 'application/json')
      .send('{"company":');

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_REQUEST');
  });
});
