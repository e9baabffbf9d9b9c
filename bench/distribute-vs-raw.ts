/**
 * The morning distribution of a large team from a large pool against the bare cost of
 * writing its assignments: 200 reps topped up to 40 leads each from 100,000 pool leads.
 */
import { systemActor } from '../functions/src/app/actor.js';
import { randomId } from '../functions/src/app/ids.js';
import type { Lead } from '../functions/src/domain/lead.js';
import { DEFAULT_POLICY } from '../functions/src/domain/policy.js';
import { addHours } from '../functions/src/domain/time.js';
import { distributeMorning } from '../functions/src/jobs/distribute.js';
import { silentLogger } from '../functions/src/log.js';
import { SqliteStore } from '../functions/src/store/sqlite.js';
import { median, round, type BenchReport } from './metrics.js';
import { poolLead, reps, scratch, writeDatabase } from './seed.js';

const NOW = new Date('2026-03-02T00:30:00Z');
const REPS = 200;
const POOL = 100_000;
const ROUNDS = 5;
const PER_TRANSACTION = 100;
const DEALS = REPS * DEFAULT_POLICY.dailyAllocation;

type Side = 'job' | 'raw';

type Deal = { leadId: string; repEmail: string };

/** Deals every lead and answers how many it dealt. */
type Distribute = (store: SqliteStore, deals: readonly Deal[]) => Promise<number>;

const job: Distribute = async (store) => {
  const deps = { store, newId: randomId, log: silentLogger };
  const counts = await distributeMorning(deps, NOW, systemActor('job:distribute', null, NOW));

  return counts.dealt;
};

/**
 * The deals the job makes, known in advance: the oldest leads, a round to every rep in
 * turn. The bare writer is handed them, so it neither lists the pool nor plans.
 */
function plannedDeals(): Deal[] {
  return Array.from({ length: DEALS }, (_, n) => ({
    leadId: poolLead(n, NOW, POOL - n).id,
    repEmail: `rep-${(n % REPS) + 1}@example.com`,
  }));
}

/**
 * The job's writes and nothing else, in the same transactions of 100 deals: each reads the
 * leads and reps it is about to rewrite (a whole document cannot be written without it),
 * then writes every lead, each rep once, and one event per deal.
 */
const raw: Distribute = async (store, deals) => {
  const at = NOW.toISOString();
  const followUpDueAt = addHours(NOW, DEFAULT_POLICY.followUpHours).toISOString();
  const dealDueAt = addHours(NOW, DEFAULT_POLICY.dealDays * 24).toISOString();
  let dealt = 0;

  for (let start = 0; start < deals.length; start += PER_TRANSACTION) {
    const chunk = deals.slice(start, start + PER_TRANSACTION);
    dealt += await store.transaction(async (tx) => {
      const leads = await tx.getLeads(chunk.map((deal) => deal.leadId));
      const members = await tx.getMembers([...new Set(chunk.map((deal) => deal.repEmail))]);

      const events = chunk.map(({ leadId, repEmail }, seq) => {
        const lead = leads.get(leadId)!;
        const rep = members.get(repEmail)!;
        const owned: Lead = {
          ...lead,
          status: 'owned',
          ownerEmail: repEmail,
          assignedAt: at,
          followUpDueAt,
          dealDueAt,
          updatedAt: at,
        };
        tx.saveLead(owned);
        members.set(repEmail, {
          ...rep,
          ownedCount: rep.ownedCount + 1,
          lastAssignedAt: at,
          updatedAt: at,
        });

        return {
          id: randomId(),
          type: 'lead.distributed' as const,
          at,
          seq,
          leadId,
          subject: repEmail,
          actor: 'job:distribute',
          relayedBy: null,
          requestId: null,
          before: stateOf(lead),
          after: stateOf(owned),
          data: null,
        };
      });
      for (const member of members.values()) tx.saveMember(member);
      tx.appendEvents(events);

      return chunk.length;
    });
  }

  return dealt;
};

/** The fields a distribution event records, written out so the bare side calls no rule. */
function stateOf(lead: Lead) {
  const { status, ownerEmail, stage, followUpDueAt, dealDueAt, closeReason } = lead;

  return { status, ownerEmail, stage, followUpDueAt, dealDueAt, closeReason };
}

/** Milliseconds to deal every lead in the database at `path`. */
async function timeDistribution(
  path: string,
  distribute: Distribute,
  deals: readonly Deal[],
): Promise<number> {
  const store = new SqliteStore(path);
  try {
    const started = performance.now();
    const dealt = await distribute(store, deals);
    const elapsed = performance.now() - started;

    if (dealt !== DEALS) throw new Error(`Dealt ${dealt} of ${DEALS} leads`);

    return elapsed;
  } finally {
    await store.close();
  }
}

export async function distributeVsRawTx(): Promise<BenchReport> {
  const files = scratch('distribute-raw');
  try {
    // Created a minute apart, lead 0 the oldest, so the oldest first are the lowest ids.
    const pool = Array.from({ length: POOL }, (_, n) => poolLead(n, NOW, POOL - n));
    const seedStarted = performance.now();
    await writeDatabase(files.template('pool'), NOW, reps(REPS, NOW, []), pool);
    const seedMs = performance.now() - seedStarted;
    const deals = plannedDeals();

    // Round 0 warms up and is not counted; the order alternates round by round.
    const sides: Record<Side, Distribute> = { job, raw };
    const times: Record<Side, number[]> = { job: [], raw: [] };
    const ratios: number[] = [];
    for (let n = 0; n <= ROUNDS; n++) {
      const order: Side[] = n % 2 === 0 ? ['job', 'raw'] : ['raw', 'job'];
      const round = {} as Record<Side, number>;
      for (const side of order) {
        const path = files.copy('pool');
        round[side] = await timeDistribution(path, sides[side], deals);
        files.drop(path);
      }
      if (n === 0) continue;

      times.job.push(round.job);
      times.raw.push(round.raw);
      ratios.push(round.job / round.raw);
    }

    return {
      metrics: [
        {
          name: 'distribute.vs_raw_tx',
          value: round(median(ratios), 3),
          goal: { op: '<=', target: 2 },
        },
        { name: 'distribute.job_ms', value: round(median(times.job), 0), goal: null },
        { name: 'distribute.raw_tx_ms', value: round(median(times.raw), 0), goal: null },
      ],
      notes: [
        `distributeMorning tops up ${REPS} reps with no leads ` +
          `to ${DEFAULT_POLICY.dailyAllocation} ` +
          `each (${DEALS} deals) from a pool of ${POOL} leads, against a bare writer handed ` +
          `the same deals that writes them in the same transactions of ${PER_TRANSACTION}. ` +
          `Median over ${ROUNDS} rounds, alternating, each on a fresh copy of one database ` +
          `(seeded once in ${round(seedMs / 1000, 1)} s).`,
      ],
    };
  } finally {
    files.remove();
  }
}
