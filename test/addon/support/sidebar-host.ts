import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Addon } from './sandbox.js';

/**
 * Stands in for Apps Script's side of google.script.run in a browser page. It is injected
 * before the page's own scripts and, like the real one, calls the handlers asynchronously
 * with the server function's return value or an Error carrying the thrown message.
 */
export const GOOGLE_SCRIPT_RUN_STUB = `(() => {
  function runner(onSuccess, onFailure) {
    return new Proxy({}, {
      get(_, name) {
        if (name === 'withSuccessHandler') return (handler) => runner(handler, onFailure);
        if (name === 'withFailureHandler') return (handler) => runner(onSuccess, handler);
        return (...args) => {
          fetch('/run/' + String(name), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(args),
          })
            .then((response) => response.json())
            .then((answer) => {
              if (answer.ok) onSuccess && onSuccess(answer.value);
              else onFailure && onFailure(new Error(answer.message));
            });
        };
      },
    });
  }
  window.google = { script: { run: runner(null, null), host: { close() {} } } };
})();`;

/**
 * Serves a sidebar page as the add-on produced it, and runs the server functions the page
 * calls in the add-on's sandbox, which talks to the real API.
 */
export async function hostSidebar(addon: Addon) {
  let page = '';
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/sidebar') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(page);
      return;
    }

    const name = /^\/run\/(\w+)$/.exec(request.url ?? '')?.[1];
    const fn = name && !name.endsWith('_') ? (addon as Record<string, unknown>)[name] : null;
    if (request.method !== 'POST' || typeof fn !== 'function') {
      response.writeHead(404).end();
      return;
    }

    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      let answer: unknown;
      try {
        answer = { ok: true, value: fn(...(JSON.parse(body) as unknown[])) };
      } catch (error) {
        answer = { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sidebar`,
    show(content: string) {
      page = content;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
