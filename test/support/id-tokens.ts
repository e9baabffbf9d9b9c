import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';

import type { CertificateSource } from '../../functions/src/auth/google-token.js';

/** The audience every test token carries unless a test says otherwise. */
export const TEST_AUDIENCE = 'lead-pool-test.apps.googleusercontent.com';

export type TestSigner = {
  /** Publishes this signer's public key, as Google publishes its own. */
  certificates: CertificateSource;
  /** A Google-shaped ID token; a claim given as undefined is left out. */
  sign(claims?: Record<string, unknown>): string;
};

/** Mints RS256 ID tokens with a fresh key pair, entirely offline. */
export function createTestSigner(options: { kid?: string } = {}): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const kid = options.kid ?? randomUUID();

  return {
    certificates: async () => ({ [kid]: publicPem }),

    sign(claims = {}) {
      // Read at signing time so a test that fakes the clock gets tokens for its own now.
      const now = Math.floor(Date.now() / 1000);

      const header = { alg: 'RS256', typ: 'JWT', kid };
      const payload = {
        iss: 'https://accounts.google.com',
        aud: TEST_AUDIENCE,
        sub: '104872630519283746501',
        email: 'seller@example.com',
        email_verified: true,
        iat: now,
        exp: now + 3600,
        ...claims,
      };

      const signed = `${encode(header)}.${encode(payload)}`;
      const signature = createSign('RSA-SHA256').update(signed).sign(privateKey);

      return `${signed}.${signature.toString('base64url')}`;
    },
  };
}

function encode(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}
