import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addRep,
  at,
  ownedCount,
  storeState,
  unique,
  uniquePhone,
  writtenDifferently,
  type ErrorBody,
} from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

type ImportAnswer = {
  created: { row: number; leadId: string }[];
  duplicates: { row: number; existingLeadId: string }[];
  invalid: { row: number; issues: { path: string; message: string; code: string }[] }[];
};

function importRows(leads: unknown[]) {
  return api.http.post('/v1/leads:import').set(as(ADMIN)).set(at(NOW)).send({ leads });
}

describe('POST /v1/leads:import', () => {
  it('answers created, duplicate and invalid rows together, each by its row', async () => {
    const phone = uniquePhone();
    const existing = await addLead(api, { phone });
    const fresh = unique('Fresh Company');

    const response = await importRows([
      { company: fresh },
      { company: unique('Other Company'), phone: writtenDifferently(phone) },
      { company: 42 },
      { company: fresh.toUpperCase() },
      { company: unique('Third Company'), colour: 'red' },
    ]);

    expect(response.status).toBe(200);
    const answer = response.body as ImportAnswer;
    expect(answer.created).toEqual([{ row: 0, leadId: expect.any(String) }]);
    expect(answer.duplicates).toEqual([
      { row: 1, existingLeadId: existing.id },
      { row: 3, existingLeadId: answer.created[0]?.leadId },
    ]);
    expect(answer.invalid.map(({ row }) => row)).toEqual([2, 4]);
  });

  it('names the field and the problem of each invalid row', async () => {
    const response = await importRows([{ company: '' }, { company: 'x'.repeat(201) }]);

    const answer = response.body as ImportAnswer;
    expect(answer.invalid).toEqual([
      { row: 0, issues: [expect.objectContaining({ path: 'company' })] },
      { row: 1, issues: [expect.objectContaining({ path: 'company', code: 'too_big' })] },
    ]);
  });

  it('stores the created leads and gives owned ones to their rep', async () => {
    const rep = await addRep(api);

    const response = await importRows([
      { company: unique('Pool Company') },
      { company: unique('Owned Company'), ownerEmail: rep },
    ]);

    const [pooled, owned] = (response.body as ImportAnswer).created;
    expect(await api.store.getLead(pooled?.leadId ?? '')).toMatchObject({ status: 'pool' });
    expect(await api.store.getLead(owned?.leadId ?? '')).toMatchObject({ ownerEmail: rep });
    expect(await ownedCount(api, rep)).toBe(1);
  });

  it('creates nothing for duplicate and invalid rows', async () => {
    const existing = await addLead(api);
    const before = await storeState(api, [existing.id]);

    const response = await importRows([{ company: existing.company }, { phone: '138' }]);

    expect(response.status).toBe(200);
    expect(await storeState(api, [existing.id])).toEqual(before);
  });

  it.each([
    [
      'more than 500 rows',
      { leads: Array.from({ length: 501 }, (_, i) => ({ company: `C${i}` })) },
    ],
    ['no rows', { leads: [] }],
  ])('refuses an import of %s with 400', async (_name, { leads }) => {
    const before = await storeState(api);

    const response = await importRows(leads);

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { issues: [expect.objectContaining({ path: 'leads' })] },
    });
    expect(await storeState(api)).toEqual(before);
  });

  it('imports exactly 500 rows', async () => {
    const prefix = unique('Bulk');
    const leads = Array.from({ length: 500 }, (_, i) => ({ company: `${prefix} ${i}` }));

    const response = await importRows(leads);

    expect(response.status).toBe(200);
    expect((response.body as ImportAnswer).created).toHaveLength(500);
  });
});
