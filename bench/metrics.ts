/** What a metric must reach; a metric without a goal is reported for context only. */
export type Goal = { op: '>=' | '<=' | '='; target: number };

export type Metric = { name: string; value: number; goal: Goal | null };

export type BenchReport = {
  metrics: Metric[];
  /** How to read the numbers: what was measured, under what conditions. */
  notes: string[];
};

/** One benchmark: a module under bench/ exporting a function of this type. */
export type Benchmark = () => Promise<BenchReport>;

export function meetsGoal({ value, goal }: Metric): boolean | null {
  if (!goal) return null;

  switch (goal.op) {
    case '>=':
      return value >= goal.target;
    case '<=':
      return value <= goal.target;
    case '=':
      return value === goal.target;
  }
}

export function formatGoal(goal: Goal | null): string {
  return goal ? `${goal.op} ${goal.target}` : '';
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('The median of no values is undefined');

  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
