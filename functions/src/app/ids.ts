import { randomBytes } from 'node:crypto';

// Crockford's base32: no I, L, O or U, so an id read aloud or typed from a sheet survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A random id of `length` characters (60 bits at the default 12): short enough for a sheet. */
export function randomId(length = 12): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31];

  return id;
}
