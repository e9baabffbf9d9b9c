import { describe, expect, it } from 'vitest';

import { ConfigError, DEV_ADMIN, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs locally on SQLite in dev auth mode when nothing is set', () => {
    const config = loadConfig({});

    expect(config.authMode).toBe('dev');
    expect(config.store).toEqual({ kind: 'sqlite', path: './.leadpool/leadpool.db' });
    expect(config.adminEmails).toEqual([DEV_ADMIN]);
    expect(config.runJobs).toBe(true);
  });

  it('defaults to Google auth and Firestore on Cloud Functions', () => {
    const config = loadConfig({ K_SERVICE: 'api', LEADPOOL_AUDIENCES: 'client-id' });

    expect(config.authMode).toBe('google');
    expect(config.store).toEqual({ kind: 'firestore' });
    expect(config.adminEmails).toEqual([]);
    expect(config.runJobs).toBe(false);
  });

  it('refuses dev auth on Cloud Functions', () => {
    expect(() => loadConfig({ K_SERVICE: 'api', AUTH_MODE: 'dev' })).toThrow(ConfigError);
  });

  it('refuses Google auth without an audience to check tokens against', () => {
    expect(() => loadConfig({ AUTH_MODE: 'google' })).toThrow(/LEADPOOL_AUDIENCES/);
  });

  it('lower-cases admin emails and refuses ones that are not emails', () => {
    expect(loadConfig({ ADMIN_EMAILS: ' Boss@Example.com ,b@example.com' }).adminEmails).toEqual([
      'boss@example.com',
      'b@example.com',
    ]);
    expect(() => loadConfig({ ADMIN_EMAILS: 'not-an-email' })).toThrow(ConfigError);
  });
});
