import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { systemActor, type Actor } from '../../functions/src/app/actor.js';
import { randomId } from '../../functions/src/app/ids.js';
import { claimLead } from '../../functions/src/app/leads.js';
import { aLead } from '../../functions/src/domain/test-fixtures.js';
import { reclaimOverdue } from '../../functions/src/jobs/reclaim.js';
import { silentLogger } from '../../functions/src/log.js';
import type { Store } from '../../functions/src/store/port.js';
import {
  closeDatabase,
  openDatabase,
  ownedCounts,
  seedTeam,
  stopEmulator,
  type Database,
  type StoreKind,
} from './harness.js';

// The job picks each lead's candidates from its own picture of the team, read once at the
// start; another instance may fill those reps up before the job's transactions run. Here
// that instance's claims are made to land in exactly that gap, in one process, so the
// outcome does not depend on how two processes happen to be scheduled. With one transaction
// at a time, the substitute Firestore emulator serves as well as the official one.
const NOW = new Date('2026-03-02T01:00:00Z');
const LAPSED = 'lapsed@example.com';
const BUSY = ['ana@example.com', 'bo@example.com', 'cy@example.com'];
const SPARE = 'dee@example.com';

/** More room than the spare rep, so the job ranks the busy reps first. */
const BUSY_CAPACITY = 5;

/** Each busy rep claims pool leads until their private pool is full. */
async function fillBusyReps(store: Store): Promise<void> {
  for (const email of BUSY) {
    const member = (await store.getMember(email))!;
    const actor: Actor = { member, relayedBy: null, requestId: null, now: NOW };
    for (let n = 0; n < BUSY_CAPACITY; n++) {
      const lead = aLead({ id: `pool-${email}-${n}`, company: `Pool lead ${n} for ${email}` });
      await store.transaction(async (tx) => tx.saveLead(lead));

      const claimed = await store.transaction(async (tx) =>
        claimLead(tx, actor, await tx.getPolicy(), lead.id, [], randomId),
      );
      if (!claimed.ok) throw new Error(claimed.violation.message);
    }
  }
}

function staleJobTests(kind: StoreKind) {
  let database: Database;
  beforeEach(async () => {
    database = await openDatabase(kind, 'reclaim-stale');
    const leads = Array.from({ length: 5 }, (_, n) => ({
      id: `L${n}`,
      ownerEmail: LAPSED,
      assignedHoursBefore: 80,
    }));
    const reps = [
      { email: LAPSED },
      ...BUSY.map((email) => ({ email, capacity: BUSY_CAPACITY })),
      { email: SPARE, capacity: 4 },
    ];
    await seedTeam(database.store, reps, leads, NOW);

    // The busy reps have the most room when the job reads the team, and none by the time
    // it reclaims the first lead. Only the job's read is intercepted, not later recounts.
    const { store } = database;
    const listMembers = store.listMembers.bind(store);
    store.listMembers = async () => {
      store.listMembers = listMembers;
      const team = await listMembers();
      await fillBusyReps(store);

      return team;
    };
  });
  afterEach(() => closeDatabase(database));

  it('gives the later leads to a rep with room once its first choices are found full', async () => {
    const deps = { store: database.store, newId: randomId, log: silentLogger };

    const counts = await reclaimOverdue(deps, NOW, systemActor('job:reclaim', null, NOW));

    // Only the first lead was offered to the three busy reps alone.
    expect(counts).toMatchObject({ reassigned: 4, pooled: 1 });
    expect(await database.store.listOwnedLeads(SPARE)).toHaveLength(4);
  });

  it("keeps every member's owned count equal to a recount of the leads they own", async () => {
    const deps = { store: database.store, newId: randomId, log: silentLogger };

    await reclaimOverdue(deps, NOW, systemActor('job:reclaim', null, NOW));

    const { stored, recounted } = await ownedCounts(database.store);
    expect(stored).toEqual(recounted);
  });
}

const STORES: readonly { kind: StoreKind; title: string }[] = [
  { kind: 'sqlite', title: 'on SQLite' },
  { kind: 'firestore', title: 'on Firestore' },
];

afterAll(stopEmulator);

for (const { kind, title } of STORES) {
  describe(title, () => {
    describe('a reclaim job whose picture of the team goes stale before its transactions', () => {
      staleJobTests(kind);
    });
  });
}
