import { devAuthenticator, googleAuthenticator } from './api/auth.js';
import { createApi, type Api } from './api/handler.js';
import type { ApiDeps } from './api/router.js';
import { randomId } from './app/ids.js';
import { ensureAdmins } from './app/team.js';
import { createIdTokenVerifier } from './auth/google-token.js';
import type { Config } from './config.js';
import { startLocalScheduler } from './jobs/local-scheduler.js';
import { jsonLogger, silentLogger } from './log.js';
import type { Store } from './store/port.js';

/** Each adapter is loaded only when chosen: a deployed function never loads SQLite. */
export async function openStore(config: Config): Promise<Store> {
  if (config.store.kind === 'sqlite') {
    const { SqliteStore } = await import('./store/sqlite.js');
    return new SqliteStore(config.store.path);
  }

  const [{ Firestore }, { FirestoreStore }] = await Promise.all([
    import('@google-cloud/firestore'),
    import('./store/firestore.js'),
  ]);
  return new FirestoreStore(new Firestore());
}

export type Runtime = { api: Api; store: Store; deps: ApiDeps; close(): Promise<void> };

/** Everything a server needs, built from configuration, with the first admins in place. */
export async function createRuntime(config: Config, store?: Store): Promise<Runtime> {
  const log = config.quiet ? silentLogger : jsonLogger;
  const opened = store ?? (await openStore(config));
  const authenticate =
    config.authMode === 'dev'
      ? devAuthenticator()
      : googleAuthenticator(createIdTokenVerifier({ audiences: config.audiences }));
  const deps: ApiDeps = {
    store: opened,
    authenticate,
    newId: randomId,
    log,
    clock: () => new Date(),
    devMode: config.authMode === 'dev',
    schedulerEmails: config.schedulerEmails,
    team: config.team,
  };

  const added = await ensureAdmins(opened, config.adminEmails, deps.clock(), randomId);
  if (added.length > 0) log('NOTICE', 'Added the first admins', { emails: added });

  const scheduler = config.runJobs ? startLocalScheduler(deps, deps.clock) : null;

  return {
    api: createApi(deps),
    store: opened,
    deps,
    close: async () => {
      scheduler?.stop();
      await opened.close();
    },
  };
}
