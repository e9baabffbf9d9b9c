import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

describe('a body sent without a Content-Type', () => {
  // An empty patch is a valid policy change, so reading the body as empty would answer 200.
  it('is refused with 400 rather than read as an empty body', async () => {
    const before = await api.store.getPolicy();

    const response = await api.http
      .put('/v1/policy')
      .set(as(ADMIN))
      .set('Content-Type', '')
      .send(Buffer.from('{"capacity":-1}'));

    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/application\/json/);
    expect(await api.store.getPolicy()).toEqual(before);
  });
});
