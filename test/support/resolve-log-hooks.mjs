// Module customization hooks that append every URL the ESM loader resolves to a file, one
// a line. They run on the loader's own thread, so a synchronous append is what guarantees
// the line is written before the module it names has loaded.
import { appendFileSync } from 'node:fs';

let logFile = '';

export function initialize(data) {
  logFile = data.logFile;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(logFile, `${resolved.url}\n`);

  return resolved;
}
