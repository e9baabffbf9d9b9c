import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { projectTab, TAB_NAMES } from '../../functions/src/sheets/projection.js';
import { loadSheetState } from '../../functions/src/sheets/state.js';
import { ADMIN, as, SCHEDULER, startTestApi, type TestApi } from '../support/api-server.js';
import { at, type ErrorBody } from '../api/fixtures.js';
import { ANA, NOW, aTeamDay, seed } from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await seed(api.store, aTeamDay());
});
afterAll(async () => api.close());

const view = (path: string, email: string) =>
  api.http.get(path).set(as(email)).set(at(NOW.toISOString()));

describe('GET /v1/views/{tab}', () => {
  it.each(TAB_NAMES)('answers the %s tab as the sheet sync writes it', async (tab) => {
    const response = await view(`/v1/views/${tab}`, ANA);

    expect(response.status).toBe(200);
    expect(response.body).toEqual(projectTab(tab, await loadSheetState(api.store, NOW)));
  });

  it.each([
    ['a rep', ANA],
    ['a manager', 'mei@example.com'],
    ['an admin', ADMIN],
  ])('answers %s the same rows as everyone else', async (_name, email) => {
    const response = await view('/v1/views/Leads', email);

    expect(response.status).toBe(200);
    expect((response.body as { rows: unknown[] }).rows).toHaveLength(5);
  });

  it('reads the tab name without regard to case', async () => {
    const lower = await view('/v1/views/today', ANA);
    const upper = await view('/v1/views/TODAY', ANA);

    expect(lower.status).toBe(200);
    expect(lower.body).toMatchObject({ tab: 'Today' });
    expect(upper.body).toEqual(lower.body);
  });

  it('answers 404 for a tab the sheet does not have, naming the tabs it has', async () => {
    const response = await view('/v1/views/Sheet1', ANA);

    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({
      error: { code: 'NOT_FOUND', details: { tabs: [...TAB_NAMES] } },
    });
  });

  it('refuses the scheduler, which may only run jobs', async () => {
    const response = await view('/v1/views/Pool', SCHEDULER);

    expect(response.status).toBe(403);
  });

  it('refuses a query string it does not know', async () => {
    const response = await view('/v1/views/Pool?limit=5', ANA);

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.code).toBe('INVALID_REQUEST');
  });

  it('keeps the clock of the request: hours left follow X-Leadpool-Now', async () => {
    const later = new Date(NOW.getTime() + 3 * 3_600_000).toISOString();

    const response = await api.http.get('/v1/views/Leads').set(as(ANA)).set(at(later));

    const rows = (response.body as { rows: unknown[][] }).rows;
    expect(rows.find((row) => row[0] === 'o-soon')?.[8]).toBe(2);
  });
});
