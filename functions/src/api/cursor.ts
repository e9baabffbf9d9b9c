import * as z from 'zod';

import { ApiError } from './errors.js';

/**
 * A list's position as the opaque `cursor` the API hands out: callers pass it back
 * unchanged, so its fields can change without changing the API.
 */
export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor of `encodeCursor` holds, or a 400 for anything else. */
export function decodeCursor<T>(schema: z.ZodType<T>, cursor: string | undefined): T | null {
  if (cursor === undefined) return null;

  try {
    const json: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through to the same answer as a cursor of the wrong shape.
  }

  throw new ApiError('INVALID_REQUEST', 'The cursor is not one this list gave out', {
    issues: [{ path: 'cursor', message: 'Not a cursor of this list', code: 'invalid_cursor' }],
  });
}
