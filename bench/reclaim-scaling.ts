/**
 * Whether the reclaim job costs what the overdue leads cost, as its indexed query promises,
 * and not what the store holds: the same 500 overdue leads of the same team are reclaimed
 * from a store of 500 leads and from one of 5,000, side by side.
 */
import { systemActor } from '../functions/src/app/actor.js';
import { randomId } from '../functions/src/app/ids.js';
import type { Lead } from '../functions/src/domain/lead.js';
import { reclaimOverdue } from '../functions/src/jobs/reclaim.js';
import { silentLogger } from '../functions/src/log.js';
import { SqliteStore } from '../functions/src/store/sqlite.js';
import { median, round, type BenchReport } from './metrics.js';
import { closedLead, ownedSince, poolLead, reps, scratch, writeDatabase } from './seed.js';

const NOW = new Date('2026-03-02T01:00:00Z');
const OVERDUE = 500;
const REPS = 20;
const ROUNDS = 25;

/**
 * Room for every lead in both stores, so that both reclaim the same 500 leads to reps, not
 * to the pool, and differ only in what else the store holds.
 */
const CAPACITY = 1_000;

/** The overdue leads, their follow-up deadlines a minute apart and all passed. */
function overdueLeads(): Lead[] {
  return Array.from({ length: OVERDUE }, (_, n) =>
    ownedSince(poolLead(n, NOW, 10_000), `rep-${(n % REPS) + 1}@example.com`, NOW, 80 + n / 60),
  );
}

/**
 * Nine times as many leads that are none of the job's business: a third each owned but not
 * yet due, in the pool, and closed.
 */
function otherLeads(): Lead[] {
  return Array.from({ length: OVERDUE * 9 }, (_, i) => {
    const lead = poolLead(OVERDUE + i, NOW, 10_000 - i);
    if (i % 3 === 0) return ownedSince(lead, `rep-${(i % REPS) + 1}@example.com`, NOW, 10);

    return i % 3 === 1 ? lead : closedLead(lead);
  });
}

/** Milliseconds to reclaim every overdue lead in the database at `path`. */
async function timeReclaim(path: string): Promise<number> {
  const store = new SqliteStore(path);
  try {
    const deps = { store, newId: randomId, log: silentLogger };
    const actor = systemActor('job:reclaim', null, NOW);

    const started = performance.now();
    const counts = await reclaimOverdue(deps, NOW, actor);
    const elapsed = performance.now() - started;

    if (counts.reassigned !== OVERDUE) {
      throw new Error(`Reclaimed ${JSON.stringify(counts)} where ${OVERDUE} were to be reassigned`);
    }

    return elapsed;
  } finally {
    await store.close();
  }
}

export async function reclaimScaling(): Promise<BenchReport> {
  const files = scratch('reclaim-scaling');
  try {
    const overdue = overdueLeads();
    const all = [...overdue, ...otherLeads()];
    await writeDatabase(files.template('small'), NOW, reps(REPS, NOW, overdue, CAPACITY), overdue);
    await writeDatabase(files.template('large'), NOW, reps(REPS, NOW, all, CAPACITY), all);

    // Round 0 warms up the code paths and is not counted; the order alternates so that
    // neither side always runs on a warmer page cache.
    const times: Record<'small' | 'large', number[]> = { small: [], large: [] };
    const ratios: number[] = [];
    for (let n = 0; n <= ROUNDS; n++) {
      const order = n % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
      const round: Record<string, number> = {};
      for (const side of order) {
        const path = files.copy(side);
        round[side] = await timeReclaim(path);
        files.drop(path);
      }
      if (n === 0) continue;

      times.small.push(round.small!);
      times.large.push(round.large!);
      ratios.push(round.large! / round.small!);
    }

    return {
      metrics: [
        {
          name: 'reclaim.scaling',
          value: round(median(ratios), 3),
          goal: { op: '<=', target: 1.2 },
        },
        { name: 'reclaim.scaling.n_ms', value: round(median(times.small), 1), goal: null },
        { name: 'reclaim.scaling.10n_ms', value: round(median(times.large), 1), goal: null },
      ],
      notes: [
        `reclaimOverdue on ${OVERDUE} overdue leads of ${REPS} reps, in a store of ` +
          `${OVERDUE} leads (n_ms) and of ${OVERDUE * 10} (10n_ms: the others owned but not ` +
          'due, in the pool, or closed). The ratio is the median over ' +
          `${ROUNDS} rounds of 10n over n, each round on fresh copies of the two databases.`,
      ],
    };
  } finally {
    files.remove();
  }
}
