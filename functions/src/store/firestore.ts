import { createHash } from 'node:crypto';

import {
  FieldValue,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type QuerySnapshot,
  type Transaction,
} from '@google-cloud/firestore';
import * as z from 'zod';

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

const LeadKeySchema = z.object({ key: z.string(), leadId: z.string() });

type Schema<T> = z.ZodType<T, unknown>;

/** Firestore refuses an `in` filter with more values than this. */
const MAX_IN_VALUES = 30;

export class CorruptDocumentError extends Error {
  constructor(
    readonly path: string,
    issues: string,
  ) {
    super(`The document ${path} does not match its schema:\n${issues}`);
  }
}

/** A document read back is checked against its schema: a corrupt document fails loudly. */
function parseData<T>(schema: Schema<T>, path: string, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new CorruptDocumentError(path, z.prettifyError(parsed.error));

  return parsed.data;
}

function parseDoc<T>(schema: Schema<T>, snapshot: DocumentSnapshot): T | null {
  return snapshot.exists ? parseData(schema, snapshot.ref.path, snapshot.data()) : null;
}

function parseDocs<T>(schema: Schema<T>, snapshot: QuerySnapshot): T[] {
  return snapshot.docs.map((doc) => parseData(schema, doc.ref.path, doc.data()));
}

/**
 * Lead keys and idempotency ids come from user input, and a document id may not contain
 * '/', be '.' or '..', match __.*__ or exceed 1,500 bytes; a hash is always a valid id. The
 * documents keep the original value as a field.
 */
function hashedId(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Where a visit stands with QC, kept as a field so the queue is read from an index. */
function qcStatusOf(visit: Visit): QcVerdict | 'queued' | null {
  if (!visit.qc) return null;

  return visit.qc.verdict ?? 'queued';
}

function chunksOf<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) {
    chunks.push(values.slice(start, start + size));
  }

  return chunks;
}

function refsFor(db: Firestore) {
  return {
    leads: db.collection('leads'),
    members: db.collection('members'),
    events: db.collection('events'),
    jobRuns: db.collection('jobRuns'),
    visits: db.collection('visits'),
    reports: db.collection('reports'),
    jobRun: (id: string) => db.collection('jobRuns').doc(id),
    lead: (id: string) => db.collection('leads').doc(id),
    member: (email: string) => db.collection('members').doc(email),
    policy: () => db.collection('settings').doc('policy'),
    syncState: () => db.collection('settings').doc('sheetSync'),
    leadKey: (key: string) => db.collection('leadKeys').doc(hashedId(key)),
    event: (id: string) => db.collection('events').doc(id),
    idempotency: (id: string) => db.collection('idempotency').doc(hashedId(id)),
    visit: (id: string) => db.collection('visits').doc(id),
    report: (id: string) => db.collection('reports').doc(id),
    qcSample: (day: string) => db.collection('qcSamples').doc(day),
  };
}

type Refs = ReturnType<typeof refsFor>;

class FirestoreTransaction implements StoreTransaction {
  constructor(
    private readonly refs: Refs,
    private readonly t: Transaction,
  ) {}

  /** Many documents in one round trip; the client refuses an empty list, so none is sent. */
  private async getAll(refs: DocumentReference[]): Promise<DocumentSnapshot[]> {
    return refs.length === 0 ? [] : this.t.getAll(...refs);
  }

  async getLead(id: string): Promise<Lead | null> {
    return parseDoc(LeadSchema, await this.t.get(this.refs.lead(id)));
  }

  /** The documents that exist among `refs`, by document id. */
  private async getMany<T>(schema: Schema<T>, refs: DocumentReference[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const snapshot of await this.getAll(refs)) {
      const doc = parseDoc(schema, snapshot);
      if (doc) found.set(snapshot.id, doc);
    }

    return found;
  }

  async getLeads(ids: readonly string[]): Promise<Map<string, Lead>> {
    return this.getMany(
      LeadSchema,
      ids.map((id) => this.refs.lead(id)),
    );
  }

  async getMember(email: string): Promise<Member | null> {
    return parseDoc(MemberSchema, await this.t.get(this.refs.member(email)));
  }

  async getMembers(emails: readonly string[]): Promise<Map<string, Member>> {
    return this.getMany(
      MemberSchema,
      emails.map((email) => this.refs.member(email)),
    );
  }

  async getPolicy(): Promise<Policy> {
    return parseDoc(PolicySchema, await this.t.get(this.refs.policy())) ?? DEFAULT_POLICY;
  }

  async getLeadIdsByKeys(keys: readonly string[]): Promise<Map<string, string>> {
    const snapshots = await this.getAll(keys.map((key) => this.refs.leadKey(key)));
    const found = new Map<string, string>();
    for (const snapshot of snapshots) {
      const taken = parseDoc(LeadKeySchema, snapshot);
      if (taken) found.set(taken.key, taken.leadId);
    }

    return found;
  }

  async getIdempotency(id: string): Promise<IdempotencyRecord | null> {
    return parseDoc(IdempotencyRecordSchema, await this.t.get(this.refs.idempotency(id)));
  }

  async getVisit(id: string): Promise<Visit | null> {
    return parseDoc(VisitSchema, await this.t.get(this.refs.visit(id)));
  }

  async getVisits(ids: readonly string[]): Promise<Map<string, Visit>> {
    return this.getMany(
      VisitSchema,
      ids.map((id) => this.refs.visit(id)),
    );
  }

  async getReport(id: string): Promise<DailyReport | null> {
    return parseDoc(DailyReportSchema, await this.t.get(this.refs.report(id)));
  }

  async getQcSample(day: string): Promise<QcSample | null> {
    return parseDoc(QcSampleSchema, await this.t.get(this.refs.qcSample(day)));
  }

  async getSyncState(): Promise<SyncState | null> {
    return parseDoc(SyncStateSchema, await this.t.get(this.refs.syncState()));
  }

  saveLead(lead: Lead): void {
    // `dueAt` exists for the overdue index only; reading a lead back drops it again.
    this.t.set(this.refs.lead(lead.id), { ...LeadSchema.parse(lead), dueAt: nextDueAt(lead) });
  }

  saveMember(member: Member): void {
    this.t.set(this.refs.member(member.email), MemberSchema.parse(member));
  }

  savePolicy(policy: Policy): void {
    this.t.set(this.refs.policy(), PolicySchema.parse(policy));
  }

  saveLeadKey(key: string, leadId: string): void {
    // A key belongs to its first lead for good: `create` fails the commit if it is taken.
    this.t.create(this.refs.leadKey(key), { key, leadId });
  }

  appendEvents(events: readonly StoredEvent[]): void {
    // The history is append-only, so an event id that exists already fails the commit.
    // `committedAt` is the commit's own time, so the history can be read in the order the
    // store applied it; `at` is when the request asked, before it waited for any lock.
    for (const event of events) {
      const doc = { ...StoredEventSchema.parse(event), committedAt: FieldValue.serverTimestamp() };
      this.t.create(this.refs.event(event.id), doc);
    }
  }

  saveIdempotency(record: IdempotencyRecord): void {
    this.t.set(this.refs.idempotency(record.id), IdempotencyRecordSchema.parse(record));
  }

  saveVisit(visit: Visit): void {
    // `qcStatus` exists for the QC queue's index only; reading a visit back drops it again.
    const doc = { ...VisitSchema.parse(visit), qcStatus: qcStatusOf(visit) };
    this.t.set(this.refs.visit(visit.id), doc);
  }

  saveReport(report: DailyReport): void {
    this.t.set(this.refs.report(report.id), DailyReportSchema.parse(report));
  }

  saveQcSample(sample: QcSample): void {
    this.t.set(this.refs.qcSample(sample.day), QcSampleSchema.parse(sample));
  }

  saveSyncState(state: SyncState): void {
    this.t.set(this.refs.syncState(), SyncStateSchema.parse(state));
  }
}

/**
 * The production store. Every rule is decided inside `runTransaction`, whose reads lock
 * the documents they touch until commit; counters live on documents and are read there,
 * never recomputed by a query, because queries cannot be locked the same way.
 */
export class FirestoreStore implements Store {
  private readonly refs: Refs;
  private readonly maxAttempts: number;

  /**
   * `maxAttempts` above the client's default of 5: in a morning rush many reps contend for
   * the same few pool leads, and a contended transaction is aborted and retried.
   */
  constructor(
    private readonly db: Firestore,
    options: { maxAttempts?: number } = {},
  ) {
    this.refs = refsFor(db);
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.db.runTransaction((t) => work(new FirestoreTransaction(this.refs, t)), {
      maxAttempts: this.maxAttempts,
    });
  }

  async getLead(id: string): Promise<Lead | null> {
    return parseDoc(LeadSchema, await this.refs.lead(id).get());
  }

  async getMember(email: string): Promise<Member | null> {
    return parseDoc(MemberSchema, await this.refs.member(email).get());
  }

  async getPolicy(): Promise<Policy> {
    return parseDoc(PolicySchema, await this.refs.policy().get()) ?? DEFAULT_POLICY;
  }

  async listMembers(): Promise<Member[]> {
    return parseDocs(MemberSchema, await this.refs.members.orderBy('email').get());
  }

  async listPool(limit: number, after: PoolPosition | null): Promise<Page<Lead>> {
    const ordered = this.refs.leads
      .where('status', '==', 'pool')
      .orderBy('createdAt')
      .orderBy('id');
    const from = after ? ordered.startAfter(after.createdAt, after.id) : ordered;

    // One extra document tells whether another page follows.
    const leads = parseDocs(LeadSchema, await from.limit(limit + 1).get());

    return pageOf(leads, limit, (last) => ({ createdAt: last.createdAt, id: last.id }));
  }

  async listLeadsWithStatus(
    status: LeadStatus,
    limit: number,
    after: PoolPosition | null,
  ): Promise<Page<Lead>> {
    // Served by the same (status, createdAt, id) index as the pool.
    const ordered = this.refs.leads
      .where('status', '==', status)
      .orderBy('createdAt')
      .orderBy('id');
    const from = after ? ordered.startAfter(after.createdAt, after.id) : ordered;

    const leads = parseDocs(LeadSchema, await from.limit(limit + 1).get());

    return pageOf(leads, limit, (last) => ({ createdAt: last.createdAt, id: last.id }));
  }

  async listOwnedLeads(email: string): Promise<Lead[]> {
    const snapshot = await this.refs.leads
      .where('ownerEmail', '==', email)
      .where('status', '==', 'owned')
      .orderBy('createdAt')
      .orderBy('id')
      .get();

    return parseDocs(LeadSchema, snapshot);
  }

  async listLeadEvents(leadId: string): Promise<StoredEvent[]> {
    const snapshot = await this.refs.events
      .where('leadId', '==', leadId)
      .orderBy('at')
      .orderBy('seq')
      .get();

    return parseDocs(StoredEventSchema, snapshot);
  }

  async listOverdueLeads(
    now: string,
    limit: number,
    after: DuePosition | null,
  ): Promise<Page<Lead, DuePosition>> {
    const ordered = this.refs.leads
      .where('status', '==', 'owned')
      .where('dueAt', '<=', now)
      .orderBy('dueAt')
      .orderBy('id');
    const from = after ? ordered.startAfter(after.dueAt, after.id) : ordered;

    const leads = parseDocs(LeadSchema, await from.limit(limit + 1).get());

    return pageOf(leads, limit, (last) => ({ dueAt: nextDueAt(last) ?? now, id: last.id }));
  }

  /** Served by the (day, at, id) index, or by (day, repEmail, at, id) for one rep. */
  private visitsInOrder({ day, repEmail }: VisitFilter) {
    let query = this.refs.visits.where('day', '==', day);
    if (repEmail !== undefined) query = query.where('repEmail', '==', repEmail);

    return query.orderBy('at').orderBy('id');
  }

  async listVisits(day: string, repEmail?: string): Promise<Visit[]> {
    return parseDocs(VisitSchema, await this.visitsInOrder({ day, repEmail }).get());
  }

  async listVisitsPage(
    filter: VisitFilter,
    limit: number,
    after: VisitPosition | null,
  ): Promise<Page<Visit, VisitPosition>> {
    const ordered = this.visitsInOrder(filter);
    const from = after ? ordered.startAfter(after.at, after.id) : ordered;

    const visits = parseDocs(VisitSchema, await from.limit(limit + 1).get());

    return pageOf(visits, limit, (last) => ({ at: last.at, id: last.id }));
  }

  async listQcQueue(
    limit: number,
    after: QueuePosition | null,
  ): Promise<Page<Visit, QueuePosition>> {
    // Served by the (qcStatus, day, id) index.
    const ordered = this.refs.visits.where('qcStatus', '==', 'queued').orderBy('day').orderBy('id');
    const from = after ? ordered.startAfter(after.day, after.id) : ordered;

    const visits = parseDocs(VisitSchema, await from.limit(limit + 1).get());

    return pageOf(visits, limit, (last) => ({ day: last.day, id: last.id }));
  }

  async listReports(day: string): Promise<DailyReport[]> {
    const snapshot = await this.refs.reports.where('day', '==', day).orderBy('repEmail').get();

    return parseDocs(DailyReportSchema, snapshot);
  }

  async listEventsBetween(
    from: string,
    to: string,
    types: readonly EventType[],
  ): Promise<StoredEvent[]> {
    // Each query takes at most MAX_IN_VALUES types, and the client refuses an empty `in`.
    const chunks = chunksOf([...new Set(types)], MAX_IN_VALUES);
    const snapshots = await Promise.all(
      chunks.map((chunk) =>
        this.refs.events
          .where('type', 'in', chunk)
          .where('at', '>=', from)
          .where('at', '<', to)
          .orderBy('at')
          .orderBy('seq')
          .get(),
      ),
    );
    const events = snapshots.flatMap((snapshot) => parseDocs(StoredEventSchema, snapshot));
    if (chunks.length <= 1) return events;

    // Every chunk arrives in order, but only its own; the merge puts them in order together.
    return events.sort(
      (a, b) => a.at.localeCompare(b.at) || a.seq - b.seq || a.id.localeCompare(b.id),
    );
  }

  async saveJobRun(run: JobRun): Promise<void> {
    await this.refs.jobRun(run.id).set(JobRunSchema.parse(run));
  }

  async findJobRuns(filter: JobRunFilter): Promise<JobRun[]> {
    let query = this.refs.jobRuns.where('job', '==', filter.job);
    if (filter.status !== undefined) query = query.where('status', '==', filter.status);
    if (filter.day !== undefined) query = query.where('day', '==', filter.day);
    if (filter.scheduleTime !== undefined) {
      query = query.where('scheduleTime', '==', filter.scheduleTime);
    }

    const runs = parseDocs(JobRunSchema, await query.get());
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async listJobRuns(limit: number): Promise<JobRun[]> {
    const snapshot = await this.refs.jobRuns.orderBy('startedAt', 'desc').limit(limit).get();

    return parseDocs(JobRunSchema, snapshot);
  }

  async close(): Promise<void> {
    await this.db.terminate();
  }
}
