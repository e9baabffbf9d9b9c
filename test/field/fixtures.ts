import { expect } from 'vitest';

import type { Stage } from '../../functions/src/domain/pipeline.js';
import type { Visit } from '../../functions/src/domain/visits.js';
import { as, type TestApi } from '../support/api-server.js';
import { NOW, at, unique, type LeadBody } from '../api/fixtures.js';

/** What a rep sends to log a visit; the defaults make a potential visit with the staff. */
export type VisitRequest = {
  leadId?: string;
  prospect?: Record<string, string>;
  outcome?: string;
  met?: string;
  note?: string;
  at?: string;
};

export type VisitAnswer = { visit: Visit; lead: LeadBody | null; notice?: string };

/** POST /v1/visits by `rep` with the server's clock at `when`. */
export function postVisit(api: TestApi, rep: string, body: VisitRequest, when = NOW) {
  return api.http
    .post('/v1/visits')
    .set(as(rep))
    .set(at(when))
    .send({ outcome: 'potential', met: 'staff', note: 'Left a brochure', ...body });
}

/** A visit that must be logged; answers what the API answered. */
export async function visited(
  api: TestApi,
  rep: string,
  body: VisitRequest,
  when = NOW,
): Promise<VisitAnswer> {
  const response = await postVisit(api, rep, body, when);

  expect(response.status).toBe(201);
  return response.body as VisitAnswer;
}

/** A prospect no other lead of the file has. */
export function aProspect(fields: Record<string, string> = {}): Record<string, string> {
  return {
    company: unique('Prospect Co'),
    contactName: 'Zhang Min',
    title: 'Owner',
    products: 'Label printers',
    ...fields,
  };
}

/** POST /v1/leads/{id}/stage by `who` with the server's clock at `when`. */
export function postStage(api: TestApi, who: string, id: string, stage: Stage, when = NOW) {
  return api.http.post(`/v1/leads/${id}/stage`).set(as(who)).set(at(when)).send({ stage });
}

/** Moves a new lead forward one stage at a time until it reaches `stage`. */
export async function movedTo(
  api: TestApi,
  who: string,
  id: string,
  stage: Stage,
  when = NOW,
): Promise<LeadBody> {
  const path: Stage[] = ['contacted', 'effective_visit', 'proposal', 'contract', 'paid'];
  let lead: LeadBody | undefined;
  for (const next of path.slice(0, path.indexOf(stage) + 1)) {
    const response = await postStage(api, who, id, next, when);

    expect(response.status).toBe(200);
    lead = response.body as LeadBody;
  }

  return lead!;
}

export type ListBody<T> = { items: T[]; nextCursor: string | null };

/**
 * Every page of a list route, following `nextCursor` until it is null. It stops after
 * `maxPages`, so a route that ignores the cursor fails the test instead of looping forever.
 */
export async function pagesOf<T>(
  get: (cursor: string | undefined) => PromiseLike<{ status: number; body: unknown }>,
  maxPages = 20,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const response = await get(cursor);
    expect(response.status).toBe(200);

    const body = response.body as ListBody<T>;
    pages.push(body.items);
    cursor = body.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < maxPages);

  return pages;
}
