import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DaySummary, RepDay } from '../../functions/src/app/summary.js';
import { as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addMember,
  addRep,
  at,
  claimed,
  hoursAfter,
  uniquePhone,
  writtenDifferently,
} from '../api/fixtures.js';
import { ranAt } from '../jobs/fixtures.js';
import { aProspect, movedTo, visited } from './fixtures.js';

const TODAY = '2026-03-02';

/** 22:30 in Asia/Shanghai: the evening meeting, after the night's QC sample. */
const EVENING = hoursAfter(NOW, 13.5);

let api: TestApi;
let manager: string;
const reps = { Ana: '', Bo: '', Cy: '' };

/**
 * One scripted day. Ana (East) claims two leads, meets the quota, reports, and QC finds one
 * of her visits fabricated. Bo (East) claims one lead, loses an older one to reclaim,
 * converts a lead, makes two cold visits of which one finds a new prospect, and does not
 * report. Cy (West) receives Bo's lost lead, visits it once and reports.
 */
beforeAll(async () => {
  api = await startTestApi();
  manager = await addMember(api, { role: 'manager' });
  const qc = await addMember(api, { role: 'qc' });
  reps.Ana = await addRep(api, { group: 'East', name: 'Ana' });
  reps.Bo = await addRep(api, { group: 'East', name: 'Bo' });
  reps.Cy = await addRep(api, { group: 'West', name: 'Cy' });
  const overdue = await addLead(api, { ownerEmail: reps.Bo }, hoursAfter(NOW, -72));
  const phone = uniquePhone();
  await addLead(api, { phone });

  const anaLeads = [await claimed(api, reps.Ana), await claimed(api, reps.Ana)];
  const boLead = await claimed(api, reps.Bo);
  await ranAt(api, 'reclaim', hoursAfter(NOW, 1));

  const morning = hoursAfter(NOW, 2);
  for (let index = 0; index < 8; index += 1) {
    const effective = index < 2 ? { outcome: 'effective', met: 'owner' } : {};
    await visited(api, reps.Ana, { leadId: anaLeads[index % 2]!.id, ...effective }, morning);
  }
  await visited(api, reps.Bo, { leadId: boLead.id }, morning);
  await visited(api, reps.Bo, { prospect: aProspect() }, morning);
  await visited(
    api,
    reps.Bo,
    { prospect: aProspect({ phone: writtenDifferently(phone) }) },
    morning,
  );
  await movedTo(api, reps.Bo, boLead.id, 'contract', morning);
  await visited(api, reps.Cy, { leadId: overdue.id }, morning);

  const evening = hoursAfter(NOW, 11);
  for (const rep of [reps.Ana, reps.Cy]) {
    const response = await api.http
      .post('/v1/reports/daily')
      .set(as(rep))
      .set(at(evening))
      .send({ date: TODAY, text: 'Done for the day.' });
    expect(response.status).toBe(201);
  }

  await ranAt(api, 'qc-sample', hoursAfter(NOW, 13));
  const queue = await api.http.get('/v1/qc/queue').set(as(qc)).set(at(EVENING));
  const anas = queue.body.items.find((item: { repEmail: string }) => item.repEmail === reps.Ana);
  const judged = await api.http
    .post(`/v1/qc/${anas.visitId}/verdict`)
    .set(as(qc))
    .set(at(EVENING))
    .send({ verdict: 'fabricated', note: 'The shop was closed that day' });
  expect(judged.status).toBe(200);
});
afterAll(async () => api.close());

async function summaryOf(date: string): Promise<DaySummary> {
  const response = await api.http
    .get('/v1/reports/day')
    .query({ date })
    .set(as(manager))
    .set(at(EVENING));

  expect(response.status).toBe(200);
  return response.body as DaySummary;
}

function rowOf(summary: DaySummary, email: string): RepDay | undefined {
  return summary.groups.flatMap((group) => group.reps).find((rep) => rep.email === email);
}

const ZERO = {
  visits: 0,
  effective: 0,
  cold: 0,
  prospects: 0,
  claims: 0,
  reclaims: 0,
  conversions: 0,
};

describe('GET /v1/reports/day', () => {
  it('lists the team’s reps by group, and no other member', async () => {
    const summary = await summaryOf(TODAY);

    expect(summary.day).toBe(TODAY);
    expect(
      summary.groups.map((group) => [group.group, group.reps.map((rep) => rep.name).sort()]),
    ).toEqual([
      ['East', ['Ana', 'Bo']],
      ['West', ['Cy']],
    ]);
  });

  it.each([
    [
      'Ana',
      { visits: 8, effective: 2, cold: 0, prospects: 0, claims: 2, reclaims: 0, conversions: 0 },
    ],
    [
      'Bo',
      { visits: 3, effective: 0, cold: 2, prospects: 1, claims: 1, reclaims: 1, conversions: 1 },
    ],
    ['Cy', { ...ZERO, visits: 1 }],
  ] as const)('counts %s’s visits, claims, reclaims and conversions', async (name, numbers) => {
    expect(rowOf(await summaryOf(TODAY), reps[name])).toMatchObject(numbers);
  });

  it.each([
    ['Ana', { quotaMet: true, reported: true, fabricatedVisitsOnDay: 1 }],
    ['Bo', { quotaMet: false, reported: false, fabricatedVisitsOnDay: 0 }],
    ['Cy', { quotaMet: false, reported: true, fabricatedVisitsOnDay: 0 }],
  ] as const)(
    'tells whether %s met the quota, reported, and was caught fabricating',
    async (name, flags) => {
      expect(rowOf(await summaryOf(TODAY), reps[name])).toMatchObject(flags);
    },
  );

  it('adds up each group’s numbers', async () => {
    const summary = await summaryOf(TODAY);

    expect(summary.groups.map((group) => [group.group, group.totals])).toEqual([
      [
        'East',
        { visits: 11, effective: 2, cold: 2, prospects: 1, claims: 3, reclaims: 1, conversions: 1 },
      ],
      ['West', { ...ZERO, visits: 1 }],
    ]);
  });

  it('counts nothing of the day on the day before', async () => {
    const summary = await summaryOf('2026-03-01');

    expect(summary.groups.map((group) => group.totals)).toEqual([ZERO, ZERO]);
    expect(rowOf(summary, reps.Ana)).toMatchObject({
      quotaMet: false,
      reported: false,
      fabricatedVisitsOnDay: 0,
    });
  });
});
