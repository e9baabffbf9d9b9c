/**
 * Builds the Cloud Function into dist/: esbuild bundles our modules and zod into one entry
 * file, with a chunk for each module the code imports lazily (the Firestore adapter, the
 * sheet sync, the jobs). A cold start then reads a handful of files instead of a few hundred,
 * which is most of what it spends beyond the framework and the Firestore client.
 *
 * The other dependencies stay in node_modules: better-sqlite3 is native, the Google clients
 * read their protocol files from disk, and the rest load on first use anyway. Types are
 * checked by `npm run lint`, not here. Run with `npm run build`.
 */
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('../dist', import.meta.url));

/** What is bundled rather than loaded from node_modules: pure JavaScript needed at start. */
const BUNDLED = new Set(['zod', 'pure-rand']);

async function externalPackages(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(`${ROOT}/package.json`, 'utf8')) as {
    dependencies: Record<string, string>;
  };

  return Object.keys(manifest.dependencies).filter((name) => !BUNDLED.has(name));
}

/**
 * Bundles the function into `outDir`, emptied first; answers the entry file. The directory
 * must lie inside the project, where node_modules can be found from it.
 */
export async function buildFunctions(outDir = OUT_DIR): Promise<string> {
  await rm(outDir, { recursive: true, force: true });

  await build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'functions/src/index.ts' },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: await externalPackages(),
    // Stack traces in the logs name our files and lines when the function runs with
    // NODE_OPTIONS=--enable-source-maps; without it the maps cost nothing.
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });

  return `${outDir}/index.js`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildFunctions().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
