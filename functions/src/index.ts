import * as functions from '@google-cloud/functions-framework';

import { answerFrameworkErrorsAsJson, httpFunction } from './api/express.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { jsonLogger } from './log.js';
import { createRuntime, type Runtime } from './runtime.js';

answerFrameworkErrorsAsJson();

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    // Said as a log line of its own: the framework would report it as a syntax error.
    if (error instanceof ConfigError) {
      jsonLogger('CRITICAL', 'Lead Pool is misconfigured and will not start', {
        error: error.message,
      });
    }
    throw error;
  }
}

const config = configOrExit();
const log = config.quiet ? () => {} : jsonLogger;

let starting: Promise<Runtime> | null = null;

/**
 * The runtime, started on first use. A start that fails (the store unreachable, say) is
 * forgotten, so the next request tries again instead of the instance failing until it is
 * recycled.
 */
function runtime(): Promise<Runtime> {
  starting ??= createRuntime(config).catch((error: unknown) => {
    starting = null;
    jsonLogger('CRITICAL', 'Lead Pool could not start', { error: String(error) });
    throw error;
  });

  return starting;
}

/** Resolves once the store is open and the first admins exist; requests wait for it. */
export const ready: Promise<Runtime> = runtime();

ready.then(
  () => {
    if (config.authMode !== 'dev') return;

    const port = process.env.PORT ?? '8080';
    const admin = config.adminEmails[0] ?? 'admin@example.com';
    log('NOTICE', 'Lead Pool is serving in dev auth mode', {
      url: `http://localhost:${port}`,
      store: config.store,
      tryThis: `curl -H 'Authorization: Bearer dev:${admin}' http://localhost:${port}/v1/me`,
    });
  },
  // Already logged; requests will start it again.
  () => {},
);

functions.http(
  'api',
  httpFunction(async () => (await runtime()).api),
);
