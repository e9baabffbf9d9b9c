import * as z from 'zod';

import { ApiError, invalidRequest, unreadableBody } from './errors.js';

/** A request as the API sees it, whatever server delivered it. */
export type ApiRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  rawBody: Buffer | undefined;
  /** A body arrived that the server could not read, e.g. one sent with no Content-Type. */
  bodyUnreadable?: boolean;
};

export type ApiResponse = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
};

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_IMPORT_BODY_BYTES = 2 * 1024 * 1024;

/** The JSON body checked against `schema`; an absent body reads as `{}`. */
export function parseBody<T>(
  request: ApiRequest,
  schema: z.ZodType<T>,
  maxBytes = MAX_BODY_BYTES,
): T {
  if (request.bodyUnreadable) throw unreadableBody('Send the body as application/json');

  const raw = request.rawBody ?? Buffer.alloc(0);
  if (raw.length > maxBytes) {
    throw new ApiError('PAYLOAD_TOO_LARGE', `The body is larger than ${maxBytes} bytes`, {
      maxBytes,
    });
  }

  let json: unknown = {};
  if (raw.length > 0) {
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw unreadableBody('The body is not valid JSON');
    }
  }

  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidRequest(parsed.error, 'request body');

  return parsed.data;
}

export function parseQuery<T>(request: ApiRequest, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(Object.fromEntries(request.query));
  if (!parsed.success) throw invalidRequest(parsed.error, 'query string');

  return parsed.data;
}
