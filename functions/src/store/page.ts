import type { Page } from './port.js';

/**
 * The page a query answered when it was asked for one row more than `limit`: the extra row
 * only tells that another page follows, and the next page starts after the last row kept.
 */
export function pageOf<T, P>(
  rows: readonly T[],
  limit: number,
  positionOf: (last: T) => P,
): Page<T, P> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const next = rows.length > limit && last !== undefined ? positionOf(last) : null;

  return { items, next };
}
