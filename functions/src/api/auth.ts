import { TokenRejected, type IdTokenVerifier } from '../auth/google-token.js';
import { EmailSchema } from '../domain/member.js';
import { ApiError } from './errors.js';

/** Turns the Authorization header into a verified email, or refuses with 401. */
export type Authenticator = (authorization: string | undefined) => Promise<string>;

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (!match?.[1]) {
    throw new ApiError('UNAUTHENTICATED', 'Send a bearer token in the Authorization header');
  }

  return match[1];
}

/** Production: a Google-signed ID token whose audience is this deployment. */
export function googleAuthenticator(verify: IdTokenVerifier): Authenticator {
  return async (authorization) => {
    const token = bearerToken(authorization);
    try {
      return (await verify(token)).email;
    } catch (error) {
      if (error instanceof TokenRejected) {
        throw new ApiError('UNAUTHENTICATED', 'The identity token was not accepted', {
          reason: error.reason,
        });
      }

      throw error;
    }
  };
}

/**
 * Local development: `Bearer dev:<email>` stands for a verified token of that email. It is
 * only ever built when the configuration allows dev mode, which it refuses on Cloud
 * Functions.
 */
export function devAuthenticator(): Authenticator {
  return async (authorization) => {
    const token = bearerToken(authorization);
    const parsed = token.startsWith('dev:') ? EmailSchema.safeParse(token.slice(4)) : null;
    if (!parsed?.success) {
      throw new ApiError('UNAUTHENTICATED', 'In dev mode the bearer token is dev:<email>');
    }

    return parsed.data;
  };
}
