import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The API as Cloud Functions runs it: the Functions Framework's own command line loading
// the entry, so what the framework does before our code runs is part of what is tested.
let server: ChildProcess;
let base: string;
let dir: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadpool-framework-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'node_modules/@google-cloud/functions-framework/build/src/main.js',
      '--target=api',
      '--source=functions/src/index.ts',
      `--port=${port}`,
    ],
    {
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

  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await fetch(`${base}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;

    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('The Functions Framework did not start serving the API');
});

afterAll(() => {
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the API under the Functions Framework command line', () => {
  it('answers a body the framework cannot parse with the JSON error envelope', async () => {
    const response = await fetch(`${base}/v1/leads`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer dev:admin@example.com',
        'Content-Type': 'application/json',
      },
      body: '{"company":',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'INVALID_REQUEST',
    );
  });

  it('serves the first admin from ADMIN_EMAILS defaults in dev mode', async () => {
    const response = await fetch(`${base}/v1/me`, {
      headers: { Authorization: 'Bearer dev:admin@example.com' },
    });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { member: { role: string } }).member.role).toBe('admin');
  });
});
