import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';

import { beforeAll, describe, expect, it } from 'vitest';

import { buildAddon, OAUTH_SCOPES, type BuildResult } from '../../sheets-addon/build.js';
import * as entryPoints from '../../sheets-addon/src/index.js';

let built: BuildResult;
const read = (name: string) => readFileSync(join(built.outDir, name), 'utf8');

beforeAll(async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'leadpool-build-'));
  built = await buildAddon({ outDir, apiUrl: 'https://api.example.com/api' });
});

describe('buildAddon', () => {
  it('declares a top-level function for every entry point, as Apps Script’s scan needs', () => {
    const code = read('Code.js');
    const declared = [...code.matchAll(/^function (\w+)\(/gm)].map((match) => match[1]);

    expect(declared.sort()).toEqual(Object.keys(entryPoints).sort());
    expect(built.entryPoints).toEqual(Object.keys(entryPoints).sort());
  });

  it('forwards each declared function to the bundle', () => {
    const context = createContext({ ScriptApp: { AuthMode: { NONE: 'NONE' } } });
    runInContext(`${read('Code.js')}\nthis.forwarded = ${'typeof LeadPool.getPolicy'};`, context);

    expect(typeof context.onOpen).toBe('function');
    expect(context.forwarded).toBe('function');
  });

  it('writes a V8 manifest with the explicit scopes and the API as the only fetch target', () => {
    expect(JSON.parse(read('appsscript.json'))).toEqual({
      timeZone: 'Asia/Shanghai',
      runtimeVersion: 'V8',
      exceptionLogging: 'STACKDRIVER',
      oauthScopes: OAUTH_SCOPES,
      urlFetchWhitelist: ['https://api.example.com/api/'],
    });
    expect(OAUTH_SCOPES).toContain('openid');
    expect(OAUTH_SCOPES).toContain('https://www.googleapis.com/auth/script.scriptapp');
  });

  it('copies the sidebar page', () => {
    expect(built.files).toEqual(['Code.js', 'sidebar.html', 'appsscript.json']);
    expect(read('sidebar.html')).toContain('google.script.run');
  });
});
