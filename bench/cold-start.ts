/**
 * The deployed entry's cold start against a floor no Firestore function can go below:
 * loading the Functions Framework and the Firestore client and constructing the client.
 * Both are whole `node` processes, so runtime boot and module loading are counted alike.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { median, round, type BenchReport } from './metrics.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const RUNS = 21;

// Constructing a Firestore client opens no connection, and with ADMIN_EMAILS unset the
// entry makes no Firestore request while starting (test/entry.test.ts records them: none),
// so neither process needs a network or credentials. With first admins to ensure, startup
// would wait on Firestore and this would time the network instead.
const PRODUCTION_ENV = {
  PATH: process.env.PATH ?? '',
  LEADPOOL_STORE: 'firestore',
  AUTH_MODE: 'google',
  LEADPOOL_AUDIENCES: 'x',
  GOOGLE_CLOUD_PROJECT: 'demo-bench',
  K_SERVICE: 'bench',
  LEADPOOL_LOG: 'silent',
};

const ENTRY_SCRIPT = `const { ready } = await import(${JSON.stringify(pathToFileURL(ENTRY).href)});
await ready;`;

const FLOOR_SCRIPT = `await import('@google-cloud/functions-framework');
const { Firestore } = await import('@google-cloud/firestore');
new Firestore();`;

/** Milliseconds from spawning `node -e script` to the process exiting. */
function wallTime(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: PRODUCTION_ENV,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`A cold start exited with ${code}:\n${stderr}`));
    });
  });
}

export async function coldStart(): Promise<BenchReport> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);

  // One unrecorded run each fills the file cache; then the two alternate so that any drift
  // in machine load falls on both alike.
  await wallTime(ENTRY_SCRIPT);
  await wallTime(FLOOR_SCRIPT);
  const entry: number[] = [];
  const floor: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    entry.push(await wallTime(ENTRY_SCRIPT));
    floor.push(await wallTime(FLOOR_SCRIPT));
  }

  const entryMs = median(entry);
  const floorMs = median(floor);

  return {
    metrics: [
      {
        name: 'coldstart.vs_floor',
        value: round(entryMs / floorMs, 3),
        goal: { op: '<=', target: 1.3 },
      },
      { name: 'coldstart.entry_ms', value: round(entryMs, 1), goal: null },
      { name: 'coldstart.floor_ms', value: round(floorMs, 1), goal: null },
    ],
    notes: [
      `Whole-process wall time, median of ${RUNS} runs each, alternating: the built entry ` +
        `awaiting \`ready\` in production mode (Firestore, google auth) against a process ` +
        'that only imports the Functions Framework and Firestore and constructs a client.',
      'Neither side loads Express: importing the framework does not, and the entry only ' +
        'patches it when the framework has loaded it already. The phone-number metadata and ' +
        'google-auth-library load on first use, not at start.',
    ],
  };
}
