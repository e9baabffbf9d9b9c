import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll } from 'vitest';

import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { describeStoreContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'leadpool-contract-'));
let opened = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeStoreContract(
  'SQLite',
  async () => {
    opened += 1;
    const store = new SqliteStore(join(dir, `store-${opened}.db`));

    return { store, dispose: () => store.close() };
  },
  { isolation: true, cursors: true },
);
