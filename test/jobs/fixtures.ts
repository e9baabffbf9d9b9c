import { expect } from 'vitest';

import type { PolicyPatch } from '../../functions/src/domain/policy.js';
import type { JobRun } from '../../functions/src/store/port.js';
import { ADMIN, as, type TestApi } from '../support/api-server.js';
import { NOW, at } from '../api/fixtures.js';

export type RunJob = 'reclaim' | 'distribute' | 'qc-sample';

type RunOptions = {
  /** Who asks: ADMIN unless a test says otherwise. */
  authorization?: string;
  scheduleTime?: string;
};

/** POST /v1/jobs/{job} with the server's clock set to `when`. */
export function runAt(api: TestApi, job: RunJob, when: string, options: RunOptions = {}) {
  let pending = api.http
    .post(`/v1/jobs/${job}`)
    .set('Authorization', options.authorization ?? as(ADMIN).Authorization)
    .set(at(when));
  if (options.scheduleTime) {
    pending = pending.set('X-CloudScheduler-ScheduleTime', options.scheduleTime);
  }

  return pending.send({});
}

/** A job run that must succeed; answers its ledger entry. */
export async function ranAt(api: TestApi, job: RunJob, when: string): Promise<JobRun> {
  const response = await runAt(api, job, when);

  expect(response.status).toBe(200);
  return response.body as JobRun;
}

export async function setPolicy(api: TestApi, patch: PolicyPatch): Promise<void> {
  const response = await api.http.put('/v1/policy').set(as(ADMIN)).set(at(NOW)).send(patch);

  expect(response.status).toBe(200);
}

export async function followUp(api: TestApi, rep: string, id: string, when: string) {
  const response = await api.http
    .post(`/v1/leads/${id}/follow-ups`)
    .set(as(rep))
    .set(at(when))
    .send({ channel: 'call', note: 'Agreed to meet next week' });

  expect(response.status).toBe(201);
}

/** Every member's stored owned count next to the leads they really own. */
export async function countersAndRecounts(api: TestApi) {
  const members = await api.store.listMembers();

  return Promise.all(
    members.map(async (member) => ({
      email: member.email,
      counter: member.ownedCount,
      recount: (await api.store.listOwnedLeads(member.email)).length,
    })),
  );
}

/** How many owned leads each of `emails` has, in that order. */
export async function ownedCounts(api: TestApi, emails: readonly string[]): Promise<number[]> {
  return Promise.all(emails.map(async (email) => (await api.store.listOwnedLeads(email)).length));
}
