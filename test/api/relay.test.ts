import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, as, startTestApi, type TestApi } from '../support/api-server.js';

const REP = 'relay-rep@example.com';
const MANAGER = 'relay-manager@example.com';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  for (const [email, role] of [
    [REP, 'rep'],
    [MANAGER, 'manager'],
  ]) {
    await api.http.put(`/v1/members/${email}`).set(as(ADMIN)).send({ role, name: email });
  }
});
afterAll(async () => api.close());

async function poolLead(company: string): Promise<string> {
  const response = await api.http.post('/v1/leads').set(as(ADMIN)).send({ company });
  return response.body.id as string;
}

describe('edits relayed from the sheet', () => {
  it('acts as the named member and records the admin who relayed it', async () => {
    const id = await poolLead('Relay Harbour');

    const response = await api.http
      .post(`/v1/leads/${id}/assign`)
      .set(as(ADMIN))
      .set('X-Leadpool-Relay-For', MANAGER)
      .send({ toEmail: REP });

    expect(response.status).toBe(200);
    const [, assigned] = await api.store.listLeadEvents(id);
    expect(assigned).toMatchObject({ type: 'lead.assigned', actor: MANAGER, relayedBy: ADMIN });
  });

  it('holds the named member to their own role', async () => {
    const id = await poolLead('Relay Dock');

    const response = await api.http
      .post(`/v1/leads/${id}/assign`)
      .set(as(ADMIN))
      .set('X-Leadpool-Relay-For', REP)
      .send({ toEmail: REP });

    expect(response.status).toBe(403);
  });

  it('refuses a relay from anyone but an admin', async () => {
    const id = await poolLead('Relay Quay');

    const response = await api.http
      .post(`/v1/leads/${id}/assign`)
      .set(as(MANAGER))
      .set('X-Leadpool-Relay-For', REP)
      .send({ toEmail: REP });

    expect(response.status).toBe(403);
    expect((await api.store.getLead(id))?.status).toBe('pool');
  });

  it('refuses a relay for someone who is not a member', async () => {
    const response = await api.http
      .get('/v1/me')
      .set(as(ADMIN))
      .set('X-Leadpool-Relay-For', 'stranger@example.com');

    expect(response.status).toBe(403);
  });

  it('answers 400 for a relay header that is not an email', async () => {
    const response = await api.http.get('/v1/me').set(as(ADMIN)).set('X-Leadpool-Relay-For', 'x');

    expect(response.status).toBe(400);
  });
});
