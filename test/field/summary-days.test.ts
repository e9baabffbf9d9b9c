import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { DaySummary } from '../../functions/src/app/summary.js';
import type { QcVerdict } from '../../functions/src/domain/visits.js';
import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import { NOW, addLead, addMember, addRep, at, hoursAfter } from '../api/fixtures.js';
import { ranAt } from '../jobs/fixtures.js';
import { visited } from './fixtures.js';

/** The team days of these tests, from the first; NOW is 09:00 of the first in Shanghai. */
const DAYS = ['2026-03-02', '2026-03-03', '2026-03-04'];

/** `hours` after 09:00 team time on the day of that index. */
const onDay = (index: number, hours: number) => hoursAfter(NOW, 24 * index + hours);

/** The morning after the last day, when every summary below is read. */
const AFTERWARDS = onDay(DAYS.length, 0);

// The night's sample is drawn once per team day from all of the team's visits, so each
// test has a team of its own.
let api: TestApi;
let manager: string;
let qc: string;
let rep: string;
let leadId: string;
beforeEach(async () => {
  api = await startTestApi();
  manager = await addMember(api, { role: 'manager' });
  qc = await addMember(api, { role: 'qc' });
  rep = await addRep(api);
  leadId = (await addLead(api, { ownerEmail: rep })).id;
});
afterEach(async () => api.close());

/**
 * The rep visits their lead once on the day of `index`, the night's sample queues that
 * visit (every rep with visits has one sampled), and QC gives it `verdict`.
 */
async function visitJudged(index: number, verdict: QcVerdict): Promise<string> {
  const { visit } = await visited(api, rep, { leadId }, onDay(index, 1));
  await ranAt(api, 'qc-sample', onDay(index, 13));
  await judge(visit.id, verdict, onDay(index, 13.5));

  return visit.id;
}

async function judge(visitId: string, verdict: QcVerdict, when: string): Promise<void> {
  const response = await api.http
    .post(`/v1/qc/${visitId}/verdict`)
    .set(as(qc))
    .set(at(when))
    .send({ verdict });

  expect(response.status).toBe(200);
}

/** The rep's `fabricatedVisitsOnDay` in the summary of each of the days. */
async function fabricatedByDay(): Promise<number[]> {
  const figures: number[] = [];
  for (const date of DAYS) {
    const response = await api.http
      .get('/v1/reports/day')
      .query({ date })
      .set(as(manager))
      .set(at(AFTERWARDS));
    expect(response.status).toBe(200);

    const row = (response.body as DaySummary).groups.flatMap((group) => group.reps)[0];
    figures.push(row!.fabricatedVisitsOnDay);
  }

  return figures;
}

/** The rep's all-time `fabricatedVisits`, as the members list shows it. */
async function allTimeFlag(): Promise<number> {
  const response = await api.http.get('/v1/members').set(as(ADMIN)).set(at(AFTERWARDS));
  const member = response.body.items.find((item: { email: string }) => item.email === rep);

  return member.fabricatedVisits;
}

describe('fabricated visits in the evening summary', () => {
  it('counts a fabricated visit on its own day and not on the next', async () => {
    await visitJudged(0, 'fabricated');
    await visitJudged(1, 'verified');

    expect(await fabricatedByDay()).toEqual([1, 0, 0]);
  });

  it('keeps each day’s figure when QC finds a visit of a later day fabricated', async () => {
    await visitJudged(0, 'fabricated');
    await visitJudged(1, 'verified');
    await visitJudged(2, 'fabricated');

    expect(await fabricatedByDay()).toEqual([1, 0, 1]);
    expect(await allTimeFlag()).toBe(2);
  });

  it('drops a visit whose verdict QC changes from fabricated to verified', async () => {
    const visitId = await visitJudged(0, 'fabricated');
    await visitJudged(1, 'fabricated');

    await judge(visitId, 'verified', onDay(2, 10));

    expect(await fabricatedByDay()).toEqual([0, 1, 0]);
    expect(await allTimeFlag()).toBe(1);
  });
});
