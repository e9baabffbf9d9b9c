import * as functions from '@google-cloud/functions-framework';

import { answerFrameworkErrorsAsJson, httpFunction } from './api/express.js';
import { loadConfig } from './config.js';
import { jsonLogger } from './log.js';
import { createRuntime, type Runtime } from './runtime.js';

answerFrameworkErrorsAsJson();

const config = loadConfig(process.env);

/** Resolves once the store is open and the first admins exist; requests wait for it. */
export const ready: Promise<Runtime> = createRuntime(config);

ready.then(
  () => {
    if (config.authMode !== 'dev') return;

    const port = process.env.PORT ?? '8080';
    const admin = config.adminEmails[0] ?? 'admin@example.com';
    jsonLogger('NOTICE', 'Lead Pool is serving in dev auth mode', {
      url: `http://localhost:${port}`,
      store: config.store,
      tryThis: `curl -H 'Authorization: Bearer dev:${admin}' http://localhost:${port}/v1/me`,
    });
  },
  (error: unknown) => {
    jsonLogger('CRITICAL', 'Lead Pool could not start', { error: String(error) });
  },
);

functions.http(
  'api',
  httpFunction(async () => (await ready).api),
);
