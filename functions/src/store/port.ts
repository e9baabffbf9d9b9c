import { z } from 'zod';

import type { StoredEvent } from '../domain/events.js';
import type { Lead } from '../domain/lead.js';
import type { Member } from '../domain/member.js';
import type { Policy } from '../domain/policy.js';

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

/** Where a page of the pool ends: the pool is ordered oldest first, then by id. */
export type PoolPosition = { createdAt: string; id: string };

export type Page<T> = { items: T[]; next: PoolPosition | null };

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

  saveLead(lead: Lead): void;
  saveMember(member: Member): void;
  savePolicy(policy: Policy): void;
  saveLeadKey(key: string, leadId: string): void;
  appendEvents(events: readonly StoredEvent[]): void;
  saveIdempotency(record: IdempotencyRecord): void;
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
  listLeadEvents(leadId: string): Promise<StoredEvent[]>;
  close(): Promise<void>;
}
