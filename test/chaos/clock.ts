import Database from 'better-sqlite3';

/**
 * The team's time as every worker of a run sees it: minutes since `base`, kept in a small
 * SQLite file of its own, which each operation moves on before it starts. Workers that each
 * kept their own clock would drift apart by days as one outpaced another, and a request
 * stamped days before a commit that came earlier is not something a team ever sees.
 */
export class SharedClock {
  private readonly db: Database.Database;
  private readonly step: Database.Statement<[number], { minutes: number }>;

  constructor(
    path: string,
    private readonly base: Date,
  ) {
    this.db = new Database(path, { timeout: 10_000 });
    this.step = this.db.prepare('UPDATE clock SET minutes = minutes + ? RETURNING minutes');
  }

  static create(path: string): void {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE clock (minutes INTEGER NOT NULL); INSERT INTO clock VALUES (0);');
    db.close();
  }

  /** Moves the clock on by `minutes` and answers the time it now shows. */
  advance(minutes: number): Date {
    const { minutes: total } = this.step.get(minutes)!;

    return new Date(this.base.getTime() + total * 60_000);
  }

  close(): void {
    this.db.close();
  }
}
