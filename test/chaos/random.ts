import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Every choice a chaos worker makes, drawn from one seed, so its script can be read back. */
export class Random {
  private readonly rng: ReturnType<typeof xoroshiro128plus>;

  constructor(readonly seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** An integer from `from` to `to`, both included. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  chance(probability: number): boolean {
    return this.int(0, 999_999) < probability * 1_000_000;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Nothing to pick from');

    return items[this.int(0, items.length - 1)]!;
  }

  /** `count` different items (fewer if there are fewer), in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const left = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && left.length > 0) {
      chosen.push(left.splice(this.int(0, left.length - 1), 1)[0]!);
    }

    return chosen;
  }

  /** A key drawn in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    let ticket = this.int(0, entries.reduce((total, [, weight]) => total + weight, 0) - 1);
    for (const [key, weight] of entries) {
      if (ticket < weight) return key;

      ticket -= weight;
    }

    throw new Error('Weights must be positive integers');
  }
}
