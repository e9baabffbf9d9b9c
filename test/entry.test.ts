import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(ROOT, 'functions/src/index.ts');
const HOOKS = join(ROOT, 'test/support/resolve-log-hooks.mjs');

/** What a deployed function sees, minus the inherited environment of the test runner. */
const PRODUCTION = {
  LEADPOOL_STORE: 'firestore',
  AUTH_MODE: 'google',
  LEADPOOL_AUDIENCES: 'lead-pool-test.apps.googleusercontent.com',
  GOOGLE_CLOUD_PROJECT: 'demo-entry',
  K_SERVICE: 'api',
  LEADPOOL_LOG: 'silent',
};

/**
 * Loads the entry and awaits `ready`, recording every module the ESM loader resolves (a
 * hook) and every module CommonJS required (require.cache): a package loaded by `require`
 * inside a dependency never passes the ESM hook. Firestore's three doors to the network are
 * replaced first by stubs that record the call and fail at once, so no test needs a network.
 * It exits once it has written what it saw: the entry itself may keep timers running.
 */
const CHILD = `
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const [entry, hooks, resolveLog, resultFile] = process.argv.slice(1);
register(pathToFileURL(hooks), { data: { logFile: resolveLog } });

const require = createRequire(entry);
const { Firestore } = require('@google-cloud/firestore');
const firestoreCalls = [];
for (const name of ['initializeIfNeeded', 'request', 'requestStream']) {
  Firestore.prototype[name] = async function () {
    firestoreCalls.push(name);
    throw new Error('Firestore is offline in this test');
  };
}

const { ready } = await import(pathToFileURL(entry).href);
const startError = await ready.then(() => null, (error) => String(error));
const required = Object.keys(require.cache);
writeFileSync(resultFile, JSON.stringify({ required, firestoreCalls, startError }));
process.exit(0);
`;

type Run = { code: number | null; stderr: string };

function node(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

type Startup = { modules: string[]; firestoreCalls: string[]; startError: string | null };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function startEntry(env: Record<string, string>): Promise<Startup> {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-entry-'));
  dirs.push(dir);
  const resolveLog = join(dir, 'resolved.txt');
  const resultFile = join(dir, 'result.json');

  const run = await node(
    ['--import', 'tsx', '--input-type=module', '-e', CHILD, ENTRY, HOOKS, resolveLog, resultFile],
    { LEADPOOL_DB: join(dir, 'leadpool.db'), ...env },
  );
  if (run.code !== 0) throw new Error(`The entry did not start:\n${run.stderr}`);

  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as Omit<Startup, 'modules'> & {
    required: string[];
  };
  const resolved = readFileSync(resolveLog, 'utf8').split('\n').filter(Boolean);

  return {
    modules: [...resolved, ...result.required],
    firestoreCalls: result.firestoreCalls,
    startError: result.startError,
  };
}

const loaded = (modules: string[], fragment: string) => modules.some((m) => m.includes(fragment));

describe('the deployed entry in production mode', () => {
  let startup: Startup;
  beforeAll(async () => {
    startup = await startEntry(PRODUCTION);
  });

  it('becomes ready', () => {
    expect(startup.startError).toBeNull();
  });

  it('never loads the googleapis package, which costs over a second to import', () => {
    expect(startup.modules.filter((m) => m.includes('/node_modules/googleapis/'))).toEqual([]);
  });

  it('never loads the Sheets client, which only the sheet sync loads', () => {
    expect(loaded(startup.modules, '/node_modules/@googleapis/sheets/')).toBe(false);
    expect(loaded(startup.modules, '/node_modules/googleapis-common/')).toBe(false);
  });

  it('never loads the SQLite adapter or better-sqlite3', () => {
    expect(loaded(startup.modules, '/node_modules/better-sqlite3/')).toBe(false);
    expect(loaded(startup.modules, '/functions/src/store/sqlite.')).toBe(false);
  });

  it('loads the Firestore adapter', () => {
    expect(loaded(startup.modules, '/functions/src/store/firestore.')).toBe(true);
  });

  it('makes no Firestore call while starting when no first admins are configured', () => {
    expect(startup.firestoreCalls).toEqual([]);
  });
});

// The checks above pass trivially if the recording misses what it looks for; these show
// that it does see a native SQLite load and a Firestore call when they happen.
describe('the recording of a startup', () => {
  it('sees better-sqlite3 load when the entry runs on SQLite', async () => {
    const startup = await startEntry({
      LEADPOOL_STORE: 'sqlite',
      AUTH_MODE: 'dev',
      LEADPOOL_RUN_JOBS: 'false',
    });

    expect(loaded(startup.modules, '/node_modules/better-sqlite3/')).toBe(true);
  });

  it('sees a Firestore call when first admins must be ensured', async () => {
    const startup = await startEntry({ ...PRODUCTION, ADMIN_EMAILS: 'ana@example.com' });

    expect(startup.firestoreCalls).not.toEqual([]);
    expect(startup.startError).toMatch(/offline in this test/);
  });
});

describe('the entry on Cloud Functions', () => {
  it('refuses to start in dev auth mode, naming the reason', async () => {
    const importEntry = `await import(${JSON.stringify(pathToFileURL(ENTRY).href)})`;

    const run = await node(['--import', 'tsx', '--input-type=module', '-e', importEntry], {
      ...PRODUCTION,
      AUTH_MODE: 'dev',
    });

    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('AUTH_MODE=dev is refused on Cloud Functions (K_SERVICE is set)');
  });
});
