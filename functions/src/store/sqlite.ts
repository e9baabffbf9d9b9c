import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import { StoredEventSchema, type EventType, type StoredEvent } from '../domain/events.js';
import { LeadSchema, nextDueAt, type Lead, type LeadStatus } from '../domain/lead.js';
import { MemberSchema, type Member } from '../domain/member.js';
import { DEFAULT_POLICY, PolicySchema, type Policy } from '../domain/policy.js';
import { VisitSchema, type QcVerdict, type Visit } from '../domain/visits.js';
import {
  DailyReportSchema,
  IdempotencyRecordSchema,
  JobRunSchema,
  QcSampleSchema,
  SyncStateSchema,
  type DailyReport,
  type DuePosition,
  type IdempotencyRecord,
  type JobRun,
  type JobRunFilter,
  type Page,
  type PoolPosition,
  type QcSample,
  type QueuePosition,
  type Store,
  type StoreTransaction,
  type SyncState,
  type VisitFilter,
  type VisitPosition,
} from './port.js';
import { pageOf } from './page.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS leads (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    owner_email TEXT,
    created_at TEXT NOT NULL,
    due_at TEXT,
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS leads_by_status_age ON leads (status, created_at, id);
  CREATE INDEX IF NOT EXISTS leads_by_status_due ON leads (status, due_at, id);
  CREATE INDEX IF NOT EXISTS leads_by_owner ON leads (owner_email, status);
  CREATE TABLE IF NOT EXISTS members (email TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS settings (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS lead_keys (key TEXT PRIMARY KEY, lead_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    lead_id TEXT,
    at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS events_by_lead ON events (lead_id, at, seq);
  CREATE INDEX IF NOT EXISTS events_by_time ON events (at, seq);
  CREATE TABLE IF NOT EXISTS job_runs (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    status TEXT NOT NULL,
    day TEXT,
    schedule_time TEXT,
    started_at TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS job_runs_by_job ON job_runs (job, status);
  CREATE INDEX IF NOT EXISTS job_runs_by_start ON job_runs (started_at);
  CREATE TABLE IF NOT EXISTS idempotency (
    id TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS visits (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    rep_email TEXT NOT NULL,
    at TEXT NOT NULL,
    qc_status TEXT,
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS visits_by_day ON visits (day, rep_email, at, id);
  CREATE INDEX IF NOT EXISTS visits_by_day_time ON visits (day, at, id);
  CREATE INDEX IF NOT EXISTS visits_by_qc ON visits (qc_status, day, id);
  CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    rep_email TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS reports_by_day ON reports (day, rep_email);
  CREATE TABLE IF NOT EXISTS qc_samples (day TEXT PRIMARY KEY, doc TEXT NOT NULL);
`;

type DocRow = { doc: string };

type JobRunQuery = {
  job: string;
  status: string | null;
  day: string | null;
  scheduleTime: string | null;
};

/** A document read back is checked against its schema: a corrupt row fails loudly. */
function parseDoc<T>(schema: { parse(value: unknown): T }, row: DocRow | undefined): T | null {
  return row ? schema.parse(JSON.parse(row.doc)) : null;
}

/** Where a visit stands with QC, kept in a column so the queue is read from an index. */
function qcStatusOf(visit: Visit): QcVerdict | 'queued' | null {
  if (!visit.qc) return null;

  return visit.qc.verdict ?? 'queued';
}

function statementsFor(db: Database.Database) {
  return {
    lead: db.prepare<[string], DocRow>('SELECT doc FROM leads WHERE id = ?'),
    member: db.prepare<[string], DocRow>('SELECT doc FROM members WHERE email = ?'),
    setting: db.prepare<[string], DocRow>('SELECT doc FROM settings WHERE id = ?'),
    leadKey: db.prepare<[string], { lead_id: string }>(
      'SELECT lead_id FROM lead_keys WHERE key = ?',
    ),
    idempotency: db.prepare<[string], DocRow>('SELECT doc FROM idempotency WHERE id = ?'),
    visit: db.prepare<[string], DocRow>('SELECT doc FROM visits WHERE id = ?'),
    report: db.prepare<[string], DocRow>('SELECT doc FROM reports WHERE id = ?'),
    qcSample: db.prepare<[string], DocRow>('SELECT doc FROM qc_samples WHERE day = ?'),
    saveLead: db.prepare(
      `INSERT INTO leads (id, status, owner_email, created_at, due_at, doc)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         status = excluded.status, owner_email = excluded.owner_email,
         due_at = excluded.due_at, doc = excluded.doc`,
    ),
    saveMember: db.prepare(
      `INSERT INTO members (email, doc) VALUES (?, ?)
       ON CONFLICT (email) DO UPDATE SET doc = excluded.doc`,
    ),
    saveSetting: db.prepare(
      `INSERT INTO settings (id, doc) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
    ),
    // A key belongs to its first lead for good; callers check before they insert.
    saveLeadKey: db.prepare('INSERT INTO lead_keys (key, lead_id) VALUES (?, ?)'),
    appendEvent: db.prepare(
      'INSERT INTO events (id, lead_id, at, seq, doc) VALUES (?, ?, ?, ?, ?)',
    ),
    saveIdempotency: db.prepare(
      `INSERT INTO idempotency (id, expires_at, doc) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, doc = excluded.doc`,
    ),
    saveVisit: db.prepare(
      `INSERT INTO visits (id, day, rep_email, at, qc_status, doc) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         day = excluded.day, rep_email = excluded.rep_email, at = excluded.at,
         qc_status = excluded.qc_status, doc = excluded.doc`,
    ),
    saveReport: db.prepare(
      `INSERT INTO reports (id, day, rep_email, doc) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         day = excluded.day, rep_email = excluded.rep_email, doc = excluded.doc`,
    ),
    saveQcSample: db.prepare(
      `INSERT INTO qc_samples (day, doc) VALUES (?, ?)
       ON CONFLICT (day) DO UPDATE SET doc = excluded.doc`,
    ),
    members: db.prepare<[], DocRow>('SELECT doc FROM members ORDER BY email'),
    poolFirst: db.prepare<[number], DocRow>(
      `SELECT doc FROM leads WHERE status = 'pool' ORDER BY created_at, id LIMIT ?`,
    ),
    // Row values keep the cursor inside the index; an OR would scan from the page's start.
    poolAfter: db.prepare<[string, string, number], DocRow>(
      `SELECT doc FROM leads WHERE status = 'pool' AND (created_at, id) > (?, ?)
       ORDER BY created_at, id LIMIT ?`,
    ),
    withStatusFirst: db.prepare<[string, number], DocRow>(
      'SELECT doc FROM leads WHERE status = ? ORDER BY created_at, id LIMIT ?',
    ),
    withStatusAfter: db.prepare<[string, string, string, number], DocRow>(
      `SELECT doc FROM leads WHERE status = ? AND (created_at, id) > (?, ?)
       ORDER BY created_at, id LIMIT ?`,
    ),
    owned: db.prepare<[string], DocRow>(
      `SELECT doc FROM leads WHERE owner_email = ? AND status = 'owned' ORDER BY created_at, id`,
    ),
    overdueFirst: db.prepare<[string, number], DocRow>(
      `SELECT doc FROM leads WHERE status = 'owned' AND due_at <= ?
       ORDER BY due_at, id LIMIT ?`,
    ),
    overdueAfter: db.prepare<[string, string, string, number], DocRow>(
      `SELECT doc FROM leads WHERE status = 'owned' AND due_at <= ? AND (due_at, id) > (?, ?)
       ORDER BY due_at, id LIMIT ?`,
    ),
    saveJobRun: db.prepare(
      `INSERT INTO job_runs (id, job, status, day, schedule_time, started_at, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
    ),
    jobRunsMatching: db.prepare<[JobRunQuery], DocRow>(
      `SELECT doc FROM job_runs WHERE job = @job
         AND (@status IS NULL OR status = @status)
         AND (@day IS NULL OR day = @day)
         AND (@scheduleTime IS NULL OR schedule_time = @scheduleTime)
       ORDER BY started_at DESC`,
    ),
    latestJobRuns: db.prepare<[number], DocRow>(
      'SELECT doc FROM job_runs ORDER BY started_at DESC, id LIMIT ?',
    ),
    leadEvents: db.prepare<[string], DocRow>(
      'SELECT doc FROM events WHERE lead_id = ? ORDER BY at, seq',
    ),
    // The types go in as one JSON array, so a single statement serves any number of them.
    eventsBetween: db.prepare<[string, string, string], DocRow>(
      `SELECT doc FROM events WHERE at >= ? AND at < ?
         AND json_extract(doc, '$.type') IN (SELECT value FROM json_each(?))
       ORDER BY at, seq, id`,
    ),
    visitsOnDay: db.prepare<[string], DocRow>(
      'SELECT doc FROM visits WHERE day = ? ORDER BY at, id',
    ),
    repVisitsOnDay: db.prepare<[string, string], DocRow>(
      'SELECT doc FROM visits WHERE day = ? AND rep_email = ? ORDER BY at, id',
    ),
    visitsPageFirst: db.prepare<[string, number], DocRow>(
      'SELECT doc FROM visits WHERE day = ? ORDER BY at, id LIMIT ?',
    ),
    visitsPageAfter: db.prepare<[string, string, string, number], DocRow>(
      `SELECT doc FROM visits WHERE day = ? AND (at, id) > (?, ?)
       ORDER BY at, id LIMIT ?`,
    ),
    repVisitsPageFirst: db.prepare<[string, string, number], DocRow>(
      'SELECT doc FROM visits WHERE day = ? AND rep_email = ? ORDER BY at, id LIMIT ?',
    ),
    repVisitsPageAfter: db.prepare<[string, string, string, string, number], DocRow>(
      `SELECT doc FROM visits WHERE day = ? AND rep_email = ? AND (at, id) > (?, ?)
       ORDER BY at, id LIMIT ?`,
    ),
    qcQueueFirst: db.prepare<[number], DocRow>(
      `SELECT doc FROM visits WHERE qc_status = 'queued' ORDER BY day, id LIMIT ?`,
    ),
    qcQueueAfter: db.prepare<[string, string, number], DocRow>(
      `SELECT doc FROM visits WHERE qc_status = 'queued' AND (day, id) > (?, ?)
       ORDER BY day, id LIMIT ?`,
    ),
    reportsOnDay: db.prepare<[string], DocRow>(
      'SELECT doc FROM reports WHERE day = ? ORDER BY rep_email, id',
    ),
  };
}

type Statements = ReturnType<typeof statementsFor>;

/** The documents that exist among `keys`, by key. */
function getMany<T>(keys: readonly string[], read: (key: string) => T | null): Map<string, T> {
  const found = new Map<string, T>();
  for (const key of keys) {
    const doc = read(key);
    if (doc) found.set(key, doc);
  }

  return found;
}

export class ReadAfterWriteError extends Error {
  constructor() {
    super('A transaction read after it wrote; Firestore would refuse this, so SQLite does too');
  }
}

class SqliteTransaction implements StoreTransaction {
  private wrote = false;

  constructor(private readonly sql: Statements) {}

  private read(): void {
    if (this.wrote) throw new ReadAfterWriteError();
  }

  private write(): void {
    this.wrote = true;
  }

  async getLead(id: string): Promise<Lead | null> {
    this.read();
    return parseDoc(LeadSchema, this.sql.lead.get(id));
  }

  async getLeads(ids: readonly string[]): Promise<Map<string, Lead>> {
    this.read();
    return getMany(ids, (id) => parseDoc(LeadSchema, this.sql.lead.get(id)));
  }

  async getMember(email: string): Promise<Member | null> {
    this.read();
    return parseDoc(MemberSchema, this.sql.member.get(email));
  }

  async getMembers(emails: readonly string[]): Promise<Map<string, Member>> {
    this.read();
    return getMany(emails, (email) => parseDoc(MemberSchema, this.sql.member.get(email)));
  }

  async getPolicy(): Promise<Policy> {
    this.read();
    return parseDoc(PolicySchema, this.sql.setting.get('policy')) ?? DEFAULT_POLICY;
  }

  async getLeadIdsByKeys(keys: readonly string[]): Promise<Map<string, string>> {
    this.read();
    const found = new Map<string, string>();
    for (const key of keys) {
      const row = this.sql.leadKey.get(key);
      if (row) found.set(key, row.lead_id);
    }

    return found;
  }

  async getIdempotency(id: string): Promise<IdempotencyRecord | null> {
    this.read();
    return parseDoc(IdempotencyRecordSchema, this.sql.idempotency.get(id));
  }

  async getVisit(id: string): Promise<Visit | null> {
    this.read();
    return parseDoc(VisitSchema, this.sql.visit.get(id));
  }

  async getVisits(ids: readonly string[]): Promise<Map<string, Visit>> {
    this.read();
    return getMany(ids, (id) => parseDoc(VisitSchema, this.sql.visit.get(id)));
  }

  async getReport(id: string): Promise<DailyReport | null> {
    this.read();
    return parseDoc(DailyReportSchema, this.sql.report.get(id));
  }

  async getQcSample(day: string): Promise<QcSample | null> {
    this.read();
    return parseDoc(QcSampleSchema, this.sql.qcSample.get(day));
  }

  async getSyncState(): Promise<SyncState | null> {
    this.read();
    return parseDoc(SyncStateSchema, this.sql.setting.get('sheetSync'));
  }

  saveLead(lead: Lead): void {
    this.write();
    const doc = JSON.stringify(LeadSchema.parse(lead));
    const dueAt = nextDueAt(lead);
    this.sql.saveLead.run(lead.id, lead.status, lead.ownerEmail, lead.createdAt, dueAt, doc);
  }

  saveMember(member: Member): void {
    this.write();
    this.sql.saveMember.run(member.email, JSON.stringify(MemberSchema.parse(member)));
  }

  savePolicy(policy: Policy): void {
    this.write();
    this.sql.saveSetting.run('policy', JSON.stringify(PolicySchema.parse(policy)));
  }

  saveLeadKey(key: string, leadId: string): void {
    this.write();
    this.sql.saveLeadKey.run(key, leadId);
  }

  appendEvents(events: readonly StoredEvent[]): void {
    this.write();
    for (const event of events) {
      const doc = JSON.stringify(StoredEventSchema.parse(event));
      this.sql.appendEvent.run(event.id, event.leadId, event.at, event.seq, doc);
    }
  }

  saveIdempotency(record: IdempotencyRecord): void {
    this.write();
    const doc = JSON.stringify(IdempotencyRecordSchema.parse(record));
    this.sql.saveIdempotency.run(record.id, record.expiresAt, doc);
  }

  saveVisit(visit: Visit): void {
    this.write();
    const doc = JSON.stringify(VisitSchema.parse(visit));
    const qcStatus = qcStatusOf(visit);
    this.sql.saveVisit.run(visit.id, visit.day, visit.repEmail, visit.at, qcStatus, doc);
  }

  saveReport(report: DailyReport): void {
    this.write();
    const doc = JSON.stringify(DailyReportSchema.parse(report));
    this.sql.saveReport.run(report.id, report.day, report.repEmail, doc);
  }

  saveQcSample(sample: QcSample): void {
    this.write();
    this.sql.saveQcSample.run(sample.day, JSON.stringify(QcSampleSchema.parse(sample)));
  }

  saveSyncState(state: SyncState): void {
    this.write();
    this.sql.saveSetting.run('sheetSync', JSON.stringify(SyncStateSchema.parse(state)));
  }
}

export type SqliteStoreOptions = {
  /** How long a transaction waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
};

/**
 * The embedded store. Several processes may share one database file, as several function
 * instances would: each transaction takes SQLite's write lock before its first read
 * (BEGIN IMMEDIATE), so read, decide and write happen under one lock.
 */
export class SqliteStore implements Store {
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly writeSql: Statements;
  private readonly readSql: Statements;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });

    const timeout = options.busyTimeoutMs ?? 10_000;
    this.writer = new Database(path, { timeout });
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma('synchronous = NORMAL');
    this.writer.exec(SCHEMA);

    // Lists read through their own connection, so they see only committed data even while
    // a transaction of this process is open on the writer.
    this.reader = path === ':memory:' ? this.writer : new Database(path, { timeout });
    this.writeSql = statementsFor(this.writer);
    this.readSql = this.reader === this.writer ? this.writeSql : statementsFor(this.reader);
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    // One connection cannot hold two transactions, and `work` is async, so transactions
    // of this process take turns; other processes wait on SQLite's own lock.
    const run = this.queue.then(() => this.runExclusive(work));
    this.queue = run.catch(() => undefined);

    return run;
  }

  private async runExclusive<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    this.writer.exec('BEGIN IMMEDIATE');
    try {
      const result = await work(new SqliteTransaction(this.writeSql));
      this.writer.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
      throw error;
    }
  }

  async getLead(id: string): Promise<Lead | null> {
    return parseDoc(LeadSchema, this.readSql.lead.get(id));
  }

  async getMember(email: string): Promise<Member | null> {
    return parseDoc(MemberSchema, this.readSql.member.get(email));
  }

  async getPolicy(): Promise<Policy> {
    return parseDoc(PolicySchema, this.readSql.setting.get('policy')) ?? DEFAULT_POLICY;
  }

  async listMembers(): Promise<Member[]> {
    return this.readSql.members.all().map((row) => MemberSchema.parse(JSON.parse(row.doc)));
  }

  async listPool(limit: number, after: PoolPosition | null): Promise<Page<Lead>> {
    // One extra row tells whether another page follows.
    const rows = after
      ? this.readSql.poolAfter.all(after.createdAt, after.id, limit + 1)
      : this.readSql.poolFirst.all(limit + 1);
    const leads = rows.map((row) => LeadSchema.parse(JSON.parse(row.doc)));

    return pageOf(leads, limit, (last) => ({ createdAt: last.createdAt, id: last.id }));
  }

  async listLeadsWithStatus(
    status: LeadStatus,
    limit: number,
    after: PoolPosition | null,
  ): Promise<Page<Lead>> {
    const rows = after
      ? this.readSql.withStatusAfter.all(status, after.createdAt, after.id, limit + 1)
      : this.readSql.withStatusFirst.all(status, limit + 1);
    const leads = rows.map((row) => LeadSchema.parse(JSON.parse(row.doc)));

    return pageOf(leads, limit, (last) => ({ createdAt: last.createdAt, id: last.id }));
  }

  async listOwnedLeads(email: string): Promise<Lead[]> {
    return this.readSql.owned.all(email).map((row) => LeadSchema.parse(JSON.parse(row.doc)));
  }

  async listLeadEvents(leadId: string): Promise<StoredEvent[]> {
    return this.readSql.leadEvents
      .all(leadId)
      .map((row) => StoredEventSchema.parse(JSON.parse(row.doc)));
  }

  async listOverdueLeads(
    now: string,
    limit: number,
    after: DuePosition | null,
  ): Promise<Page<Lead, DuePosition>> {
    const rows = after
      ? this.readSql.overdueAfter.all(now, after.dueAt, after.id, limit + 1)
      : this.readSql.overdueFirst.all(now, limit + 1);
    const leads = rows.map((row) => LeadSchema.parse(JSON.parse(row.doc)));

    return pageOf(leads, limit, (last) => ({ dueAt: nextDueAt(last) ?? now, id: last.id }));
  }

  async listVisits(day: string, repEmail?: string): Promise<Visit[]> {
    const rows =
      repEmail === undefined
        ? this.readSql.visitsOnDay.all(day)
        : this.readSql.repVisitsOnDay.all(day, repEmail);

    return rows.map((row) => VisitSchema.parse(JSON.parse(row.doc)));
  }

  async listVisitsPage(
    { day, repEmail }: VisitFilter,
    limit: number,
    after: VisitPosition | null,
  ): Promise<Page<Visit, VisitPosition>> {
    const sql = this.readSql;
    let rows: DocRow[];
    if (repEmail === undefined) {
      rows = after
        ? sql.visitsPageAfter.all(day, after.at, after.id, limit + 1)
        : sql.visitsPageFirst.all(day, limit + 1);
    } else {
      rows = after
        ? sql.repVisitsPageAfter.all(day, repEmail, after.at, after.id, limit + 1)
        : sql.repVisitsPageFirst.all(day, repEmail, limit + 1);
    }
    const visits = rows.map((row) => VisitSchema.parse(JSON.parse(row.doc)));

    return pageOf(visits, limit, (last) => ({ at: last.at, id: last.id }));
  }

  async listQcQueue(
    limit: number,
    after: QueuePosition | null,
  ): Promise<Page<Visit, QueuePosition>> {
    const rows = after
      ? this.readSql.qcQueueAfter.all(after.day, after.id, limit + 1)
      : this.readSql.qcQueueFirst.all(limit + 1);
    const visits = rows.map((row) => VisitSchema.parse(JSON.parse(row.doc)));

    return pageOf(visits, limit, (last) => ({ day: last.day, id: last.id }));
  }

  async listReports(day: string): Promise<DailyReport[]> {
    return this.readSql.reportsOnDay
      .all(day)
      .map((row) => DailyReportSchema.parse(JSON.parse(row.doc)));
  }

  async listEventsBetween(
    from: string,
    to: string,
    types: readonly EventType[],
  ): Promise<StoredEvent[]> {
    return this.readSql.eventsBetween
      .all(from, to, JSON.stringify(types))
      .map((row) => StoredEventSchema.parse(JSON.parse(row.doc)));
  }

  async saveJobRun(run: JobRun): Promise<void> {
    const doc = JSON.stringify(JobRunSchema.parse(run));
    // Ledger writes go through the writer, behind any transaction of this process.
    await this.transaction(async () => {
      this.writeSql.saveJobRun.run(
        run.id,
        run.job,
        run.status,
        run.day,
        run.scheduleTime,
        run.startedAt,
        doc,
      );
    });
  }

  async findJobRuns(filter: JobRunFilter): Promise<JobRun[]> {
    const query: JobRunQuery = {
      job: filter.job,
      status: filter.status ?? null,
      day: filter.day ?? null,
      scheduleTime: filter.scheduleTime ?? null,
    };

    return this.readSql.jobRunsMatching
      .all(query)
      .map((row) => JobRunSchema.parse(JSON.parse(row.doc)));
  }

  async listJobRuns(limit: number): Promise<JobRun[]> {
    return this.readSql.latestJobRuns
      .all(limit)
      .map((row) => JobRunSchema.parse(JSON.parse(row.doc)));
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}
