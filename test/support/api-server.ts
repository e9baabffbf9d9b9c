import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';

import {
  devAuthenticator,
  googleAuthenticator,
  type Authenticator,
} from '../../functions/src/api/auth.js';
import { answerFrameworkErrorsAsJson, httpFunction } from '../../functions/src/api/express.js';
import { createApi } from '../../functions/src/api/handler.js';
import type { ApiDeps } from '../../functions/src/api/router.js';
import { randomId } from '../../functions/src/app/ids.js';
import { ensureAdmins } from '../../functions/src/app/team.js';
import { createIdTokenVerifier } from '../../functions/src/auth/google-token.js';
import type { LogFields, Severity } from '../../functions/src/log.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { createTestSigner, TEST_AUDIENCE, type TestSigner } from './id-tokens.js';

export const ADMIN = 'admin@example.com';

/** The scheduler's service account, as the test API is configured to recognise it. */
export const SCHEDULER = 'scheduler@leadpool-test.iam.gserviceaccount.com';

export type LogLine = { severity: Severity; message: string } & LogFields;

export type TestApi = {
  /** supertest against the Functions Framework's own server for this API. */
  http: ReturnType<typeof request>;
  store: SqliteStore;
  logs: LogLine[];
  signer: TestSigner;
  close(): Promise<void>;
};

let registered = 0;

/**
 * The API registered with the Functions Framework over a fresh SQLite file, with ADMIN as
 * the first admin. `auth: 'google'` verifies real RS256 tokens signed by a test key.
 */
export async function startTestApi(options: { auth?: 'dev' | 'google' } = {}): Promise<TestApi> {
  answerFrameworkErrorsAsJson({ load: true });

  const dir = mkdtempSync(join(tmpdir(), 'leadpool-api-'));
  const store = new SqliteStore(join(dir, 'leadpool.db'));
  const logs: LogLine[] = [];
  const signer = createTestSigner();
  const authenticate: Authenticator =
    options.auth === 'google'
      ? googleAuthenticator(
          createIdTokenVerifier({ audiences: [TEST_AUDIENCE], certificates: signer.certificates }),
        )
      : devAuthenticator();
  const deps: ApiDeps = {
    store,
    authenticate,
    newId: randomId,
    log: (severity, message, fields = {}) => logs.push({ severity, message, ...fields }),
    clock: () => new Date(),
    devMode: options.auth !== 'google',
    schedulerEmails: [SCHEDULER],
  };
  await ensureAdmins(store, [ADMIN], deps.clock(), randomId);

  const api = createApi(deps);
  const name = `api-test-${++registered}`;
  functions.http(
    name,
    httpFunction(async () => api),
  );

  return {
    http: request(getTestServer(name)),
    store,
    logs,
    signer,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Authorization header of a member in dev auth mode. */
export function as(email: string): { Authorization: string } {
  return { Authorization: `Bearer dev:${email}` };
}
