import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { randomId } from '../../functions/src/app/ids.js';
import { ensureAdmins } from '../../functions/src/app/team.js';
import { newMember } from '../../functions/src/domain/member.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';

const NOW = new Date('2026-03-02T01:00:00Z');

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leadpool-admins-'));
  store = new SqliteStore(join(dir, 'leadpool.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ensureAdmins', () => {
  it('adds every configured admin who is not a member yet, and says which', async () => {
    const added = await ensureAdmins(store, ['ana@example.com', 'bo@example.com'], NOW, randomId);

    expect(added).toEqual(['ana@example.com', 'bo@example.com']);
    expect((await store.listMembers()).map((m) => [m.email, m.role])).toEqual([
      ['ana@example.com', 'admin'],
      ['bo@example.com', 'admin'],
    ]);
  });

  it('leaves a configured admin who was demoted since as they are', async () => {
    const demoted = newMember({ email: 'ana@example.com', name: 'Ana', role: 'rep' }, NOW);
    await store.transaction(async (tx) => tx.saveMember(demoted));

    const added = await ensureAdmins(store, ['ana@example.com', 'cy@example.com'], NOW, randomId);

    expect(added).toEqual(['cy@example.com']);
    expect((await store.getMember('ana@example.com'))?.role).toBe('rep');
  });

  it('adds an admin named twice once', async () => {
    const added = await ensureAdmins(store, ['ana@example.com', 'ana@example.com'], NOW, randomId);

    expect(added).toEqual(['ana@example.com']);
    expect(await store.listMembers()).toHaveLength(1);
  });
});
