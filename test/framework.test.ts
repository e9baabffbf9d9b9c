import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildFunctions } from '../scripts/build-functions.js';
import { freeLoopbackPort } from './support/loopback.js';

// The API as Cloud Functions runs it: the Functions Framework's own command line loading
// the entry, so what the framework does before our code runs is part of what is tested.
// Both forms run: the TypeScript source, and the bundle `npm run build` makes for
// deployment and `npm start`, whose lazily loaded chunks and package lookups must still
// resolve from where the bundle lies.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FRAMEWORK = join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

/** Inside the project, so the bundle finds node_modules; apart from the real dist/. */
const BUNDLE_DIR = join(ROOT, 'node_modules/.cache/leadpool-framework-test');

const ADMIN = { Authorization: 'Bearer dev:admin@example.com' };

type Served = { base: string; stop(): void };

async function serve(nodeArgs: string[], source: string): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-framework-'));
  const port = await freeLoopbackPort();
  const base = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, FRAMEWORK, '--target=api', `--source=${source}`, `--port=${port}`],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        LEADPOOL_DB: join(dir, 'leadpool.db'),
        LEADPOOL_RUN_JOBS: 'false',
        LEADPOOL_LOG: 'silent',
        AUTH_MODE: 'dev',
      },
      stdio: 'ignore',
    },
  );
  const stop = () => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  };

  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await fetch(`${base}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { base, stop };

    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`The Functions Framework did not start serving ${source}`);
}

const FORMS = [
  {
    form: 'the TypeScript source',
    start: () => serve(['--import', 'tsx'], join(ROOT, 'functions/src/index.ts')),
  },
  {
    form: 'the built bundle',
    start: async () => serve([], await buildFunctions(BUNDLE_DIR)),
  },
];

describe.each(FORMS)('the API under the Functions Framework command line, from $form', (f) => {
  let served: Served;

  beforeAll(async () => {
    served = await f.start();
  }, 60_000);

  afterAll(() => served?.stop());

  it('answers a body the framework cannot parse with the JSON error envelope', async () => {
    const response = await fetch(`${served.base}/v1/leads`, {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: '{"company":',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'INVALID_REQUEST',
    );
  });

  it('serves the first admin from ADMIN_EMAILS defaults in dev mode', async () => {
    const response = await fetch(`${served.base}/v1/me`, { headers: ADMIN });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { member: { role: string } }).member.role).toBe('admin');
  });

  // A phone number is checked by libphonenumber-js, which loads on first use.
  it('creates a lead, normalising its phone number, and refuses its duplicate', async () => {
    const create = () =>
      fetch(`${served.base}/v1/leads`, {
        method: 'POST',
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
        body: JSON.stringify({ company: 'Star Harbour Trading', phone: '138 0013 8000' }),
      });

    const created = await create();
    const duplicate = await create();

    expect(created.status).toBe(201);
    expect(duplicate.status).toBe(409);
    expect(((await duplicate.json()) as { error: { code: string } }).error.code).toBe(
      'DUPLICATE_LEAD',
    );
  });
});
