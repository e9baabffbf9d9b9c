import { createHash } from 'node:crypto';

import type { Actor } from '../app/actor.js';
import { sampleMissedVisit } from '../app/field.js';
import { drawSample } from '../domain/qc.js';
import { teamDay } from '../domain/time.js';
import type { JobDeps } from './ledger.js';

export const DEFAULT_TEAM = 'leadpool';

export type QcSampleCounts = { visits: number; sampled: number; reps: number; seed: number };

/** The seed of a team's sample for a day: anyone with both can draw the same sample again. */
export function sampleSeed(team: string, day: string): number {
  return createHash('sha256').update(`${team}:${day}`).digest().readInt32BE(0);
}

/**
 * Draws the night's QC sample from the team day's visits and queues the chosen visits for
 * QC. A day is sampled once: a rerun finds the recorded sample and changes nothing. Visits
 * logged for the day once it is drawn are judged against the sample as they are logged;
 * those logged while the draw ran are judged here, once the sample is recorded.
 */
export async function sampleVisits(
  deps: JobDeps,
  now: Date,
  actor: Actor,
): Promise<QcSampleCounts> {
  const policy = await deps.store.getPolicy();
  const day = teamDay(now, policy.timeZone);
  const visits = await deps.store.listVisits(day);
  const seed = sampleSeed(deps.team ?? DEFAULT_TEAM, day);
  const chosen = drawSample(visits, policy.qcSampleRate, seed);
  const reps = new Set(visits.map((visit) => visit.repEmail)).size;

  const sampled = await deps.store.transaction(async (tx) => {
    if (await tx.getQcSample(day)) return 0;

    const found = await tx.getVisits(chosen);
    for (const visit of found.values()) {
      tx.saveVisit({
        ...visit,
        qc: { sampleId: day, verdict: null, note: null, by: null, at: null },
      });
    }
    tx.saveQcSample({
      day,
      seed,
      rate: policy.qcSampleRate,
      visitIds: chosen,
      reps: [...new Set([...found.values()].map((visit) => visit.repEmail))].sort(),
      drawnAt: now.toISOString(),
      runId: actor.requestId,
    });
    return found.size;
  });

  // A visit that committed after the listing above but before the sample did saw no sample
  // when it was logged; every visit logged later sees it. Listing again catches the first.
  const listed = new Set(visits.map((visit) => visit.id));
  const missed = (await deps.store.listVisits(day)).filter((visit) => !listed.has(visit.id));
  let late = 0;
  for (const visit of missed) {
    if (await deps.store.transaction((tx) => sampleMissedVisit(tx, visit.id))) late += 1;
  }

  return { visits: visits.length + missed.length, sampled: sampled + late, reps, seed };
}
