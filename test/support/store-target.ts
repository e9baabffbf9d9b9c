/**
 * Where a multi-process suite keeps its data. A target is plain data, so a suite can send it
 * to worker processes and each opens a store of its own on it, as separate function
 * instances would: a SQLite file, or an empty project on a Firestore emulator.
 *
 * The official emulator is used whenever FIRESTORE_EMULATOR_HOST names it (as
 * `firebase emulators:exec` does). Otherwise the Node substitute is started in the test
 * process; it has no transaction isolation, so suites that race transactions run on it with
 * one process only, or not at all.
 */
import { randomUUID } from 'node:crypto';

import type { Firestore } from '@google-cloud/firestore';

import { StoredEventSchema, type StoredEvent } from '../../functions/src/domain/events.js';
import { LeadSchema, type Lead } from '../../functions/src/domain/lead.js';
import { MemberSchema, type Member } from '../../functions/src/domain/member.js';
import type { Store } from '../../functions/src/store/port.js';
import { freeLoopbackPort } from './loopback.js';

export type StoreTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'firestore'; host: string; projectId: string; isolated: boolean };

/** A Firestore emulator the suite can make empty projects on. */
export type FirestoreEmulator = {
  host: string;
  /** True for the official emulator, whose transactions lock what they read. */
  isolated: boolean;
  /** A target on a project nobody has written to yet. */
  emptyProject(): FirestoreTarget;
  stop(): Promise<void>;
};

export const OFFICIAL_EMULATOR_HOST = process.env.FIRESTORE_EMULATOR_HOST;

// Before its first call the client asks Google Cloud's metadata server for the universe
// domain; off Google Cloud that lookup can only fail, and it warns on every client. Worker
// processes inherit this from the test process.
process.env.METADATA_SERVER_DETECTION ??= 'none';

/**
 * The official emulator when FIRESTORE_EMULATOR_HOST is set, else the substitute on a free
 * loopback port. Each target gets a project of its own, which both keep apart, so suites
 * running side by side never see each other's documents.
 */
export async function startFirestoreEmulator(): Promise<FirestoreEmulator> {
  const emptyProject = (host: string, isolated: boolean) => (): FirestoreTarget => ({
    kind: 'firestore',
    host,
    projectId: `demo-leadpool-${randomUUID()}`,
    isolated,
  });

  if (OFFICIAL_EMULATOR_HOST) {
    return {
      host: OFFICIAL_EMULATOR_HOST,
      isolated: true,
      emptyProject: emptyProject(OFFICIAL_EMULATOR_HOST, true),
      stop: async () => {},
    };
  }

  const { FirestoreServer } = await import('@firestore-emulator/server');
  const server = new FirestoreServer();
  const port = await freeLoopbackPort();
  await server.start(port);
  const host = `127.0.0.1:${port}`;

  return {
    host,
    isolated: false,
    emptyProject: emptyProject(host, false),
    stop: async () => server.stop(),
  };
}

export type FirestoreTarget = Extract<StoreTarget, { kind: 'firestore' }>;

/** A client of this process's own on the target's project. */
export async function connectFirestore(target: FirestoreTarget): Promise<Firestore> {
  const { Firestore } = await import('@google-cloud/firestore');
  const [hostname, port] = target.host.split(':');

  return new Firestore({
    projectId: target.projectId,
    host: hostname,
    port: Number(port),
    ssl: false,
  });
}

/** A store of this process's own on the target. */
export async function openStore(target: StoreTarget): Promise<Store> {
  if (target.kind === 'sqlite') {
    const { SqliteStore } = await import('../../functions/src/store/sqlite.js');

    return new SqliteStore(target.path);
  }

  const { FirestoreStore } = await import('../../functions/src/store/firestore.js');

  return new FirestoreStore(await connectFirestore(target));
}

export type History = { events: StoredEvent[]; leads: Lead[]; members: Member[] };

/**
 * Every event in the order the store committed it, and the leads and members as they
 * ended. The events' `at` is not that order: a request is stamped before it waits for a
 * lock, and a job stamps every transaction of its run with the time the run started.
 */
export async function readHistory(target: StoreTarget): Promise<History> {
  return target.kind === 'sqlite'
    ? readSqliteHistory(target.path)
    : readFirestoreHistory(await connectFirestore(target));
}

/**
 * Commit order is rowid order: each insert takes the next rowid, and SQLite's write lock
 * lets one transaction insert at a time.
 */
async function readSqliteHistory(path: string): Promise<History> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path, { readonly: true });
  try {
    const docs = (sql: string) =>
      db
        .prepare<[], { doc: string }>(sql)
        .all()
        .map((row) => JSON.parse(row.doc) as unknown);

    return {
      events: docs('SELECT doc FROM events ORDER BY rowid').map((doc) =>
        StoredEventSchema.parse(doc),
      ),
      leads: docs('SELECT doc FROM leads').map((doc) => LeadSchema.parse(doc)),
      members: docs('SELECT doc FROM members').map((doc) => MemberSchema.parse(doc)),
    };
  } finally {
    db.close();
  }
}

/**
 * Commit order is `committedAt` order: the store writes each event with the server's
 * timestamp, which is its transaction's commit time, and transactions that touch the same
 * document commit one after the other. Within one commit the events keep their `seq`. The
 * request's time breaks ties between commits in the same instant from one process, whose
 * operations each start later than the last; a job's own transactions share their run's
 * time and may tie in any order, which the replay does not mind: each moves other leads.
 */
async function readFirestoreHistory(db: Firestore): Promise<History> {
  try {
    const [events, leads, members] = await Promise.all(
      ['events', 'leads', 'members'].map((name) => db.collection(name).get()),
    );
    const committed = events!.docs.map((doc) => {
      const committedAt = doc.get('committedAt') as { toMillis(): number; nanoseconds: number };
      const event = StoredEventSchema.parse(doc.data());

      return { event, committedAt: [committedAt.toMillis(), committedAt.nanoseconds] as const };
    });
    committed.sort(
      (a, b) =>
        a.committedAt[0] - b.committedAt[0] ||
        a.committedAt[1] - b.committedAt[1] ||
        a.event.at.localeCompare(b.event.at) ||
        (a.event.requestId ?? '').localeCompare(b.event.requestId ?? '') ||
        a.event.seq - b.event.seq,
    );

    return {
      events: committed.map(({ event }) => event),
      leads: leads!.docs.map((doc) => LeadSchema.parse(doc.data())),
      members: members!.docs.map((doc) => MemberSchema.parse(doc.data())),
    };
  } finally {
    await db.terminate();
  }
}
