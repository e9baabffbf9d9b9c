import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Firestore } from '@google-cloud/firestore';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { devAuthenticator } from '../../functions/src/api/auth.js';
import { createApi, type Api } from '../../functions/src/api/handler.js';
import type { ApiRequest, ApiResponse } from '../../functions/src/api/request.js';
import { randomId } from '../../functions/src/app/ids.js';
import type { Lead } from '../../functions/src/domain/lead.js';
import { newMember, type Member } from '../../functions/src/domain/member.js';
import { aLead, anOwnedLead } from '../../functions/src/domain/test-fixtures.js';
import type { LogFields, Severity } from '../../functions/src/log.js';
import { FirestoreStore } from '../../functions/src/store/firestore.js';
import type { Store, StoreTransaction } from '../../functions/src/store/port.js';
import { SqliteStore } from '../../functions/src/store/sqlite.js';
import { startWorker } from '../concurrency/harness.js';
import {
  connectFirestore,
  startFirestoreEmulator,
  type FirestoreEmulator,
} from '../support/store-target.js';
import type { HolderMessage, HolderOrders } from './lock-holder.js';

const HOLDER = fileURLToPath(new URL('./lock-holder.ts', import.meta.url));

// Off Google Cloud the Firestore client's lookup of the metadata server can only fail, and
// it warns on every client.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const NOW = '2026-03-02T01:00:00.000Z';
const REP = 'ana@example.com';

type LogLine = { severity: Severity; message: string } & LogFields;

function anApi(store: Store, logs: LogLine[]): Api {
  return createApi({
    store,
    authenticate: devAuthenticator(),
    newId: randomId,
    log: (severity, message, fields = {}) => logs.push({ severity, message, ...fields }),
    clock: () => new Date(NOW),
    devMode: true,
    schedulerEmails: [],
  });
}

/** The claim as the add-on sends it, with its Idempotency-Key. */
function aClaim(leadId: string, key: string, release: string[] = []): ApiRequest {
  return {
    method: 'POST',
    path: `/v1/leads/${leadId}/claim`,
    query: new URLSearchParams(),
    headers: {
      authorization: `Bearer dev:${REP}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    rawBody: Buffer.from(JSON.stringify({ release })),
  };
}

function aRep(capacity: number | null = null): Member {
  return { ...newMember({ email: REP, name: 'Ana', role: 'rep' }, new Date(NOW)), capacity };
}

/** The store has no list of idempotency records, so the file is asked directly. */
function countIdempotencyRecords(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM idempotency').get()!.n;
  } finally {
    db.close();
  }
}

async function seed(store: Store, members: Member[], leads: Lead[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const member of members) tx.saveMember(member);
    for (const lead of leads) tx.saveLead(lead);
  });
}

describe('a claim while another process holds the SQLite write lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-busy-'));
  const dbPath = join(dir, 'leadpool.db');
  const logs: LogLine[] = [];
  let store: SqliteStore;
  let busy: ApiResponse;
  let afterBusy: { lead: Lead | null; rep: Member | null; history: number };
  let idempotencyRows: number;
  let retried: ApiResponse;
  let again: ApiResponse;

  beforeAll(async () => {
    store = new SqliteStore(dbPath, { busyTimeoutMs: 50 });
    await seed(store, [aRep()], [aLead({ id: 'lead-1' })]);
    const api = anApi(store, logs);

    const holder = startWorker<HolderMessage>(HOLDER);
    holder.process.send({ type: 'lock', dbPath } satisfies HolderOrders);
    await holder.next('locked');

    // Read beside the lock, as WAL lets readers do while another process writes.
    busy = await api(aClaim('lead-1', 'claim-1'));
    afterBusy = {
      lead: await store.getLead('lead-1'),
      rep: await store.getMember(REP),
      history: (await store.listLeadEvents('lead-1')).length,
    };
    idempotencyRows = countIdempotencyRecords(dbPath);

    holder.process.send({ type: 'release' } satisfies HolderOrders);
    await holder.next('released');
    await holder.closed;

    retried = await api(aClaim('lead-1', 'claim-1'));
    again = await api(aClaim('lead-1', 'claim-1'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 UNAVAILABLE with a Retry-After once the busy timeout has run out', () => {
    expect(busy.status).toBe(503);
    expect(busy.body).toEqual({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
    expect(busy.headers).toMatchObject({ 'Retry-After': '1' });
  });

  it('writes nothing: the lead stays in the pool, the rep as they were, no history', () => {
    expect(afterBusy.lead).toMatchObject({ status: 'pool', ownerEmail: null });
    expect(afterBusy.rep).toMatchObject({ ownedCount: 0, claimsOnDay: 0 });
    expect(afterBusy.history).toBe(0);
  });

  it('keeps no idempotency record of the attempt, so the key is still unused', () => {
    expect(idempotencyRows).toBe(0);
  });

  it('logs the busy store as a warning, not as a fault', () => {
    expect(logs).toContainEqual(
      expect.objectContaining({ severity: 'WARNING', message: 'store unavailable' }),
    );
    expect(logs).not.toContainEqual(expect.objectContaining({ message: 'Unhandled error' }));
  });

  it('claims the lead when the same request is retried after the lock is released', () => {
    expect(retried.status).toBe(200);
    expect(retried.headers).toEqual({});
    expect(retried.body).toMatchObject({
      lead: { id: 'lead-1', status: 'owned', ownerEmail: REP },
    });
  });

  it('answers a further retry with that claim, replayed', () => {
    expect(again.status).toBe(200);
    expect(again.headers).toEqual({ 'Idempotent-Replayed': 'true' });
    expect(again.body).toEqual(retried.body);
  });

  it('claims exactly once: one claim event, one lead owned, one claim today', async () => {
    const events = await store.listLeadEvents('lead-1');
    const rep = await store.getMember(REP);

    expect(events.map((event) => event.type)).toEqual(['lead.claimed']);
    expect(rep).toMatchObject({ ownedCount: 1, claimsOnDay: 1 });
  });
});

// Firestore aborts a transaction that lost a lock race; the client then runs the whole
// transaction again. The substitute emulator never aborts, so the abort is thrown from the
// transaction's work, after the work has queued all of its writes.
describe('Firestore transactions aborted by the store', () => {
  let emulator: FirestoreEmulator;

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
  });
  afterAll(() => emulator.stop());

  /** A store whose transactions are aborted, as Firestore aborts them, `aborts` times. */
  class AbortingStore extends FirestoreStore {
    attempts = 0;
    aborts = 0;

    override transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
      return super.transaction(async (tx) => {
        const result = await work(tx);
        this.attempts++;
        if (this.aborts > 0) {
          this.aborts--;
          throw Object.assign(new Error('10 ABORTED: Transaction lock timeout.'), {
            code: 10,
            details: 'Transaction lock timeout.',
            metadata: {},
          });
        }

        return result;
      });
    }
  }

  /** A store on an empty project of its own. */
  async function openStore(maxAttempts?: number) {
    const db = await connectFirestore(emulator.emptyProject());

    return { db, store: new AbortingStore(db, maxAttempts ? { maxAttempts } : {}) };
  }

  describe('a swap claim aborted on its first attempt', () => {
    const logs: LogLine[] = [];
    let db: Firestore;
    let store: AbortingStore;
    let first: ApiResponse;
    let attempts: number;
    let replay: ApiResponse;

    beforeAll(async () => {
      ({ db, store } = await openStore());
      const rep = { ...aRep(1), ownedCount: 1 };
      await seed(store, [rep], [anOwnedLead(REP, { id: 'held' }), aLead({ id: 'wanted' })]);
      const api = anApi(store, logs);

      store.attempts = 0;
      store.aborts = 1;
      first = await api(aClaim('wanted', 'swap-1', ['held']));
      attempts = store.attempts;
      replay = await api(aClaim('wanted', 'swap-1', ['held']));
    });
    afterAll(() => store.close());

    it('runs the work again and answers the swap', () => {
      expect(attempts).toBe(2);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        lead: { id: 'wanted', status: 'owned', ownerEmail: REP },
        released: [{ id: 'held', status: 'pool', ownerEmail: null }],
      });
    });

    it('records one release and one claim, none of the aborted attempt', async () => {
      const events = (await db.collection('events').get()).docs.map((doc) => doc.data());

      expect(events.map((event) => [event.type, event.leadId]).sort()).toEqual([
        ['lead.claimed', 'wanted'],
        ['lead.released', 'held'],
      ]);
    });

    it('counts one claim today and leaves the rep owning one lead', async () => {
      expect(await store.getMember(REP)).toMatchObject({ ownedCount: 1, claimsOnDay: 1 });
    });

    it('answers a retry with the same key with the swap, replayed', () => {
      expect(replay.status).toBe(200);
      expect(replay.headers).toEqual({ 'Idempotent-Replayed': 'true' });
      expect(replay.body).toEqual(first.body);
    });
  });

  describe('a claim aborted on every attempt', () => {
    const logs: LogLine[] = [];
    let store: AbortingStore;
    let answer: ApiResponse;

    beforeAll(async () => {
      ({ store } = await openStore(2));
      await seed(store, [aRep()], [aLead({ id: 'wanted' })]);
      const api = anApi(store, logs);

      store.attempts = 0;
      store.aborts = 2;
      answer = await api(aClaim('wanted', 'claim-1'));
    });
    afterAll(() => store.close());

    it('answers 503 UNAVAILABLE with a Retry-After once the retries are spent', () => {
      expect(store.attempts).toBe(2);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
      expect(answer.headers).toMatchObject({ 'Retry-After': '1' });
    });

    it('leaves the lead in the pool with no history', async () => {
      expect(await store.getLead('wanted')).toMatchObject({ status: 'pool', ownerEmail: null });
      expect(await store.listLeadEvents('wanted')).toEqual([]);
    });
  });
});

describe('the answer to a store fault', () => {
  /** A store whose every transaction fails with `error`; members are found. */
  function failingStore(error: unknown): Store {
    const fake: Pick<Store, 'getMember' | 'transaction'> = {
      getMember: async () => aRep(),
      transaction: async () => {
        throw error;
      },
    };

    return fake as Store;
  }

  const grpc = (code: number, name: string) =>
    Object.assign(new Error(`${code} ${name}: from the test`), { code, details: 'from the test' });
  const sqlite = (code: string) => Object.assign(new Error('database is locked'), { code });

  it.each([
    ['SQLite busy', 503, sqlite('SQLITE_BUSY')],
    ['SQLite busy in recovery', 503, sqlite('SQLITE_BUSY_RECOVERY')],
    ['Firestore ABORTED', 503, grpc(10, 'ABORTED')],
    ['Firestore UNAVAILABLE', 503, grpc(14, 'UNAVAILABLE')],
    ['Firestore DEADLINE_EXCEEDED', 503, grpc(4, 'DEADLINE_EXCEEDED')],
    ['Firestore INVALID_ARGUMENT', 500, grpc(3, 'INVALID_ARGUMENT')],
    ['a SQLite constraint', 500, sqlite('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['a plain error', 500, new Error('Owned lead lead-1 has no owner')],
  ])('answers %s with %i', async (_name, status, error) => {
    const api = anApi(failingStore(error), []);

    const answer = await api(aClaim('lead-1', 'claim-1'));

    expect(answer.status).toBe(status);
  });
});
