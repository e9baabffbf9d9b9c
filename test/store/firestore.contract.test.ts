import type { Firestore, Timestamp } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CorruptDocumentError, FirestoreStore } from '../../functions/src/store/firestore.js';
import {
  connectFirestore,
  OFFICIAL_EMULATOR_HOST,
  startFirestoreEmulator,
  type FirestoreEmulator,
} from '../support/store-target.js';
import { anEvent, describeStoreContract } from './contract.js';

// The official emulator when FIRESTORE_EMULATOR_HOST is set, as `firebase emulators:exec`
// does; else the substitute, on which what needs isolation or cursors is skipped by name.
let emulator: FirestoreEmulator;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
});

afterAll(() => emulator?.stop());

/** A client on an empty database: a project nobody has written to yet. */
function connectEmpty(): Promise<Firestore> {
  return connectFirestore(emulator.emptyProject());
}

describeStoreContract(
  OFFICIAL_EMULATOR_HOST ? 'Firestore (official emulator)' : 'Firestore (substitute emulator)',
  async () => {
    const store = new FirestoreStore(await connectEmpty());

    return { store, dispose: () => store.close() };
  },
  { isolation: !!OFFICIAL_EMULATOR_HOST, cursors: !!OFFICIAL_EMULATOR_HOST },
);

describe('FirestoreStore', () => {
  async function withDatabase(run: (db: Firestore, store: FirestoreStore) => Promise<void>) {
    const db = await connectEmpty();
    const store = new FirestoreStore(db);
    try {
      await run(db, store);
    } finally {
      await store.close();
    }
  }

  it("refuses a read after a write with the client library's own error", () =>
    withDatabase(async (_db, store) => {
      const outcome = store.transaction(async (tx) => {
        tx.savePolicy(await tx.getPolicy());
        await tx.getLead('lead-1');
      });

      await expect(outcome).rejects.toThrow(
        'Firestore transactions require all reads to be executed before all writes.',
      );
    }));

  it('fails loudly on a document that does not match its schema', () =>
    withDatabase(async (db, store) => {
      await db.collection('leads').doc('lead-1').set({ id: 'lead-1', status: 'lost' });

      await expect(store.getLead('lead-1')).rejects.toThrow(CorruptDocumentError);
      await expect(store.transaction((tx) => tx.getLead('lead-1'))).rejects.toThrow(
        /leads\/lead-1/,
      );
      await expect(store.listPool(10, null)).resolves.toEqual({ items: [], next: null });
    }));

  it('keeps lead keys under hashed ids, with the key and the lead as fields', () =>
    withDatabase(async (db, store) => {
      await store.transaction(async (tx) => tx.saveLeadKey('company:a/b', 'lead-1'));

      const keys = await db.collection('leadKeys').get();

      expect(keys.docs.map((doc) => doc.id)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
      expect(keys.docs[0]?.data()).toEqual({ key: 'company:a/b', leadId: 'lead-1' });
    }));

  it('writes each event with the time its commit was applied, not the time it asked', () =>
    withDatabase(async (db, store) => {
      // The second request asked first, but it commits last.
      const started = Date.now();
      await store.transaction(async (tx) =>
        tx.appendEvents([anEvent('event-a', 'lead-1', '2026-03-02T09:00:00.000Z', 0)]),
      );
      await store.transaction(async (tx) =>
        tx.appendEvents([anEvent('event-b', 'lead-1', '2026-03-02T08:00:00.000Z', 0)]),
      );
      const finished = Date.now();

      const committed = async (id: string) =>
        ((await db.collection('events').doc(id).get()).get('committedAt') as Timestamp).toMillis();
      const [first, second] = [await committed('event-a'), await committed('event-b')];

      expect(first).toBeGreaterThanOrEqual(started);
      expect(second).toBeGreaterThanOrEqual(first);
      expect(second).toBeLessThanOrEqual(finished);
      await expect(store.listLeadEvents('lead-1')).resolves.toEqual([
        anEvent('event-b', 'lead-1', '2026-03-02T08:00:00.000Z', 0),
        anEvent('event-a', 'lead-1', '2026-03-02T09:00:00.000Z', 0),
      ]);
    }));
});
