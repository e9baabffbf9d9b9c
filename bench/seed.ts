/**
 * Seeding for the job benchmarks: documents written straight through the store's
 * transactions, thousands at a time, so that a pool of 100,000 leads takes seconds. The
 * rules are not run here; what is seeded is the state a benchmark starts from.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { newPoolLead, type Lead } from '../functions/src/domain/lead.js';
import { newMember, type Member } from '../functions/src/domain/member.js';
import { DEFAULT_POLICY } from '../functions/src/domain/policy.js';
import { takeOwnership } from '../functions/src/domain/ownership.js';
import { addHours } from '../functions/src/domain/time.js';
import { SqliteStore } from '../functions/src/store/sqlite.js';

/**
 * 100,000 leads in 10 commits: few enough to be quick, each small enough that the WAL file
 * does not grow to the size of the whole database before its first checkpoint.
 */
const DOCUMENTS_PER_TRANSACTION = 10_000;

const MANAGER = 'mei@example.com';

/** A pool lead as a manager would have created it `minutesBefore` minutes before `now`. */
export function poolLead(n: number, now: Date, minutesBefore: number): Lead {
  const details = {
    company: `Star Harbour Trading ${n}`,
    contactName: 'Li Wei',
    title: 'Owner',
    phone: `138${String(n).padStart(8, '0')}`,
    region: 'Pudong',
    source: 'trade fair',
    notes: '',
  };
  const createdAt = new Date(now.getTime() - minutesBefore * 60_000);

  return newPoolLead(`L${String(n).padStart(6, '0')}`, details, createdAt);
}

/** `lead` as `email` has held it since `hoursBefore` hours before `now`, never followed up. */
export function ownedSince(lead: Lead, email: string, now: Date, hoursBefore: number): Lead {
  return takeOwnership(lead, email, DEFAULT_POLICY, addHours(now, -hoursBefore));
}

export function closedLead(lead: Lead): Lead {
  return { ...lead, status: 'closed', closeReason: 'lost', closeNote: 'Chose a competitor' };
}

/** Reps named rep-1 … rep-`count`, with owned counts that match the leads given. */
export function reps(
  count: number,
  now: Date,
  leads: readonly Lead[],
  capacity?: number,
): Member[] {
  const owned = new Map<string, number>();
  for (const { status, ownerEmail } of leads) {
    if (status === 'owned') owned.set(ownerEmail!, (owned.get(ownerEmail!) ?? 0) + 1);
  }

  return Array.from({ length: count }, (_, n) => {
    const email = `rep-${n + 1}@example.com`;

    return {
      ...newMember({ email, name: `Rep ${n + 1}`, role: 'rep', capacity }, now),
      ownedCount: owned.get(email) ?? 0,
    };
  });
}

/** A closed database file holding the manager, `members` and `leads`. */
export async function writeDatabase(
  path: string,
  now: Date,
  members: readonly Member[],
  leads: readonly Lead[],
): Promise<void> {
  const store = new SqliteStore(path);
  try {
    await store.transaction(async (tx) => {
      tx.saveMember(newMember({ email: MANAGER, name: 'Mei', role: 'manager' }, now));
      for (const member of members) tx.saveMember(member);
    });

    for (let start = 0; start < leads.length; start += DOCUMENTS_PER_TRANSACTION) {
      await store.transaction(async (tx) => {
        for (const lead of leads.slice(start, start + DOCUMENTS_PER_TRANSACTION)) tx.saveLead(lead);
      });
    }
  } finally {
    await store.close();
  }
}

/**
 * A scratch directory with one closed template database per name. `copy` hands out a fresh
 * file copied from a template: a closed SQLite file in WAL mode has been checkpointed into
 * its main file, so copying that one file copies the whole database.
 */
export function scratch(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `leadpool-bench-${prefix}-`));
  let copies = 0;

  return {
    template: (name: string) => join(dir, `${name}.template.db`),
    copy(name: string): string {
      const path = join(dir, `${name}-${++copies}.db`);
      copyFileSync(join(dir, `${name}.template.db`), path);

      return path;
    },
    /** Removes a copy once its round is over, so a long run does not fill the disk. */
    drop(path: string): void {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
