/**
 * One function instance in a chaos run: a process with a store of its own on the shared
 * target, a SQLite file or a Firestore project. It opens the store, says it is ready, and on
 * "go" draws operations from its seed until its budget of operations or wall time is spent,
 * each at the moment the shared clock shows once the operation has moved it on. Then it
 * reports how each ended.
 */
import { openStore, type StoreTarget } from '../support/store-target.js';
import { SharedClock } from './clock.js';
import { FAULT, Operations, WEIGHTS, type OperationName } from './operations.js';
import { Random } from './random.js';

export type ChaosOrders = {
  type: 'orders';
  name: string;
  target: StoreTarget;
  clockPath: string;
  base: string;
  seed: number;
  operations: number;
  wallMs: number;
  /** The mean step of the shared clock per operation, in minutes. */
  stepMinutes: number;
};

export type WorkerReport = {
  name: string;
  seed: number;
  attempted: number;
  /** Operation → how it ended ('committed', a refusal's code, 'fault') → how often. */
  outcomes: Record<string, Record<string, number>>;
  retries: number;
  faultCount: number;
  /** The first few faults, in full. */
  faults: string[];
  ms: number;
};

export type WorkerMessage =
  { type: 'ready' } | { type: 'report'; report: WorkerReport } | { type: 'failed'; error: string };

/** Enough of the faults to diagnose them, without flooding the test's output. */
const FAULTS_KEPT = 20;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

function nextMessage<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (message) => resolve(message as T)));
}

async function main(): Promise<void> {
  const orders = await nextMessage<ChaosOrders>();
  const store = await openStore(orders.target);
  const clock = new SharedClock(orders.clockPath, new Date(orders.base));
  const random = new Random(orders.seed);
  const operations = await Operations.open(store, random, orders.name);

  // Listening before saying ready, so a "go" sent at once is not missed.
  const go = nextMessage<{ type: 'go' }>();
  await send({ type: 'ready' });
  await go;

  const started = performance.now();
  const outcomes: Record<string, Record<string, number>> = {};
  let attempted = 0;
  while (attempted < orders.operations && performance.now() - started < orders.wallMs) {
    const name: OperationName = random.weighted(WEIGHTS);
    const now = clock.advance(random.int(1, 2 * orders.stepMinutes - 1));
    const outcome = await operations.run(name, now).catch((error: unknown) => {
      operations.fault(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return FAULT;
    });

    attempted++;
    const tally = (outcomes[name] ??= {});
    tally[outcome] = (tally[outcome] ?? 0) + 1;
  }
  const ms = performance.now() - started;

  clock.close();
  await store.close();
  await send({
    type: 'report',
    report: {
      name: orders.name,
      seed: orders.seed,
      attempted,
      outcomes,
      retries: operations.retries,
      faultCount: operations.faults.length,
      faults: operations.faults.slice(0, FAULTS_KEPT),
      ms,
    },
  });
  process.disconnect();
}

main().catch(async (error: unknown) => {
  await send({
    type: 'failed',
    error: error instanceof Error ? (error.stack ?? '') : String(error),
  });
  process.exit(1);
});
