/**
 * Runs every benchmark and prints one table of metrics against their goals.
 *
 *   npm run bench                      all benchmarks
 *   npm run bench -- --only coldstart  the benchmarks whose name starts with "coldstart"
 *   npm run bench -- --json FILE       also writes {"metrics":[{name, value, goal}]} to FILE
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { claimRush } from './claim-rush.js';
import { coldStart } from './cold-start.js';
import { distributeVsRawTx } from './distribute-vs-raw.js';
import { formatGoal, meetsGoal, type Benchmark, type Metric } from './metrics.js';
import { reclaimScaling } from './reclaim-scaling.js';
import { reclaimVsRawTx } from './reclaim-vs-raw.js';
import { sheetSync } from './sheet-sync.js';

const BENCHMARKS: Record<string, Benchmark> = {
  'claim.rush': claimRush,
  coldstart: coldStart,
  'reclaim.scaling': reclaimScaling,
  'reclaim.vs_raw_tx': reclaimVsRawTx,
  'distribute.vs_raw_tx': distributeVsRawTx,
  sync: sheetSync,
};

function table(metrics: Metric[]): string {
  const rows = [
    ['name', 'value', 'goal', 'ok'],
    ...metrics.map((metric) => {
      const met = meetsGoal(metric);

      return [
        metric.name,
        String(metric.value),
        formatGoal(metric.goal),
        met === null ? '' : met ? 'yes' : 'NO',
      ];
    }),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');

  return [
    line(rows[0]!),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.slice(1).map(line),
  ]
    .map((text) => text.trimEnd())
    .join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, only: { type: 'string' } },
  });
  const chosen = Object.entries(BENCHMARKS).filter(([name]) => name.startsWith(values.only ?? ''));
  if (chosen.length === 0) throw new Error(`No benchmark is named ${values.only}`);

  const metrics: Metric[] = [];
  const notes: string[] = [];
  for (const [name, benchmark] of chosen) {
    const started = performance.now();
    process.stderr.write(`running ${name}…\n`);

    const report = await benchmark();
    metrics.push(...report.metrics);
    notes.push(...report.notes.map((note) => `${name}: ${note}`));
    process.stderr.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }

  console.log(`\n${table(metrics)}\n`);
  for (const note of notes) console.log(`- ${note}`);

  if (values.json) {
    const json = metrics.map(({ name, value, goal }) => ({
      name,
      value,
      goal: goal && formatGoal(goal),
    }));
    writeFileSync(values.json, `${JSON.stringify({ metrics: json }, null, 2)}\n`);
  }
}

await main();
