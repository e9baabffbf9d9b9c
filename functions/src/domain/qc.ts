import { createHash } from 'node:crypto';

import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

import type { Visit } from './visits.js';

/**
 * The night's quality-control sample: `rate` of the day's visits, and at least one visit of
 * every rep who logged any, so nobody's day goes unchecked. The draw depends only on the
 * seed and the set of visits (they are ordered by id first), so anyone holding the recorded
 * seed can draw the same sample again and audit it.
 */
export function drawSample(visits: readonly Visit[], rate: number, seed: number): string[] {
  // Plain code-unit order, not the locale's: an audit must draw the same sample anywhere.
  const ordered = [...visits].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rng = xoroshiro128plus(seed);
  const pick = (count: number) => uniformInt(rng, 0, count - 1);

  const byRep = new Map<string, Visit[]>();
  for (const visit of ordered) {
    byRep.set(visit.repEmail, [...(byRep.get(visit.repEmail) ?? []), visit]);
  }

  const chosen = new Set<string>();
  for (const rep of [...byRep.keys()].sort()) {
    const own = byRep.get(rep)!;
    chosen.add(own[pick(own.length)]!.id);
  }

  // 7% of 100 is 7.000000000000001 in floating point: without the slack it would draw 8.
  const target = Math.max(chosen.size, Math.ceil(rate * ordered.length - 1e-9));
  const rest = ordered.filter((visit) => !chosen.has(visit.id));
  while (chosen.size < target && rest.length > 0) {
    const [visit] = rest.splice(pick(rest.length), 1);
    chosen.add(visit!.id);
  }

  return ordered.filter((visit) => chosen.has(visit.id)).map((visit) => visit.id);
}

/** What a visit logged after its day's sample was drawn is judged against. */
export type DrawnSample = { seed: number; rate: number; reps: readonly string[] };

/**
 * Whether a visit logged after its day's sample was drawn goes to QC too: one backdated, or
 * logged after the night's draw. Were it never sampled, backdating would be a way around
 * QC. A rep with no visit in the day's sample yet always has this one checked, so every rep
 * who logged that day still gets one; otherwise it is drawn at the sample's rate from a
 * hash of the sample's seed and the visit's id, which an audit can repeat.
 */
export function samplesLateVisit(sample: DrawnSample, visit: Pick<Visit, 'id' | 'repEmail'>) {
  if (!sample.reps.includes(visit.repEmail)) return true;

  const hash = createHash('sha256').update(`${sample.seed}:${visit.id}`).digest();
  return hash.readUInt32BE(0) / 2 ** 32 < sample.rate;
}
