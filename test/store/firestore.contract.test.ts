import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';

import { FirestoreServer } from '@firestore-emulator/server';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CorruptDocumentError, FirestoreStore } from '../../functions/src/store/firestore.js';
import { describeStoreContract } from './contract.js';

// Set by `firebase emulators:exec`, which also names the project in GCLOUD_PROJECT.
const officialHost = process.env.FIRESTORE_EMULATOR_HOST;
const officialProject = process.env.GCLOUD_PROJECT ?? 'demo-leadpool';

let substitute: { server: FirestoreServer; port: number } | null = null;

// Before its first call the client asks Google Cloud's metadata server for the universe
// domain; off Google Cloud that lookup can only fail, and it warns on every client.
process.env.METADATA_SERVER_DETECTION ??= 'none';

async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));

  return port;
}

beforeAll(async () => {
  if (officialHost) return;

  const server = new FirestoreServer();
  const port = await freeLoopbackPort();
  await server.start(port);
  substitute = { server, port };
});

afterAll(() => {
  substitute?.server.stop();
});

/**
 * A client on an empty database. The official emulator runs one project, so its data is
 * cleared; the substitute keeps projects apart, so each client gets a project of its own.
 */
async function connectEmpty(): Promise<Firestore> {
  if (officialHost) {
    const documents = `projects/${officialProject}/databases/(default)/documents`;
    const cleared = await fetch(`http://${officialHost}/emulator/v1/${documents}`, {
      method: 'DELETE',
    });
    if (!cleared.ok) throw new Error(`Clearing the emulator failed: ${cleared.status}`);

    return new Firestore({ projectId: officialProject });
  }

  if (!substitute) throw new Error('The substitute emulator is not running');

  return new Firestore({
    projectId: `demo-${randomUUID()}`,
    host: '127.0.0.1',
    port: substitute.port,
    ssl: false,
  });
}

describeStoreContract(
  officialHost ? 'Firestore (official emulator)' : 'Firestore (substitute emulator)',
  async () => {
    const store = new FirestoreStore(await connectEmpty());

    return { store, dispose: () => store.close() };
  },
  { isolation: !!officialHost, cursors: !!officialHost },
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
});
