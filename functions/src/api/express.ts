import { createRequire } from 'node:module';

import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';

import { jsonLogger } from '../log.js';
import { errorBody, unreadableBody } from './errors.js';
import type { Api } from './handler.js';
import type { ApiRequest } from './request.js';

/** Adapts the API to the request and response objects of the Functions Framework. */
export function httpFunction(api: () => Promise<Api>): HttpFunction {
  return async (req: Request, res: Response) => {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }

    const queryStart = req.originalUrl.indexOf('?');
    const request: ApiRequest = {
      method: req.method,
      path: req.path,
      query: new URLSearchParams(queryStart < 0 ? '' : req.originalUrl.slice(queryStart + 1)),
      headers,
      rawBody: req.rawBody,
      // The framework keeps the raw body only when a Content-Type names how to parse it; a
      // body sent without one must be refused, not read as empty.
      bodyUnreadable: req.rawBody === undefined && sentBody(headers),
    };

    const response = await (await api())(request);
    res
      .status(response.status)
      .set(response.headers ?? {})
      .json(response.body);
  };
}

function sentBody(headers: Record<string, string | undefined>): boolean {
  const length = Number(headers['content-length'] ?? 0);

  return length > 0 || headers['transfer-encoding'] !== undefined;
}

type ExpressApplication = {
  handle(req: unknown, res: ServerLike, callback?: (error?: unknown) => void): void;
};

type ServerLike = {
  headersSent: boolean;
  statusCode: number;
  setHeader(name: string, value: string): void;
  end(body: string): void;
};

let installed = false;

/**
 * The Functions Framework parses JSON bodies before the function runs and answers a body it
 * cannot parse with an HTML error page. This gives such requests the API's JSON error
 * instead, by handing the framework's Express app a final handler of ours. It patches the
 * Express copy the framework itself loads, and must run before the framework builds its app.
 *
 * The framework's command line loads Express before it loads the function, so the patch is
 * free there. Elsewhere Express is only loaded when `load` asks for it (a test server does),
 * so a cold start that has not loaded it yet does not pay for it.
 */
export function answerFrameworkErrorsAsJson(options: { load?: boolean } = {}): boolean {
  if (installed) return true;

  const fromHere = createRequire(import.meta.url);
  const fromFramework = createRequire(fromHere.resolve('@google-cloud/functions-framework'));
  const expressPath = fromFramework.resolve('express');
  if (!options.load && !fromFramework.cache[expressPath]) return false;

  const express = fromFramework(expressPath) as { application: ExpressApplication };
  const handle = express.application.handle;
  express.application.handle = function (req, res, callback) {
    handle.call(this, req, res, callback ?? ((error) => finalAnswer(error, res)));
  };
  installed = true;

  return true;
}

function finalAnswer(error: unknown, res: ServerLike): void {
  if (res.headersSent) return;

  const { status, body } = answerFor(error);
  jsonLogger(status >= 500 ? 'ERROR' : 'WARNING', 'request refused by the framework', {
    status,
    error: error instanceof Error ? (status >= 500 ? error.stack : error.message) : String(error),
  });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function answerFor(error: unknown): { status: number; body: unknown } {
  if (error === undefined) return { status: 404, body: errorBody('NOT_FOUND', 'No such route') };

  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large') {
    return { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', 'The body is too large') };
  }

  // Body parser failures and undecodable paths carry a 4xx status: the request is at fault.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message =
      type === 'entity.parse.failed'
        ? 'The body is not valid JSON'
        : 'The request could not be read';
    const refusal = unreadableBody(message);
    return { status: 400, body: errorBody(refusal.code, refusal.message, refusal.details) };
  }

  return { status: 500, body: errorBody('INTERNAL', 'Internal error') };
}
