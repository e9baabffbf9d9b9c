import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';
import { NOW, addRep, at, hoursAfter, type ErrorBody } from '../api/fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const TODAY = '2026-03-02';

function report(rep: string, body: object, when = NOW) {
  return api.http.post('/v1/reports/daily').set(as(rep)).set(at(when)).send(body);
}

async function submissionsOf(rep: string) {
  const events = await api.store.listEventsBetween(
    '2026-01-01T00:00:00.000Z',
    '2027-01-01T00:00:00.000Z',
    ['report.submitted'],
  );

  return events.filter((event) => event.subject === rep);
}

describe('POST /v1/reports/daily', () => {
  it('saves the first report of the day with 201', async () => {
    const rep = await addRep(api);

    const response = await report(rep, { date: TODAY, text: 'Eight visits, two effective.' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      repEmail: rep,
      day: TODAY,
      text: 'Eight visits, two effective.',
      submittedAt: NOW,
      revision: 1,
    });
  });

  it('replaces the day’s report on a resubmission with 200', async () => {
    const rep = await addRep(api);
    await report(rep, { date: TODAY, text: 'Seven visits.' });

    const response = await report(
      rep,
      { date: TODAY, text: 'Eight visits after all.' },
      hoursAfter(NOW, 2),
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ text: 'Eight visits after all.', revision: 2 });
    const reports = (await api.store.listReports(TODAY)).filter((r) => r.repEmail === rep);
    expect(reports).toEqual([expect.objectContaining({ text: 'Eight visits after all.' })]);
  });

  it('keeps the earlier text of a replaced report in the history', async () => {
    const rep = await addRep(api);
    await report(rep, { date: TODAY, text: 'Seven visits.' });

    await report(rep, { date: TODAY, text: 'Eight visits after all.' }, hoursAfter(NOW, 2));

    expect(await submissionsOf(rep)).toEqual([
      expect.objectContaining({
        actor: rep,
        before: null,
        after: { text: 'Seven visits.', revision: 1 },
        data: { day: TODAY },
      }),
      expect.objectContaining({
        before: { text: 'Seven visits.', revision: 1 },
        after: { text: 'Eight visits after all.', revision: 2 },
      }),
    ]);
  });

  it('keeps one report per rep per day', async () => {
    const [first, second] = [await addRep(api), await addRep(api)];

    const answers = [
      await report(first, { date: TODAY, text: 'Mine.' }),
      await report(second, { date: TODAY, text: 'Mine too.' }),
      await report(first, { date: '2026-03-01', text: 'Yesterday’s, late.' }),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    const today = await api.store.listReports(TODAY);
    expect(today.filter((r) => r.repEmail === first || r.repEmail === second)).toHaveLength(2);
  });

  it.each([
    ['a day that has not come yet', { date: '2026-03-03', text: 'Tomorrow’s.' }, 'date'],
    ['a day more than a week ago', { date: '2026-02-20', text: 'Long ago.' }, 'date'],
    ['a date that does not exist', { date: '2026-02-30', text: 'Never.' }, 'date'],
    ['an empty text', { date: TODAY, text: '   ' }, 'text'],
  ])('answers 400 for %s, with an issue on %s', async (_name, body, path) => {
    const rep = await addRep(api);

    const response = await report(rep, body);

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.details?.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
    expect(await submissionsOf(rep)).toEqual([]);
  });
});

describe('dates at the edge of the calendar', () => {
  it.each([
    ['a summary date in year 9999', '/v1/reports/day?date=9999-12-31', {}],
    ['a clock in year 9999', '/v1/reports/day', { 'X-Leadpool-Now': '9999-12-30T16:00:00.000Z' }],
  ])('answers 400, not 500, for %s', async (_name, path, headers) => {
    const response = await api.http.get(path).set(as(ADMIN)).set(headers);

    expect(response.status).toBe(400);
  });
});
