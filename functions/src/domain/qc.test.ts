import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { drawSample, samplesLateVisit } from './qc.js';
import { aVisit } from './test-fixtures.js';
import type { Visit } from './visits.js';

const SEED = 20260302;

type SizeCase = { name: string; counts: Record<string, number>; rate: number; size: number };

/** `count` visits of each rep, in turn, with ids that sort in the order they were made. */
function dayOf(counts: Record<string, number>): Visit[] {
  return Object.entries(counts).flatMap(([rep, count]) =>
    Array.from({ length: count }, (_, index) =>
      aVisit({ id: `${rep}-${String(index).padStart(3, '0')}`, repEmail: `${rep}@example.com` }),
    ),
  );
}

const repsOf = (visits: readonly Visit[]) => new Set(visits.map((visit) => visit.repEmail));

const REPS = ['ana', 'bo', 'cy', 'dai', 'eli'].map((name) => `${name}@example.com`);

/** A day's visits: unique ids, each by one of a handful of reps. */
const visitsArbitrary = fc
  .uniqueArray(
    fc.record({
      id: fc.stringMatching(/^[0-9A-Z]{4,8}$/),
      repEmail: fc.constantFrom(...REPS),
    }),
    { selector: (visit) => visit.id, maxLength: 60 },
  )
  .map((rows) => rows.map((row) => aVisit(row)));

/** A rate in whole percent, so the expected size is counted without floating point. */
const percentArbitrary = fc.integer({ min: 0, max: 100 });

const seedArbitrary = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

describe('drawSample', () => {
  it('draws nothing from a day without visits', () => {
    expect(drawSample([], 0.1, SEED)).toEqual([]);
  });

  it.each<SizeCase>([
    { name: 'a tenth of one rep’s 20 visits', counts: { ana: 20 }, rate: 0.1, size: 2 },
    { name: 'a tenth of 21 visits, rounded up', counts: { ana: 21 }, rate: 0.1, size: 3 },
    {
      name: 'one of each of 3 reps’ 5 visits',
      counts: { ana: 3, bo: 1, cy: 1 },
      rate: 0.1,
      size: 3,
    },
    { name: 'one visit each at a rate of 0', counts: { ana: 8, bo: 8 }, rate: 0, size: 2 },
    { name: 'every visit at a rate of 1', counts: { ana: 8, bo: 4 }, rate: 1, size: 12 },
    { name: '7 of 100 visits at 7%', counts: { ana: 60, bo: 40 }, rate: 0.07, size: 7 },
  ])('draws $name', ({ counts, rate, size }) => {
    expect(drawSample(dayOf(counts), rate, SEED)).toHaveLength(size);
  });

  it('draws the same sample again from the same seed', () => {
    const visits = dayOf({ ana: 12, bo: 9, cy: 3 });

    expect(drawSample(visits, 0.1, SEED)).toEqual(drawSample(visits, 0.1, SEED));
  });

  it('draws a different sample from almost every other seed', () => {
    const visits = dayOf({ ana: 20, bo: 20, cy: 10 });

    const samples = Array.from({ length: 20 }, (_, seed) => drawSample(visits, 0.1, seed));

    expect(new Set(samples.map((sample) => sample.join())).size).toBeGreaterThanOrEqual(18);
  });

  it('samples at least one visit of every rep who logged any', () => {
    fc.assert(
      fc.property(visitsArbitrary, percentArbitrary, seedArbitrary, (visits, percent, seed) => {
        const sample = drawSample(visits, percent / 100, seed);

        const sampled = visits.filter((visit) => sample.includes(visit.id));
        expect(repsOf(sampled)).toEqual(repsOf(visits));
      }),
    );
  });

  it('draws the rate of the day’s visits, rounded up, or one per rep if that is more', () => {
    fc.assert(
      fc.property(visitsArbitrary, percentArbitrary, seedArbitrary, (visits, percent, seed) => {
        const sample = drawSample(visits, percent / 100, seed);

        const byRate = Math.ceil((percent * visits.length) / 100);
        expect(sample).toHaveLength(Math.max(repsOf(visits).size, byRate));
      }),
    );
  });

  it('answers distinct ids of the day’s visits, in id order', () => {
    fc.assert(
      fc.property(visitsArbitrary, percentArbitrary, seedArbitrary, (visits, percent, seed) => {
        const sample = drawSample(visits, percent / 100, seed);

        const ids = visits.map((visit) => visit.id);
        expect(sample.every((id) => ids.includes(id))).toBe(true);
        expect(sample).toEqual([...new Set(sample)].sort());
      }),
    );
  });

  it('draws the same sample from the same seed whatever order the visits come in', () => {
    const shuffled = visitsArbitrary.chain((visits) =>
      fc.tuple(
        fc.constant(visits),
        fc.shuffledSubarray(visits, { minLength: visits.length, maxLength: visits.length }),
      ),
    );

    fc.assert(
      fc.property(
        shuffled,
        percentArbitrary,
        seedArbitrary,
        ([visits, reordered], percent, seed) => {
          const rate = percent / 100;

          expect(drawSample(reordered, rate, seed)).toEqual(drawSample(visits, rate, seed));
        },
      ),
    );
  });
});

describe('samplesLateVisit', () => {
  const ANA = 'ana@example.com';
  const drawn = (rate: number) => ({ seed: SEED, rate, reps: [ANA] });
  const late = (id: string, repEmail = ANA) => ({ id, repEmail });

  it('always samples a late visit of a rep the sample has none of', () => {
    expect(samplesLateVisit(drawn(0), late('visit-1', 'bo@example.com'))).toBe(true);
  });

  it('draws a covered rep’s late visit at the sample’s rate', () => {
    expect(samplesLateVisit(drawn(0), late('visit-1'))).toBe(false);
    expect(samplesLateVisit(drawn(1), late('visit-1'))).toBe(true);

    const ids = Array.from({ length: 4000 }, (_, n) => `visit-${n}`);
    const sampled = ids.filter((id) => samplesLateVisit(drawn(0.1), late(id))).length;
    expect(sampled / ids.length).toBeGreaterThan(0.08);
    expect(sampled / ids.length).toBeLessThan(0.12);
  });

  it('draws the same for the same seed and visit, and differently for another seed', () => {
    const ids = Array.from({ length: 200 }, (_, n) => `visit-${n}`);
    const draw = (seed: number) =>
      ids.filter((id) => samplesLateVisit({ seed, rate: 0.5, reps: [ANA] }, late(id)));

    expect(draw(SEED)).toEqual(draw(SEED));
    expect(draw(SEED)).not.toEqual(draw(SEED + 1));
  });
});
