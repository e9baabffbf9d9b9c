import type { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createTestSigner, TEST_AUDIENCE } from '../../../test/support/id-tokens.js';
import {
  createIdTokenVerifier,
  googleCertificates,
  TokenRejected,
  type IdTokenVerifier,
} from './google-token.js';

// The library reads the clock itself, so the clock is fixed by faking Date alone.
const NOW = new Date('2025-06-02T09:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

async function reasonFor(verify: IdTokenVerifier, token: string): Promise<string> {
  const error = await verify(token).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );

  expect(error).toBeInstanceOf(TokenRejected);

  return (error as TokenRejected).reason;
}

describe('createIdTokenVerifier', () => {
  it('accepts a valid token and returns the lower-cased email', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    const identity = await verify(signer.sign({ email: 'Ana.Silva@Example.COM', sub: '42' }));

    expect(identity).toEqual({
      email: 'ana.silva@example.com',
      subject: '42',
      audience: TEST_AUDIENCE,
    });
  });

  it('accepts any one of several configured audiences', async () => {
    const signer = createTestSigner();
    const functionUrl = 'https://europe-west1-lead-pool.cloudfunctions.net/api';
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE, functionUrl],
      certificates: signer.certificates,
    });

    const fromAddOn = await verify(signer.sign());
    const fromScheduler = await verify(signer.sign({ aud: functionUrl }));

    expect(fromAddOn.audience).toBe(TEST_AUDIENCE);
    expect(fromScheduler.audience).toBe(functionUrl);
  });

  it('accepts the issuer spelled without a scheme', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    const identity = await verify(signer.sign({ iss: 'accounts.google.com' }));

    expect(identity.email).toBe('seller@example.com');
  });

  it('rejects a token signed by another key under the published key id', async () => {
    const published = createTestSigner({ kid: 'google-key-1' });
    const forger = createTestSigner({ kid: 'google-key-1' });
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: published.certificates,
    });

    expect(await reasonFor(verify, forger.sign())).toBe('signature');
  });

  it('rejects a token whose key id is not published', async () => {
    const published = createTestSigner();
    const stranger = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: published.certificates,
    });

    expect(await reasonFor(verify, stranger.sign())).toBe('signature');
  });

  it('rejects a token that expired longer ago than the allowed clock skew', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    const token = signer.sign({ iat: NOW_SECONDS - 7200, exp: NOW_SECONDS - 3600 });

    expect(await reasonFor(verify, token)).toBe('expired');
  });

  it('rejects a token meant for another audience', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    const token = signer.sign({ aud: 'someone-else.apps.googleusercontent.com' });

    expect(await reasonFor(verify, token)).toBe('audience');
  });

  it('rejects a token from another issuer', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    const token = signer.sign({ iss: 'https://issuer.example.com' });

    expect(await reasonFor(verify, token)).toBe('issuer');
  });

  it('rejects a token whose email is not verified', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    expect(await reasonFor(verify, signer.sign({ email_verified: false }))).toBe('email');
  });

  it('rejects a token without an email', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    expect(await reasonFor(verify, signer.sign({ email: undefined }))).toBe('email');
  });

  it('rejects a signed token without a subject as malformed', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: signer.certificates,
    });

    expect(await reasonFor(verify, signer.sign({ sub: undefined }))).toBe('malformed');
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'not-a-token'],
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['segments that are not JSON', 'abc.def.ghi'],
    ['a header that is JSON null', 'bnVsbA.e30.c2ln'],
  ])('rejects %s as malformed', async (_name, garbage) => {
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: async () => ({}),
    });

    expect(await reasonFor(verify, garbage)).toBe('malformed');
  });

  it('rejects a value that is not a string as malformed', async () => {
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: async () => ({}),
    });

    expect(await reasonFor(verify, undefined as unknown as string)).toBe('malformed');
  });

  it('keeps the token out of the rejection message', async () => {
    const signer = createTestSigner();
    const verify = createIdTokenVerifier({
      audiences: ['another-audience'],
      certificates: signer.certificates,
    });
    const token = signer.sign();

    const error = await verify(token).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TokenRejected);
    expect(String((error as Error).message)).not.toContain(token.split('.')[1]);
  });

  it('propagates a failure of the certificate source unchanged', async () => {
    const signer = createTestSigner();
    const outage = new Error('Failed to retrieve verification certificates: ECONNRESET');
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: () => Promise.reject(outage),
    });

    await expect(verify(signer.sign())).rejects.toBe(outage);
  });

  it('propagates an unreadable certificate instead of blaming the token', async () => {
    const signer = createTestSigner({ kid: 'google-key-1' });
    const verify = createIdTokenVerifier({
      audiences: [TEST_AUDIENCE],
      certificates: async () => ({ 'google-key-1': 'not a PEM' }),
    });

    const error = await verify(signer.sign()).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TokenRejected);
  });

  it('refuses to be created without an audience', () => {
    expect(() => createIdTokenVerifier({ audiences: [] })).toThrow(/at least one audience/);
  });
});

describe('googleCertificates', () => {
  // A fake of the one method used, so no test ever reaches Google.
  function clientServing(certs: Record<string, unknown>): OAuth2Client {
    return { getFederatedSignonCertsAsync: async () => ({ certs }) } as unknown as OAuth2Client;
  }

  it('passes the PEMs Google publishes through by key id', async () => {
    const certificates = googleCertificates(clientServing({ 'google-key-1': 'PEM TEXT' }));

    expect(await certificates()).toEqual({ 'google-key-1': 'PEM TEXT' });
  });

  it('fails as a server fault when the keys arrive as JWKs', async () => {
    const certificates = googleCertificates(clientServing({ 'google-key-1': { kty: 'RSA' } }));

    await expect(certificates()).rejects.toThrow(/JWK/);
  });
});
