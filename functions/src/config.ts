import * as z from 'zod';

import { EmailSchema } from './domain/member.js';

const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

const EnvSchema = z.object({
  K_SERVICE: z.string().optional(),
  AUTH_MODE: z.enum(['dev', 'google']).optional(),
  LEADPOOL_STORE: z.enum(['sqlite', 'firestore']).optional(),
  LEADPOOL_DB: z.string().default('./.leadpool/leadpool.db'),
  ADMIN_EMAILS: list.pipe(z.array(EmailSchema)),
  LEADPOOL_AUDIENCES: list,
  LEADPOOL_SCHEDULER_EMAILS: list.pipe(z.array(EmailSchema)),
  LEADPOOL_LOG: z.enum(['json', 'silent']).default('json'),
  LEADPOOL_RUN_JOBS: z.enum(['true', 'false']).optional(),
  LEADPOOL_TEAM: z.string().trim().min(1).max(100).optional(),
  GOOGLE_CLOUD_PROJECT: z.string().optional(),
});

export type Config = {
  authMode: 'dev' | 'google';
  store: { kind: 'sqlite'; path: string } | { kind: 'firestore' };
  adminEmails: string[];
  /** The token audiences accepted in google mode: the add-on's OAuth client id(s). */
  audiences: string[];
  /** The service account(s) Cloud Scheduler signs its OIDC tokens as. */
  schedulerEmails: string[];
  /** Run the scheduled jobs in this process, as a local install has no Cloud Scheduler. */
  runJobs: boolean;
  /** Names the team in the QC sample's seed. */
  team: string;
  quiet: boolean;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEV_ADMIN = 'admin@example.com';

/**
 * Reads the environment. On Cloud Functions (where K_SERVICE is set) the defaults are the
 * production ones, and dev auth is refused outright: a token of the form dev:<email>
 * must never be accepted by a deployed function.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }

  const vars = parsed.data;
  const deployed = vars.K_SERVICE !== undefined;
  const authMode = vars.AUTH_MODE ?? (deployed ? 'google' : 'dev');
  if (authMode === 'dev' && deployed) {
    throw new ConfigError('AUTH_MODE=dev is refused on Cloud Functions (K_SERVICE is set)');
  }

  if (authMode === 'google' && vars.LEADPOOL_AUDIENCES.length === 0) {
    throw new ConfigError('AUTH_MODE=google needs LEADPOOL_AUDIENCES: the OAuth client id(s)');
  }

  const storeKind = vars.LEADPOOL_STORE ?? (deployed ? 'firestore' : 'sqlite');

  // A local install with no configuration still has someone who can add the team.
  const adminEmails =
    vars.ADMIN_EMAILS.length === 0 && authMode === 'dev' ? [DEV_ADMIN] : vars.ADMIN_EMAILS;

  return {
    authMode,
    store:
      storeKind === 'sqlite' ? { kind: 'sqlite', path: vars.LEADPOOL_DB } : { kind: storeKind },
    adminEmails,
    audiences: vars.LEADPOOL_AUDIENCES,
    schedulerEmails: vars.LEADPOOL_SCHEDULER_EMAILS,
    runJobs: vars.LEADPOOL_RUN_JOBS ? vars.LEADPOOL_RUN_JOBS === 'true' : !deployed,
    team: vars.LEADPOOL_TEAM ?? vars.GOOGLE_CLOUD_PROJECT ?? 'leadpool',
    quiet: vars.LEADPOOL_LOG === 'silent',
  };
}
