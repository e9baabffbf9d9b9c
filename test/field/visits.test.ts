import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { encodeCursor } from '../../functions/src/api/cursor.js';
import type { Visit } from '../../functions/src/domain/visits.js';
import { as, startTestApi, type TestApi } from '../support/api-server.js';
import {
  NOW,
  addLead,
  addMember,
  addRep,
  at,
  hoursAfter,
  ownedCount,
  uniquePhone,
  writtenDifferently,
  type ErrorBody,
} from '../api/fixtures.js';
import { setPolicy } from '../jobs/fixtures.js';
import { aProspect, pagesOf, postVisit, visited } from './fixtures.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const TODAY = '2026-03-02';

const issuesOf = (body: unknown) => (body as ErrorBody).error.details?.issues;

const idsOf = (visits: readonly Visit[]) => visits.map((visit) => visit.id);

async function poolSize(): Promise<number> {
  return (await api.store.listPool(10_000, null)).items.length;
}

describe('POST /v1/visits to a lead', () => {
  it('logs a visit to the rep’s own lead with 201', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });

    const response = await postVisit(api, rep, { leadId: lead.id, note: 'Met the owner' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      visit: { repEmail: rep, leadId: lead.id, day: TODAY, at: NOW, note: 'Met the owner' },
      lead: { id: lead.id, status: 'owned' },
    });
    expect(idsOf(await api.store.listVisits(TODAY, rep))).toEqual([response.body.visit.id]);
  });

  it('restarts the lead’s follow-up clock from the visit', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    const visitedAt = hoursAfter(NOW, 48);

    const { lead: answered } = await visited(api, rep, { leadId: lead.id }, visitedAt);

    expect(answered?.followUpDueAt).toBe(hoursAfter(visitedAt, 72));
    expect(await api.store.getLead(lead.id)).toMatchObject({
      lastFollowUpAt: visitedAt,
      followUpDueAt: hoursAfter(visitedAt, 72),
    });
  });

  it('restarts the clock from when a backdated visit happened, not when logged', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    const happened = hoursAfter(NOW, 10);

    await visited(api, rep, { leadId: lead.id, at: happened }, hoursAfter(NOW, 30));

    expect((await api.store.getLead(lead.id))?.followUpDueAt).toBe(hoursAfter(happened, 72));
  });

  it('refuses a visit to another rep’s lead as NOT_OWNER', async () => {
    const [owner, other] = [await addRep(api), await addRep(api)];
    const lead = await addLead(api, { ownerEmail: owner });

    const response = await postVisit(api, other, { leadId: lead.id });

    expect(response.status).toBe(409);
    expect((response.body as ErrorBody).error.code).toBe('NOT_OWNER');
    expect(await api.store.listVisits(TODAY, other)).toEqual([]);
  });

  it('answers 404 for a lead that does not exist', async () => {
    const rep = await addRep(api);

    const response = await postVisit(api, rep, { leadId: 'NOSUCHLEAD00' });

    expect(response.status).toBe(404);
  });
});

describe('POST /v1/visits with a bad body', () => {
  it.each([
    ['an effective visit that met the staff', { outcome: 'effective', met: 'staff' }, 'outcome'],
    ['an effective visit that met a manager', { outcome: 'effective', met: 'manager' }, 'outcome'],
    ['neither a lead nor a prospect', { leadId: undefined }, 'leadId'],
    ['both a lead and a prospect', { prospect: { company: 'Both Co' } }, 'leadId'],
    ['a time in the future', { at: hoursAfter(NOW, 1) }, 'at'],
    ['a time more than a week ago', { at: hoursAfter(NOW, -8 * 24) }, 'at'],
    ['a person met who is not on the list', { met: 'receptionist' }, 'met'],
  ])('answers 400 for %s, with an issue on %s', async (_name, change, path) => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });

    const response = await postVisit(api, rep, { leadId: lead.id, ...change });

    expect(response.status).toBe(400);
    expect(issuesOf(response.body)).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
    expect(await api.store.listVisits(TODAY, rep)).toEqual([]);
  });

  it('accepts an effective visit that met an executive', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });

    const response = await postVisit(api, rep, {
      leadId: lead.id,
      outcome: 'effective',
      met: 'executive',
    });

    expect(response.status).toBe(201);
  });
});

describe('POST /v1/visits to a prospect', () => {
  it('makes the prospect a lead of the rep’s own when they have room', async () => {
    const rep = await addRep(api);
    const prospect = aProspect({ phone: uniquePhone() });

    const { visit, lead } = await visited(api, rep, { prospect });

    expect(lead).toMatchObject({ company: prospect.company, status: 'owned', ownerEmail: rep });
    expect(visit).toMatchObject({ leadId: lead?.id, prospect, prospectOutcome: 'owned' });
    expect(await ownedCount(api, rep)).toBe(1);
  });

  it('puts the prospect in the pool when the rep’s private pool is full', async () => {
    const rep = await addRep(api, { capacity: 1 });
    await addLead(api, { ownerEmail: rep });

    const { visit, lead } = await visited(api, rep, { prospect: aProspect() });

    expect(lead).toMatchObject({ status: 'pool', ownerEmail: null });
    expect(visit).toMatchObject({ leadId: lead?.id, prospectOutcome: 'pool' });
    expect(await api.store.getLead(lead!.id)).toMatchObject({ status: 'pool' });
    expect(await ownedCount(api, rep)).toBe(1);
  });

  it('links a prospect already known by its phone to that lead, with a notice', async () => {
    const [owner, rep] = [await addRep(api), await addRep(api)];
    const phone = uniquePhone();
    const existing = await addLead(api, { ownerEmail: owner, phone });
    const pooled = await poolSize();
    const prospect = aProspect({ phone: writtenDifferently(phone) });

    const response = await postVisit(api, rep, { prospect, note: 'Second floor, room 204' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      visit: { leadId: existing.id, prospect, prospectOutcome: 'duplicate' },
      lead: null,
      notice: expect.any(String),
    });
    expect(await api.store.listVisits(TODAY, rep)).toEqual([
      expect.objectContaining({ leadId: existing.id, prospect, note: 'Second floor, room 204' }),
    ]);
    expect(await poolSize()).toBe(pooled);
    expect(await ownedCount(api, rep)).toBe(0);
  });
});

describe('a cold visit to a prospect that is already the rep’s own lead', () => {
  it('counts as the follow-up of that lead', async () => {
    const rep = await addRep(api);
    const phone = uniquePhone();
    const lead = await addLead(api, { ownerEmail: rep, phone });
    const visitedAt = hoursAfter(NOW, 24);

    await visited(
      api,
      rep,
      { prospect: aProspect({ phone: writtenDifferently(phone) }) },
      visitedAt,
    );

    expect((await api.store.getLead(lead.id))?.followUpDueAt).toBe(hoursAfter(visitedAt, 72));
  });
});

describe('GET /v1/me after visits', () => {
  it('counts today’s visits, effective visits, cold visits and new prospects', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    await visited(api, rep, { leadId: lead.id, outcome: 'effective', met: 'owner' });
    await visited(api, rep, { prospect: aProspect() });

    const response = await api.http.get('/v1/me').set(as(rep)).set(at(NOW));

    expect(response.body.today).toMatchObject({
      day: TODAY,
      visits: 2,
      effective: 1,
      cold: 1,
      prospects: 1,
      visitQuota: 8,
      effectiveQuota: 2,
      quotaMet: false,
    });
  });

  it('leaves a visit of yesterday out of today', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    await visited(api, rep, { leadId: lead.id, at: hoursAfter(NOW, -24) });

    const response = await api.http.get('/v1/me').set(as(rep)).set(at(NOW));

    expect(response.body.today).toMatchObject({ visits: 0, effective: 0 });
  });

  it('says the quota is met after eight visits, two of them effective', async () => {
    const rep = await addRep(api);
    const lead = await addLead(api, { ownerEmail: rep });
    for (let index = 0; index < 8; index += 1) {
      const effective = index < 2 ? { outcome: 'effective', met: 'owner' } : {};
      await visited(api, rep, { leadId: lead.id, ...effective });
    }

    const response = await api.http.get('/v1/me').set(as(rep)).set(at(NOW));

    expect(response.body.today).toMatchObject({ visits: 8, effective: 2, quotaMet: true });
  });
});

describe('GET /v1/visits', () => {
  // A day no other test logs visits on, so "all of them" is exactly what this test logged.
  const DAY = '2026-03-10';
  const WHEN = '2026-03-10T03:00:00.000Z';

  let reps: string[];
  let manager: string;
  let visits: Visit[];
  beforeAll(async () => {
    reps = [await addRep(api), await addRep(api)];
    manager = await addMember(api, { role: 'manager' });
    visits = [];
    for (const rep of reps) {
      const lead = await addLead(api, { ownerEmail: rep }, WHEN);
      visits.push((await visited(api, rep, { leadId: lead.id }, WHEN)).visit);
    }
  });

  const list = (who: string, query: Record<string, string>) =>
    api.http.get('/v1/visits').query(query).set(as(who)).set(at(WHEN));

  it('shows a rep their own visits of the day', async () => {
    const response = await list(reps[0]!, { date: DAY });

    expect(response.status).toBe(200);
    expect(idsOf(response.body.items)).toEqual([visits[0]!.id]);
  });

  it('shows a rep their own visits when they name themselves', async () => {
    const response = await list(reps[0]!, { date: DAY, rep: reps[0]! });

    expect(idsOf(response.body.items)).toEqual([visits[0]!.id]);
  });

  it('refuses a rep who asks for another rep’s visits with 403', async () => {
    const response = await list(reps[0]!, { date: DAY, rep: reps[1]! });

    expect(response.status).toBe(403);
    expect((response.body as ErrorBody).error.code).toBe('FORBIDDEN');
  });

  it('shows a manager every rep’s visits of the day', async () => {
    const response = await list(manager, { date: DAY });

    expect(idsOf(response.body.items).sort()).toEqual(idsOf(visits).sort());
  });

  it('shows a manager one rep’s visits', async () => {
    const response = await list(manager, { date: DAY, rep: reps[1]! });

    expect(idsOf(response.body.items)).toEqual([visits[1]!.id]);
  });

  it('answers today’s visits when no date is given', async () => {
    const response = await list(reps[1]!, {});

    expect(idsOf(response.body.items)).toEqual([visits[1]!.id]);
  });

  it('answers 400 for a date that is not a date', async () => {
    const response = await list(reps[0]!, { date: '10/03/2026' });

    expect(response.status).toBe(400);
  });
});

describe('GET /v1/visits a page at a time', () => {
  // A day of its own, so every visit of it is one this describe logged.
  const DAY = '2026-03-11';
  const WHEN = '2026-03-11T09:00:00.000Z';

  let reps: string[];
  let manager: string;
  let visits: Visit[];
  beforeAll(async () => {
    reps = [await addRep(api), await addRep(api)];
    manager = await addMember(api, { role: 'manager' });
    visits = [];
    // Times shared between visits, so the order falls back on the id.
    const minutesBefore = [
      [50, 30, 30, 10],
      [40, 30, 10],
    ];
    for (const [index, rep] of reps.entries()) {
      const lead = await addLead(api, { ownerEmail: rep }, WHEN);
      for (const minutes of minutesBefore[index]!) {
        const when = new Date(Date.parse(WHEN) - minutes * 60_000).toISOString();
        visits.push((await visited(api, rep, { leadId: lead.id, at: when }, WHEN)).visit);
      }
    }
  });

  const byTime = (list: readonly Visit[]) =>
    idsOf([...list].sort((a, b) => a.at.localeCompare(b.at) || (a.id < b.id ? -1 : 1)));

  const page =
    (who: string, query: Record<string, string | number>) => (cursor: string | undefined) =>
      api.http
        .get('/v1/visits')
        .query({ date: DAY, ...query, ...(cursor === undefined ? {} : { cursor }) })
        .set(as(who))
        .set(at(WHEN));

  it('pages a manager through more visits than the limit, each once, by time', async () => {
    const pages = await pagesOf<Visit>(page(manager, { limit: 3 }));

    expect(pages.map((items) => items.length)).toEqual([3, 3, 1]);
    expect(idsOf(pages.flat())).toEqual(byTime(visits));
  });

  it('pages a rep through their own visits only', async () => {
    const pages = await pagesOf<Visit>(page(reps[0]!, { limit: 2 }));

    expect(pages.map((items) => items.length)).toEqual([2, 2]);
    expect(idsOf(pages.flat())).toEqual(byTime(visits.slice(0, 4)));
  });

  it('pages a manager through one rep’s visits', async () => {
    const pages = await pagesOf<Visit>(page(manager, { rep: reps[1]!, limit: 2 }));

    expect(idsOf(pages.flat())).toEqual(byTime(visits.slice(4)));
  });

  it.each([
    ['text that is no cursor', 'not-a-cursor'],
    ['a cursor of the pool', encodeCursor({ createdAt: WHEN, id: 'L1' })],
    ['a cursor of the QC queue', encodeCursor({ day: DAY, id: 'V1' })],
    ['a position with a time that is no time', encodeCursor({ at: 'noon', id: 'V1' })],
  ])('answers 400 with the error envelope for %s', async (_name, cursor) => {
    const response = await page(manager, {})(cursor);

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { issues: [{ path: 'cursor' }] },
    });
  });

  it.each(['0', '201', 'all'])('answers 400 for a limit of %s', async (limit) => {
    const response = await page(manager, { limit })(undefined);

    expect(response.status).toBe(400);
  });
});

describe('the team day a visit belongs to', () => {
  it.each([
    { zone: 'Asia/Shanghai', offset: '+08:00' },
    { zone: 'America/New_York', offset: '-05:00' },
  ])(
    'puts visits at 23:59:59 and 00:00:00 in $zone on different days',
    async ({ zone, offset }) => {
      const team = await startTestApi();
      try {
        await setPolicy(team, { timeZone: zone });
        const rep = await addRep(team);
        const lead = await addLead(team, { ownerEmail: rep });
        const logged = `2026-03-03T00:05:00${offset}`;

        const before = await visited(
          team,
          rep,
          { leadId: lead.id, at: `2026-03-02T23:59:59${offset}` },
          logged,
        );
        const after = await visited(
          team,
          rep,
          { leadId: lead.id, at: `2026-03-03T00:00:00${offset}` },
          logged,
        );

        expect([before.visit.day, after.visit.day]).toEqual(['2026-03-02', '2026-03-03']);
        expect(idsOf(await team.store.listVisits('2026-03-02'))).toEqual([before.visit.id]);
        expect(idsOf(await team.store.listVisits('2026-03-03'))).toEqual([after.visit.id]);
        const me = await team.http.get('/v1/me').set(as(rep)).set(at(logged));
        expect(me.body.today).toMatchObject({ day: '2026-03-03', visits: 1 });
      } finally {
        await team.close();
      }
    },
  );
});
