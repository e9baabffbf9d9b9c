import type { OAuth2Client } from 'google-auth-library';
import * as z from 'zod';

/** Key id to PEM: an X.509 certificate or an SPKI public key. */
export type CertificateSource = () => Promise<Record<string, string>>;

export type VerifiedIdentity = { email: string; subject: string; audience: string };

export type IdTokenVerifier = (token: string) => Promise<VerifiedIdentity>;

export type IdTokenVerifierOptions = {
  /** The add-on's OAuth client id for Apps Script tokens, the function URL for Scheduler's. */
  audiences: string[];
  certificates?: CertificateSource;
  issuers?: string[];
};

/** Every reason a token is refused. The HTTP edge answers all of them with a 401. */
export const REJECTION_REASONS = [
  'malformed',
  'signature',
  'expired',
  'audience',
  'issuer',
  'email',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
  readonly reason: RejectionReason;

  constructor(reason: RejectionReason) {
    super(`ID token rejected: ${reason}`);
    this.reason = reason;
  }
}

const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

// The library throws plain Errors, so the start of the message is all that tells the
// failures apart. Anything not listed here (bad JSON, missing iat or exp, an iat in the
// future, a lifetime over a day) is a token Google would never issue: 'malformed'.
const REASON_BY_MESSAGE: [prefix: string, reason: RejectionReason][] = [
  ['Invalid token signature', 'signature'],
  // An unknown key id cannot be checked at all, which for the caller is a bad signature.
  ['No pem found for envelope', 'signature'],
  ['Token used too late', 'expired'],
  ['Invalid issuer', 'issuer'],
  ['Wrong recipient', 'audience'],
];

const identityClaims = z.object({ sub: z.string().min(1), aud: z.string().min(1) });

const emailClaims = z.object({ email: z.string().min(1), email_verified: z.literal(true) });

type Verifier = Pick<OAuth2Client, 'verifySignedJwtWithCertsAsync'>;
type CertificateFetcher = Pick<OAuth2Client, 'getFederatedSignonCertsAsync'>;

let sharedClient: Promise<OAuth2Client> | null = null;

/** Loaded on the first token, not at start: a cold start should not wait for it. */
function oauthClient(): Promise<OAuth2Client> {
  sharedClient ??= import('google-auth-library').then((library) => new library.OAuth2Client());

  return sharedClient;
}

/** Google's published signing certificates, refetched when the response's max-age runs out. */
export function googleCertificates(client?: CertificateFetcher): CertificateSource {
  return async () => {
    const fetcher = client ?? (await oauthClient());
    const { certs } = await fetcher.getFederatedSignonCertsAsync();

    // The library fetches JWKs instead of PEMs when it finds browser crypto; the verifier
    // below would then fail every token, so say so here as the server fault it is.
    const pems: Record<string, string> = {};
    for (const [kid, cert] of Object.entries(certs)) {
      if (typeof cert !== 'string') {
        throw new Error(`Google certificate ${kid} arrived as a JWK, not a PEM`);
      }
      pems[kid] = cert;
    }

    return pems;
  };
}

export function createIdTokenVerifier(options: IdTokenVerifierOptions): IdTokenVerifier {
  // An empty list would refuse every caller with 'audience' and hide the misconfiguration.
  if (options.audiences.length === 0) {
    throw new Error('createIdTokenVerifier needs at least one audience');
  }

  const certificates = options.certificates ?? googleCertificates();
  const audiences = [...options.audiences];
  const issuers = [...(options.issuers ?? GOOGLE_ISSUERS)];

  return async (token) => {
    if (typeof token !== 'string') {
      throw new TokenRejected('malformed');
    }

    // Outside the try: a failed fetch is our fault, not the caller's.
    const certs = await certificates();

    const client: Verifier = await oauthClient();
    let payload: unknown;
    try {
      const ticket = await client.verifySignedJwtWithCertsAsync(token, certs, audiences, issuers);
      payload = ticket.getPayload();
    } catch (error) {
      throw rejectionFor(error);
    }

    const identity = identityClaims.safeParse(payload);
    if (!identity.success) {
      throw new TokenRejected('malformed');
    }

    const email = emailClaims.safeParse(payload);
    if (!email.success) {
      throw new TokenRejected('email');
    }

    return {
      email: email.data.email.toLowerCase(),
      subject: identity.data.sub,
      audience: identity.data.aud,
    };
  };
}

// The library's messages embed the whole token or its payload, so the rejection carries
// only the reason: a logged rejection must not leak a token that is valid elsewhere.
function rejectionFor(error: unknown): Error {
  if (isKeyFault(error)) {
    return error;
  }

  const message = error instanceof Error ? error.message : '';
  const match = REASON_BY_MESSAGE.find(([prefix]) => message.startsWith(prefix));

  return new TokenRejected(match ? match[1] : 'malformed');
}

// Node's crypto throws only when it cannot use the key; a forged or mangled signature
// just fails to verify. A PEM it cannot read is therefore a server fault, not a bad token.
function isKeyFault(error: unknown): error is Error {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    /^ERR_(OSSL|CRYPTO)_/.test(error.code)
  );
}
