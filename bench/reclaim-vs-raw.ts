/**
 * What the reclaim job adds to the store work a reclaim cannot avoid: the job against a
 * bare transaction per lead with the same reads and writes, on copies of one database.
 */
import { systemActor } from '../functions/src/app/actor.js';
import { randomId } from '../functions/src/app/ids.js';
import type { Lead } from '../functions/src/domain/lead.js';
import { addHours } from '../functions/src/domain/time.js';
import { reclaimOverdue } from '../functions/src/jobs/reclaim.js';
import { silentLogger } from '../functions/src/log.js';
import type { DuePosition } from '../functions/src/store/port.js';
import { SqliteStore } from '../functions/src/store/sqlite.js';
import { median, round, type BenchReport } from './metrics.js';
import { ownedSince, poolLead, reps, scratch, writeDatabase } from './seed.js';

const NOW = new Date('2026-03-02T01:00:00Z');
const OVERDUE = 500;
const REPS = 20;
const ROUNDS = 15;
const PAGE = 200;

/** As many receivers as the job reads for each lead. */
const CANDIDATES = 3;

type Side = 'job' | 'raw';

/** Reclaims every overdue lead; answers how many it reclaimed. */
type Reclaim = (store: SqliteStore) => Promise<number>;

const job: Reclaim = async (store) => {
  const deps = { store, newId: randomId, log: silentLogger };
  const counts = await reclaimOverdue(deps, NOW, systemActor('job:reclaim', null, NOW));

  return counts.reassigned + counts.pooled;
};

/**
 * The same pages of overdue leads, then for each lead one transaction with the reads of a
 * reclaim (policy, lead, owner and three candidates) and its writes (the lead, two members,
 * one event), but no rule: the receiver is simply the next rep in turn who is not the owner.
 */
const raw: Reclaim = async (store) => {
  const at = NOW.toISOString();
  const emails = Array.from({ length: REPS }, (_, n) => `rep-${n + 1}@example.com`);
  let turn = 0;
  let reclaimed = 0;

  let after: DuePosition | null = null;
  do {
    const page = await store.listOverdueLeads(at, PAGE, after);
    for (const seen of page.items) {
      const candidates: string[] = [];
      while (candidates.length < CANDIDATES) {
        const email = emails[turn++ % REPS]!;
        if (email !== seen.ownerEmail) candidates.push(email);
      }

      await store.transaction(async (tx) => {
        const policy = await tx.getPolicy();
        const lead = (await tx.getLead(seen.id))!;
        const members = await tx.getMembers([lead.ownerEmail!, ...candidates]);
        const owner = members.get(lead.ownerEmail!)!;
        const receiver = members.get(candidates[0]!)!;

        const moved: Lead = {
          ...lead,
          ownerEmail: receiver.email,
          assignedAt: at,
          lastFollowUpAt: null,
          followUpDueAt: addHours(NOW, policy.followUpHours).toISOString(),
          dealDueAt: addHours(NOW, policy.dealDays * 24).toISOString(),
          cooldowns: { [owner.email]: addHours(NOW, policy.cooldownHours).toISOString() },
          updatedAt: at,
        };
        tx.saveLead(moved);
        tx.saveMember({ ...owner, ownedCount: owner.ownedCount - 1, updatedAt: at });
        tx.saveMember({
          ...receiver,
          ownedCount: receiver.ownedCount + 1,
          lastAssignedAt: at,
          updatedAt: at,
        });
        tx.appendEvents([
          {
            id: randomId(),
            type: 'lead.reclaimed',
            at,
            seq: 0,
            leadId: lead.id,
            subject: owner.email,
            actor: 'job:reclaim',
            relayedBy: null,
            requestId: null,
            before: stateOf(lead),
            after: stateOf(moved),
            data: { reason: 'follow_up', from: owner.email, to: receiver.email },
          },
        ]);
      });
      reclaimed++;
    }
    after = page.next;
  } while (after);

  return reclaimed;
};

/** The fields a reclaim event records, written out so the bare side calls no domain code. */
function stateOf(lead: Lead) {
  const { status, ownerEmail, stage, followUpDueAt, dealDueAt, closeReason } = lead;

  return { status, ownerEmail, stage, followUpDueAt, dealDueAt, closeReason };
}

/** Microseconds per reclaimed lead, the whole run (listing included) over the leads. */
async function timePerLead(path: string, reclaim: Reclaim): Promise<number> {
  const store = new SqliteStore(path);
  try {
    const started = performance.now();
    const reclaimed = await reclaim(store);
    const elapsed = performance.now() - started;

    if (reclaimed !== OVERDUE) throw new Error(`Reclaimed ${reclaimed} of ${OVERDUE} leads`);

    return (elapsed * 1000) / reclaimed;
  } finally {
    await store.close();
  }
}

export async function reclaimVsRawTx(): Promise<BenchReport> {
  const files = scratch('reclaim-raw');
  try {
    const leads = Array.from({ length: OVERDUE }, (_, n) =>
      ownedSince(poolLead(n, NOW, 10_000), `rep-${(n % REPS) + 1}@example.com`, NOW, 80 + n / 60),
    );
    await writeDatabase(files.template('team'), NOW, reps(REPS, NOW, leads), leads);

    // Round 0 warms up and is not counted; the order alternates round by round.
    const sides: Record<Side, Reclaim> = { job, raw };
    const costs: Record<Side, number[]> = { job: [], raw: [] };
    const ratios: number[] = [];
    for (let n = 0; n <= ROUNDS; n++) {
      const order: Side[] = n % 2 === 0 ? ['job', 'raw'] : ['raw', 'job'];
      const round = {} as Record<Side, number>;
      for (const side of order) {
        const path = files.copy('team');
        round[side] = await timePerLead(path, sides[side]);
        files.drop(path);
      }
      if (n === 0) continue;

      costs.job.push(round.job);
      costs.raw.push(round.raw);
      ratios.push(round.job / round.raw);
    }

    return {
      metrics: [
        {
          name: 'reclaim.vs_raw_tx',
          value: round(median(ratios), 3),
          goal: { op: '<=', target: 1.5 },
        },
        { name: 'reclaim.job_us_per_lead', value: round(median(costs.job), 1), goal: null },
        { name: 'reclaim.raw_tx_us_per_lead', value: round(median(costs.raw), 1), goal: null },
      ],
      notes: [
        `${OVERDUE} overdue leads of ${REPS} reps (default capacity 50, 25 leads each), ` +
          `reclaimed by reclaimOverdue and by a bare transaction per lead; ${ROUNDS} rounds ` +
          'on fresh copies of one database, alternating. Both list the overdue leads in pages ' +
          `of ${PAGE}; the ratio is the median over rounds of job over bare time per lead.`,
      ],
    };
  } finally {
    files.remove();
  }
}
