import { readFileSync } from 'node:fs';
import { createContext, runInContext } from 'node:vm';

import type * as EntryPoints from '../../../sheets-addon/src/index.js';
import type { FakeAppsScript } from '../fakes/apps-script.js';

export type Addon = typeof EntryPoints;

export type LogLine = { level: 'log' | 'info' | 'warn' | 'error'; text: string };

/**
 * The built Code.js run as Apps Script runs it: a plain script whose top-level functions
 * are the globals, in a context whose other globals are the fakes. Nothing of Node leaks in.
 */
export function loadAddon(codeFile: string, fakes: FakeAppsScript) {
  const logs: LogLine[] = [];
  const record =
    (level: LogLine['level']) =>
    (...parts: unknown[]) => {
      logs.push({ level, text: parts.map(String).join(' ') });
    };
  const console = {
    log: record('log'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const context = createContext({ ...fakes.globals, console });
  runInContext(readFileSync(codeFile, 'utf8'), context, { filename: 'Code.js' });

  return { addon: context as unknown as Addon, logs };
}
