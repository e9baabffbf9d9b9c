import * as z from 'zod';

import type { EventType, StoredEvent } from '../domain/events.js';
import type { Lead, LeadStatus } from '../domain/lead.js';
import type { Member } from '../domain/member.js';
import type { Policy } from '../domain/policy.js';
import type { Visit } from '../domain/visits.js';

/** The first answer to a request made with an Idempotency-Key, replayed for every retry. */
export const IdempotencyRecordSchema = z.object({
  id: z.string(),
  requestHash: z.string(),
  status: z.number().int(),
  body: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export type IdempotencyRecord = z.infer<typeof IdempotencyRecordSchema>;

export const JOB_NAMES = ['reclaim', 'distribute', 'qc-sample', 'sheet-sync'] as const;

export type JobName = (typeof JOB_NAMES)[number];

export type JobTrigger = 'scheduler' | 'admin' | 'local';

/** One run of a scheduled job: the ledger managers read to see what ran and what it did. */
export const JobRunSchema = z.object({
  id: z.string(),
  job: z.enum(JOB_NAMES),
  trigger: z.enum(['scheduler', 'admin', 'local']),
  triggeredBy: z.string(),
  /** Cloud Scheduler's schedule time, the same on every retry of one firing. */
  scheduleTime: z.string().nullable(),
  /** The team day the run was for, for jobs that run once a day. */
  day: z.string().nullable(),
  status: z.enum(['running', 'done', 'failed', 'interrupted']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
});

export type JobRun = z.infer<typeof JobRunSchema>;

/** A rep's report of their day; submitting again replaces the text, the history keeps it. */
export const DailyReportSchema = z.object({
  id: z.string(),
  repEmail: z.string(),
  day: z.string(),
  text: z.string(),
  submittedAt: z.string(),
  revision: z.number().int().min(1),
});

export type DailyReport = z.infer<typeof DailyReportSchema>;

/** One night's quality-control sample, with the seed that draws it again for an audit. */
export const QcSampleSchema = z.object({
  day: z.string(),
  seed: z.number().int(),
  rate: z.number(),
  visitIds: z.array(z.string()),
  /** Reps with a visit in the sample; samples recorded by earlier versions list none. */
  reps: z.array(z.string()).default([]),
  drawnAt: z.string(),
  runId: z.string().nullable(),
});

export type QcSample = z.infer<typeof QcSampleSchema>;

/**
 * What the last sheet sync wrote: the rows of each tab (header included), so the next sync
 * knows how far down Visits to blank out rows that no longer exist; and each tab's sheet id
 * and the rows its grid was left with, so the next sync writes without reading the
 * spreadsheet first. A state saved before those two were kept has neither, and the sync
 * reads the spreadsheet once. `revision` grows with every save, so a sync can tell whether
 * another one saved while it was writing.
 */
export const SyncStateSchema = z.object({
  spreadsheetId: z.string(),
  rows: z.record(z.string(), z.number().int().min(0)),
  sheetIds: z.record(z.string(), z.number().int().min(0)).optional(),
  gridRows: z.record(z.string(), z.number().int().min(1)).optional(),
  /** The Today chart's id; a state without it has the sync read the spreadsheet once. */
  chartId: z.number().int().min(0).optional(),
  revision: z.number().int().min(1),
  syncedAt: z.string(),
});

export type SyncState = z.infer<typeof SyncStateSchema>;

export type JobRunFilter = {
  job: JobName;
  status?: JobRun['status'];
  day?: string;
  scheduleTime?: string;
};

/** Where a page of the pool ends: the pool is ordered oldest first, then by id. */
export type PoolPosition = { createdAt: string; id: string };

/** Where a page of overdue leads ends: they are ordered by their earliest due time. */
export type DuePosition = { dueAt: string; id: string };

/** Where a page of a day's visits ends: they are ordered by time, then by id. */
export type VisitPosition = { at: string; id: string };

/** Where a page of the QC queue ends: it is ordered oldest day first, then by id. */
export type QueuePosition = { day: string; id: string };

/** Which visits a list holds: one team day's, of one rep when `repEmail` is given. */
export type VisitFilter = { day: string; repEmail?: string };

export type Page<T, P = PoolPosition> = { items: T[]; next: P | null };

/**
 * One transaction. All reads come before the first write, as Firestore requires; the
 * SQLite adapter enforces the same order so code that works on one works on both.
 * Writes are recorded in the transaction and take effect together at commit.
 */
export interface StoreTransaction {
  getLead(id: string): Promise<Lead | null>;
  getLeads(ids: readonly string[]): Promise<Map<string, Lead>>;
  getMember(email: string): Promise<Member | null>;
  getMembers(emails: readonly string[]): Promise<Map<string, Member>>;
  getPolicy(): Promise<Policy>;
  /** For each key already taken by a lead, that lead's id. */
  getLeadIdsByKeys(keys: readonly string[]): Promise<Map<string, string>>;
  getIdempotency(id: string): Promise<IdempotencyRecord | null>;
  getVisit(id: string): Promise<Visit | null>;
  getVisits(ids: readonly string[]): Promise<Map<string, Visit>>;
  getReport(id: string): Promise<DailyReport | null>;
  getQcSample(day: string): Promise<QcSample | null>;
  getSyncState(): Promise<SyncState | null>;

  saveLead(lead: Lead): void;
  saveMember(member: Member): void;
  savePolicy(policy: Policy): void;
  saveLeadKey(key: string, leadId: string): void;
  appendEvents(events: readonly StoredEvent[]): void;
  saveIdempotency(record: IdempotencyRecord): void;
  saveVisit(visit: Visit): void;
  saveReport(report: DailyReport): void;
  saveQcSample(sample: QcSample): void;
  saveSyncState(state: SyncState): void;
}

/**
 * The store as the product needs it: domain-shaped reads, and transactions in which every
 * rule is decided. Lists read committed data outside any transaction.
 */
export interface Store {
  /**
   * Runs `work` in one serialisable transaction. `work` may run more than once when the
   * store retries a conflict, so it must not have effects outside the transaction.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;

  getLead(id: string): Promise<Lead | null>;
  getMember(email: string): Promise<Member | null>;
  getPolicy(): Promise<Policy>;
  listMembers(): Promise<Member[]>;
  listPool(limit: number, after: PoolPosition | null): Promise<Page<Lead>>;
  listOwnedLeads(email: string): Promise<Lead[]>;
  /** Leads of one status, oldest first then by id, as the pool is paged. */
  listLeadsWithStatus(
    status: LeadStatus,
    limit: number,
    after: PoolPosition | null,
  ): Promise<Page<Lead>>;
  listLeadEvents(leadId: string): Promise<StoredEvent[]>;

  /**
   * Owned leads whose earliest deadline is at or before `now`, soonest first. Served by an
   * index on the due time, so its cost follows the overdue leads, not all leads.
   */
  listOverdueLeads(
    now: string,
    limit: number,
    after: DuePosition | null,
  ): Promise<Page<Lead, DuePosition>>;

  /** A team day's visits, of one rep when `repEmail` is given, ordered by time then id. */
  listVisits(day: string, repEmail?: string): Promise<Visit[]>;
  /** The visits `listVisits` answers, a page at a time. */
  listVisitsPage(
    filter: VisitFilter,
    limit: number,
    after: VisitPosition | null,
  ): Promise<Page<Visit, VisitPosition>>;
  /**
   * Sampled visits still waiting for a verdict, oldest day first then by id, a page at a
   * time. A visit judged while QC pages leaves the queue without moving the pages after it.
   */
  listQcQueue(limit: number, after: QueuePosition | null): Promise<Page<Visit, QueuePosition>>;
  listReports(day: string): Promise<DailyReport[]>;
  /** Events of the given types with `from <= at < to`, for the day's summary. */
  listEventsBetween(from: string, to: string, types: readonly EventType[]): Promise<StoredEvent[]>;

  saveJobRun(run: JobRun): Promise<void>;
  findJobRuns(filter: JobRunFilter): Promise<JobRun[]>;
  /** The latest runs of every job, newest first. */
  listJobRuns(limit: number): Promise<JobRun[]>;

  close(): Promise<void>;
}
