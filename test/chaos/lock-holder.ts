/**
 * Another instance in the middle of a long transaction: a process that takes SQLite's write
 * lock on the shared file (BEGIN IMMEDIATE), says so, and holds it until told to let go.
 */
import Database from 'better-sqlite3';

export type HolderOrders = { type: 'lock'; dbPath: string } | { type: 'release' };

export type HolderMessage =
  { type: 'locked' } | { type: 'released' } | { type: 'failed'; error: string };

function send(message: HolderMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

function nextMessage<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (message) => resolve(message as T)));
}

async function main(): Promise<void> {
  const { dbPath } = await nextMessage<Extract<HolderOrders, { type: 'lock' }>>();
  const db = new Database(dbPath);
  db.exec('BEGIN IMMEDIATE');

  // Listening before saying locked, so a "release" sent at once is not missed.
  const release = nextMessage<Extract<HolderOrders, { type: 'release' }>>();
  await send({ type: 'locked' });
  await release;

  db.exec('ROLLBACK');
  db.close();
  await send({ type: 'released' });
  process.disconnect();
}

main().catch(async (error: unknown) => {
  await send({
    type: 'failed',
    error: error instanceof Error ? (error.stack ?? '') : String(error),
  });
  process.exit(1);
});
