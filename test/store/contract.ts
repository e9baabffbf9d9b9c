import { describe, expect, it } from 'vitest';

import { EVENT_TYPES, type StoredEvent } from '../../functions/src/domain/events.js';
import { newPoolLead, type Lead } from '../../functions/src/domain/lead.js';
import type { Member } from '../../functions/src/domain/member.js';
import { DEFAULT_POLICY, type Policy } from '../../functions/src/domain/policy.js';
import type { QcVerdict, Visit } from '../../functions/src/domain/visits.js';
import type {
  DailyReport,
  IdempotencyRecord,
  JobRun,
  JobRunFilter,
  QcSample,
  Store,
  StoreTransaction,
} from '../../functions/src/store/port.js';

export type OpenedStore = { store: Store; dispose(): Promise<void> };

/** What the store behind an adapter can do; a test that needs more is skipped by name. */
export type StoreCapabilities = {
  /** Concurrent transactions serialise: what one read stays unchanged until it commits. */
  isolation: boolean;
  /** Queries honour `startAfter`. */
  cursors: boolean;
};

const NOW = new Date('2026-03-02T01:00:00Z');

function minutesLater(minutes: number): string {
  return new Date(NOW.getTime() + minutes * 60_000).toISOString();
}

function aLead(id: string, fields: Partial<Lead> = {}): Lead {
  const details = {
    company: `Company ${id}`,
    contactName: 'Li Wei',
    title: 'Owner',
    phone: '+86 138 0013 8000',
    region: 'Shanghai',
    source: 'trade fair',
    notes: '',
  };

  return { ...newPoolLead(id, details, NOW), ...fields };
}

function anOwnedLead(id: string, ownerEmail: string, fields: Partial<Lead> = {}): Lead {
  return aLead(id, {
    status: 'owned',
    ownerEmail,
    stage: 'contacted',
    assignedAt: NOW.toISOString(),
    followUpDueAt: minutesLater(72 * 60),
    dealDueAt: minutesLater(30 * 24 * 60),
    ...fields,
  });
}

function aMember(email: string, fields: Partial<Member> = {}): Member {
  return {
    email,
    name: email.split('@')[0] ?? email,
    role: 'rep',
    group: 'East',
    capacity: null,
    active: true,
    ownedCount: 0,
    claimsDay: null,
    claimsOnDay: 0,
    lastAssignedAt: null,
    fabricatedVisits: 0,
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    ...fields,
  };
}

export function anEvent(id: string, leadId: string | null, at: string, seq: number): StoredEvent {
  return {
    id,
    type: 'lead.claimed',
    at,
    seq,
    leadId,
    subject: 'rep@example.com',
    actor: 'rep@example.com',
    relayedBy: null,
    requestId: `req-${id}`,
    before: { status: 'pool', ownerEmail: null },
    after: { status: 'owned', ownerEmail: 'rep@example.com' },
    data: { nested: { reason: 'swap', leadIds: ['a', 'b'] } },
  };
}

function anIdempotencyRecord(id: string): IdempotencyRecord {
  return {
    id,
    requestHash: 'sha256:0f1e2d',
    status: 201,
    body: '{"id":"lead-1"}',
    createdAt: NOW.toISOString(),
    expiresAt: minutesLater(24 * 60),
  };
}

function aVisit(id: string, fields: Partial<Visit> = {}): Visit {
  return {
    id,
    repEmail: 'rep@example.com',
    day: '2026-03-02',
    at: NOW.toISOString(),
    outcome: 'potential',
    met: 'staff',
    note: 'Left a brochure at the front desk',
    leadId: 'lead-1',
    prospect: null,
    prospectOutcome: null,
    qc: null,
    createdAt: NOW.toISOString(),
    ...fields,
  };
}

/** Drawn into a sample and waiting for QC's verdict. */
function queuedQc(sampleId = '2026-03-02'): NonNullable<Visit['qc']> {
  return { sampleId, verdict: null, note: null, by: null, at: null };
}

function judgedQc(verdict: QcVerdict): NonNullable<Visit['qc']> {
  return {
    ...queuedQc(),
    verdict,
    note: 'Called the owner',
    by: 'qc@example.com',
    at: NOW.toISOString(),
  };
}

function aReport(id: string, fields: Partial<DailyReport> = {}): DailyReport {
  return {
    id,
    repEmail: 'rep@example.com',
    day: '2026-03-02',
    text: 'Eight visits, two effective; Acme wants a proposal on Friday.',
    submittedAt: minutesLater(600),
    revision: 1,
    ...fields,
  };
}

function aQcSample(day: string): QcSample {
  return {
    day,
    seed: 20260302,
    rate: 0.1,
    visitIds: ['visit-1', 'visit-7'],
    reps: ['ana@example.com', 'bo@example.com'],
    drawnAt: minutesLater(900),
    runId: 'run-1',
  };
}

function seed(
  store: Store,
  parts: { leads?: Lead[]; members?: Member[]; visits?: Visit[]; reports?: DailyReport[] },
): Promise<void> {
  return store.transaction(async (tx) => {
    for (const lead of parts.leads ?? []) tx.saveLead(lead);
    for (const member of parts.members ?? []) tx.saveMember(member);
    for (const visit of parts.visits ?? []) tx.saveVisit(visit);
    for (const report of parts.reports ?? []) tx.saveReport(report);
  });
}

const READS: [string, (tx: StoreTransaction) => Promise<unknown>][] = [
  ['getLead', (tx) => tx.getLead('lead-2')],
  ['getLeads', (tx) => tx.getLeads(['lead-2'])],
  ['getMember', (tx) => tx.getMember('rep@example.com')],
  ['getMembers', (tx) => tx.getMembers(['rep@example.com'])],
  ['getPolicy', (tx) => tx.getPolicy()],
  ['getLeadIdsByKeys', (tx) => tx.getLeadIdsByKeys(['phone:+8613800138000'])],
  ['getIdempotency', (tx) => tx.getIdempotency('key-1')],
  ['getVisit', (tx) => tx.getVisit('visit-1')],
  ['getVisits', (tx) => tx.getVisits(['visit-1'])],
  ['getReport', (tx) => tx.getReport('report-1')],
  ['getQcSample', (tx) => tx.getQcSample('2026-03-02')],
  ['getSyncState', (tx) => tx.getSyncState()],
];

const NEEDS_CURSORS = 'needs query cursors: runs on SQLite and on the official emulator';
const NEEDS_ISOLATION = 'needs transaction isolation: runs on SQLite and on the official emulator';

/**
 * The behaviour every adapter of the store port must show. Each test opens a fresh, empty
 * store, so tests neither share data nor depend on their order.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<OpenedStore>,
  capabilities: StoreCapabilities,
): void {
  async function withStore(run: (store: Store) => Promise<void>): Promise<void> {
    const { store, dispose } = await open();
    try {
      await run(store);
    } finally {
      await dispose();
    }
  }

  describe(`${name} store contract`, () => {
    describe('transactions', () => {
      it('answers null for missing documents and the default policy when none is saved', () =>
        withStore(async (store) => {
          const read = await store.transaction(async (tx) => ({
            lead: await tx.getLead('lead-1'),
            member: await tx.getMember('rep@example.com'),
            policy: await tx.getPolicy(),
            idempotency: await tx.getIdempotency('key-1'),
            keys: await tx.getLeadIdsByKeys(['phone:+8613800138000']),
            visit: await tx.getVisit('visit-1'),
            visits: await tx.getVisits(['visit-1']),
            report: await tx.getReport('report-1'),
            qcSample: await tx.getQcSample('2026-03-02'),
          }));

          expect(read).toEqual({
            lead: null,
            member: null,
            policy: DEFAULT_POLICY,
            idempotency: null,
            keys: new Map(),
            visit: null,
            visits: new Map(),
            report: null,
            qcSample: null,
          });
          expect(await store.getLead('lead-1')).toBeNull();
          expect(await store.getMember('rep@example.com')).toBeNull();
          expect(await store.getPolicy()).toEqual(DEFAULT_POLICY);
        }));

      it('round-trips leads, members and the policy through a transaction', () =>
        withStore(async (store) => {
          const poolLead = aLead('lead-1', {
            cooldowns: { 'old@example.com': minutesLater(60) },
          });
          const ownedLead = anOwnedLead('lead-2', 'rep@example.com', {
            lastFollowUpAt: minutesLater(5),
            notes: 'Wants a call back after 3pm — 周三',
          });
          const closedLead = aLead('lead-3', {
            status: 'closed',
            closeReason: 'duplicate',
            closeNote: 'same as lead-1',
          });
          const rep = aMember('rep@example.com', { ownedCount: 1, claimsDay: '2026-03-02' });
          const manager = aMember('boss@example.com', { role: 'manager', capacity: 10 });
          const policy: Policy = { ...DEFAULT_POLICY, capacity: 7, qcSampleRate: 0.25 };

          await store.transaction(async (tx) => {
            tx.saveLead(poolLead);
            tx.saveLead(ownedLead);
            tx.saveLead(closedLead);
            tx.saveMember(rep);
            tx.saveMember(manager);
            tx.savePolicy(policy);
          });
          const read = await store.transaction(async (tx) => ({
            leads: [
              await tx.getLead('lead-1'),
              await tx.getLead('lead-2'),
              await tx.getLead('lead-3'),
            ],
            members: [
              await tx.getMember('rep@example.com'),
              await tx.getMember('boss@example.com'),
            ],
            policy: await tx.getPolicy(),
          }));

          expect(read).toEqual({
            leads: [poolLead, ownedLead, closedLead],
            members: [rep, manager],
            policy,
          });
        }));

      it('round-trips lead keys whatever characters they hold', () =>
        withStore(async (store) => {
          const keys = ['company:acme/北京 "co".', 'phone:+8613800138000', '__name__', '.', '..'];

          await store.transaction(async (tx) => {
            keys.forEach((key, index) => tx.saveLeadKey(key, `lead-${index}`));
          });
          const found = await store.transaction((tx) =>
            tx.getLeadIdsByKeys([...keys, 'company:unknown']),
          );

          expect(found).toEqual(new Map(keys.map((key, index) => [key, `lead-${index}`])));
        }));

      it('keeps a key with its first lead when another lead tries to take it', () =>
        withStore(async (store) => {
          await store.transaction(async (tx) => tx.saveLeadKey('phone:+8613800138000', 'lead-1'));

          await expect(
            store.transaction(async (tx) => tx.saveLeadKey('phone:+8613800138000', 'lead-2')),
          ).rejects.toThrow();

          const found = await store.transaction((tx) =>
            tx.getLeadIdsByKeys(['phone:+8613800138000']),
          );
          expect(found.get('phone:+8613800138000')).toBe('lead-1');
        }));

      it('round-trips idempotency records, replacing a record saved again', () =>
        withStore(async (store) => {
          const first = anIdempotencyRecord('rep@example.com POST /v1/leads/x/claim k/1');
          const replaced = { ...first, status: 409, body: '{"error":{}}' };

          await store.transaction(async (tx) => tx.saveIdempotency(first));
          await store.transaction(async (tx) => tx.saveIdempotency(replaced));

          expect(await store.transaction((tx) => tx.getIdempotency(first.id))).toEqual(replaced);
        }));

      it('round-trips lead visits, cold visits and sampled visits through a transaction', () =>
        withStore(async (store) => {
          const leadVisit = aVisit('visit-1', { outcome: 'effective', met: 'owner' });
          const coldVisit = aVisit('visit-2', {
            leadId: 'lead-9',
            prospect: {
              company: '北京 Acme Trading',
              contactName: 'Zhang Min',
              title: 'Purchasing',
              phone: '+86 10 8888 0000',
              products: 'Packaging film, 20 t a month',
            },
            prospectOutcome: 'pool',
          });
          const sampled = aVisit('visit-3', { qc: queuedQc() });
          const judged = aVisit('visit-4', { qc: judgedQc('fabricated') });

          await seed(store, { visits: [leadVisit, coldVisit, sampled, judged] });
          const read = await store.transaction(async (tx) => [
            await tx.getVisit('visit-1'),
            await tx.getVisit('visit-2'),
            await tx.getVisit('visit-3'),
            await tx.getVisit('visit-4'),
          ]);

          expect(read).toEqual([leadVisit, coldVisit, sampled, judged]);
        }));

      it('round-trips daily reports, replacing a report submitted again', () =>
        withStore(async (store) => {
          const first = aReport('report-1');
          const revised = { ...first, text: 'Nine visits after all.', revision: 2 };

          await seed(store, { reports: [first] });
          await seed(store, { reports: [revised] });

          expect(await store.transaction((tx) => tx.getReport('report-1'))).toEqual(revised);
        }));

      it('round-trips QC samples by their day', () =>
        withStore(async (store) => {
          const monday = aQcSample('2026-03-02');
          const tuesday = { ...aQcSample('2026-03-03'), visitIds: [], runId: null };

          await store.transaction(async (tx) => {
            tx.saveQcSample(monday);
            tx.saveQcSample(tuesday);
          });
          const read = await store.transaction(async (tx) => [
            await tx.getQcSample('2026-03-02'),
            await tx.getQcSample('2026-03-03'),
            await tx.getQcSample('2026-03-04'),
          ]);

          expect(read).toEqual([monday, tuesday, null]);
        }));

      it('answers no sheet sync state until one is saved, then the latest saved', () =>
        withStore(async (store) => {
          const first = {
            spreadsheetId: '1LeadPoolContractSheet_0123456789abcdefghij',
            rows: { Pool: 12, Leads: 1 },
            revision: 1,
            syncedAt: minutesLater(0),
          };
          const second = { ...first, rows: { Pool: 3, Leads: 40 }, revision: 2 };

          const before = await store.transaction((tx) => tx.getSyncState());
          await store.transaction(async (tx) => tx.saveSyncState(first));
          await store.transaction(async (tx) => tx.saveSyncState(second));

          expect(before).toBeNull();
          expect(await store.transaction((tx) => tx.getSyncState())).toEqual(second);
          expect(await store.getPolicy()).toEqual(DEFAULT_POLICY);
        }));

      it('answers only the leads and members that exist from the batch reads', () =>
        withStore(async (store) => {
          const lead = aLead('lead-1');
          const member = aMember('rep@example.com');
          await seed(store, { leads: [lead], members: [member] });

          const read = await store.transaction(async (tx) => ({
            leads: await tx.getLeads(['lead-1', 'lead-missing']),
            members: await tx.getMembers(['ghost@example.com', 'rep@example.com']),
            none: await tx.getLeads([]),
          }));

          expect(read.leads).toEqual(new Map([['lead-1', lead]]));
          expect(read.members).toEqual(new Map([['rep@example.com', member]]));
          expect(read.none).toEqual(new Map());
        }));

      it('answers only the visits that exist from the batch read', () =>
        withStore(async (store) => {
          const visits = [aVisit('visit-1'), aVisit('visit-2', { qc: queuedQc() })];
          await seed(store, { visits });

          const read = await store.transaction(async (tx) => ({
            found: await tx.getVisits(['visit-2', 'visit-missing', 'visit-1']),
            none: await tx.getVisits([]),
          }));

          expect(read.found).toEqual(
            new Map([
              ['visit-2', visits[1]],
              ['visit-1', visits[0]],
            ]),
          );
          expect(read.none).toEqual(new Map());
        }));

      it('makes committed writes visible to reads outside transactions', () =>
        withStore(async (store) => {
          const lead = aLead('lead-1');
          const member = aMember('rep@example.com');
          const policy: Policy = { ...DEFAULT_POLICY, dailyClaimLimit: 3 };

          await store.transaction(async (tx) => {
            tx.saveLead(lead);
            tx.saveMember(member);
            tx.savePolicy(policy);
          });

          expect(await store.getLead('lead-1')).toEqual(lead);
          expect(await store.getMember('rep@example.com')).toEqual(member);
          expect(await store.getPolicy()).toEqual(policy);
        }));

      it('answers what the transaction returns', () =>
        withStore(async (store) => {
          const answer = await store.transaction(async (tx) => {
            tx.saveLead(aLead('lead-1'));
            return { created: 'lead-1' };
          });

          expect(answer).toEqual({ created: 'lead-1' });
        }));

      it('discards every write of a transaction that throws, and rethrows its error', () =>
        withStore(async (store) => {
          const refusal = new Error('the rule said no');

          const outcome = store.transaction(async (tx) => {
            tx.saveLead(aLead('lead-1'));
            tx.saveMember(aMember('rep@example.com'));
            tx.savePolicy({ ...DEFAULT_POLICY, capacity: 1 });
            tx.saveLeadKey('phone:+8613800138000', 'lead-1');
            tx.appendEvents([anEvent('event-1', 'lead-1', NOW.toISOString(), 0)]);
            tx.saveIdempotency(anIdempotencyRecord('key-1'));
            tx.saveVisit(aVisit('visit-1', { qc: queuedQc() }));
            tx.saveReport(aReport('report-1'));
            tx.saveQcSample(aQcSample('2026-03-02'));
            throw refusal;
          });

          await expect(outcome).rejects.toThrow('the rule said no');
          expect(await store.getLead('lead-1')).toBeNull();
          expect(await store.getMember('rep@example.com')).toBeNull();
          expect(await store.getPolicy()).toEqual(DEFAULT_POLICY);
          expect(await store.listLeadEvents('lead-1')).toEqual([]);
          expect(await store.listVisits('2026-03-02')).toEqual([]);
          expect((await store.listQcQueue(10, null)).items).toEqual([]);
          expect(await store.listReports('2026-03-02')).toEqual([]);
          const left = await store.transaction(async (tx) => ({
            keys: await tx.getLeadIdsByKeys(['phone:+8613800138000']),
            idempotency: await tx.getIdempotency('key-1'),
            visit: await tx.getVisit('visit-1'),
            report: await tx.getReport('report-1'),
            qcSample: await tx.getQcSample('2026-03-02'),
          }));
          expect(left).toEqual({
            keys: new Map(),
            idempotency: null,
            visit: null,
            report: null,
            qcSample: null,
          });
        }));

      it.each(READS)('refuses %s after a write in the same transaction', (_read, read) =>
        withStore(async (store) => {
          const outcome = store.transaction(async (tx) => {
            tx.saveLead(aLead('lead-1'));
            await read(tx);
          });

          await expect(outcome).rejects.toThrow();
          expect(await store.getLead('lead-1')).toBeNull();
        }),
      );
    });

    describe('lists', () => {
      // Pool leads in an order unlike the one the pool is listed in, with a tie on
      // createdAt broken by id, among leads that are not in the pool.
      const pool = [
        aLead('p-d', { createdAt: minutesLater(20) }),
        aLead('p-b', { createdAt: minutesLater(5) }),
        aLead('p-c', { createdAt: minutesLater(0) }),
        aLead('p-e', { createdAt: minutesLater(10) }),
        aLead('p-a', { createdAt: minutesLater(5) }),
      ];
      const poolOrder = ['p-c', 'p-a', 'p-b', 'p-e', 'p-d'];
      const notInPool = [
        anOwnedLead('o-1', 'rep@example.com', { createdAt: minutesLater(1) }),
        aLead('c-1', { status: 'closed', closeReason: 'lost', createdAt: minutesLater(2) }),
        anOwnedLead('u-1', 'rep@example.com', { status: 'customer', createdAt: minutesLater(3) }),
      ];

      it('answers the first page of the pool oldest first, with a cursor when more follow', () =>
        withStore(async (store) => {
          await seed(store, { leads: [...notInPool, ...pool] });

          const page = await store.listPool(2, null);

          expect(page.items.map((lead) => lead.id)).toEqual(['p-c', 'p-a']);
          expect(page.next).toEqual({ createdAt: minutesLater(5), id: 'p-a' });
        }));

      it('answers no cursor when the page holds the rest of the pool exactly', () =>
        withStore(async (store) => {
          await seed(store, { leads: [...notInPool, ...pool] });

          const page = await store.listPool(pool.length, null);

          expect(page.items.map((lead) => lead.id)).toEqual(poolOrder);
          expect(page.next).toBeNull();
        }));

      it('leaves owned, closed and customer leads out of the pool', () =>
        withStore(async (store) => {
          await seed(store, { leads: notInPool });

          expect(await store.listPool(10, null)).toEqual({ items: [], next: null });
        }));

      it.skipIf(!capabilities.cursors)(
        `pages through the pool with cursors, every lead exactly once (${NEEDS_CURSORS})`,
        () =>
          withStore(async (store) => {
            await seed(store, { leads: [...notInPool, ...pool] });

            const pages: string[][] = [];
            let page = await store.listPool(2, null);
            pages.push(page.items.map((lead) => lead.id));
            // A store that ignored the cursor would answer the first page forever.
            while (page.next && pages.length <= pool.length) {
              page = await store.listPool(2, page.next);
              pages.push(page.items.map((lead) => lead.id));
            }

            expect(pages).toEqual([['p-c', 'p-a'], ['p-b', 'p-e'], ['p-d']]);
          }),
      );

      it('lists the leads of one status oldest first, with a cursor when more follow', () =>
        withStore(async (store) => {
          const customers = [
            anOwnedLead('u-2', 'rep@example.com', {
              status: 'customer',
              createdAt: minutesLater(9),
            }),
            anOwnedLead('u-3', 'rep@example.com', {
              status: 'customer',
              createdAt: minutesLater(4),
            }),
          ];
          await seed(store, { leads: [...notInPool, ...pool, ...customers] });

          const first = await store.listLeadsWithStatus('customer', 2, null);
          const all = await store.listLeadsWithStatus('customer', 3, null);
          const pooled = await store.listLeadsWithStatus('pool', pool.length, null);

          expect(first.items.map((lead) => lead.id)).toEqual(['u-1', 'u-3']);
          expect(first.next).toEqual({ createdAt: minutesLater(4), id: 'u-3' });
          expect(all).toEqual({ items: [notInPool[2], customers[1], customers[0]], next: null });
          expect(pooled.items.map((lead) => lead.id)).toEqual(poolOrder);
        }));

      it.skipIf(!capabilities.cursors)(
        `pages through the leads of one status with cursors (${NEEDS_CURSORS})`,
        () =>
          withStore(async (store) => {
            await seed(store, { leads: [...notInPool, ...pool] });

            const first = await store.listLeadsWithStatus('pool', 3, null);
            const rest = await store.listLeadsWithStatus('pool', 3, first.next);

            expect([first, rest].map((page) => page.items.map((lead) => lead.id))).toEqual([
              ['p-c', 'p-a', 'p-b'],
              ['p-e', 'p-d'],
            ]);
            expect(rest.next).toBeNull();
          }),
      );

      it('lists only the owned leads of the member asked about, oldest first', () =>
        withStore(async (store) => {
          await seed(store, {
            leads: [
              anOwnedLead('mine-late', 'rep@example.com', { createdAt: minutesLater(10) }),
              anOwnedLead('theirs', 'other@example.com', { createdAt: minutesLater(1) }),
              anOwnedLead('mine-early', 'rep@example.com', { createdAt: minutesLater(0) }),
              anOwnedLead('won', 'rep@example.com', { status: 'customer' }),
              aLead('pool-1'),
            ],
          });

          const owned = await store.listOwnedLeads('rep@example.com');

          expect(owned.map((lead) => lead.id)).toEqual(['mine-early', 'mine-late']);
        }));

      it("lists a lead's events by time, then by sequence number", () =>
        withStore(async (store) => {
          const events = [
            anEvent('e-late', 'lead-1', minutesLater(2), 0),
            anEvent('e-seq-10', 'lead-1', minutesLater(1), 10),
            anEvent('e-other-lead', 'lead-2', minutesLater(0), 0),
            anEvent('e-seq-2', 'lead-1', minutesLater(1), 2),
            anEvent('e-member', null, minutesLater(0), 0),
          ];
          await store.transaction(async (tx) => tx.appendEvents(events));

          const history = await store.listLeadEvents('lead-1');

          expect(history.map((event) => event.id)).toEqual(['e-seq-2', 'e-seq-10', 'e-late']);
          expect(history[0]).toEqual(events[3]);
        }));

      it('lists members ordered by email', () =>
        withStore(async (store) => {
          await seed(store, {
            members: [
              aMember('carol@example.com'),
              aMember('alice@example.com', { role: 'admin' }),
              aMember('bob@example.com'),
            ],
          });

          const members = await store.listMembers();

          expect(members.map((member) => member.email)).toEqual([
            'alice@example.com',
            'bob@example.com',
            'carol@example.com',
          ]);
        }));
    });

    describe('visits, reports and the QC queue', () => {
      // Out of order, with a tie on time broken by id, another rep, and another day.
      const monday = [
        aVisit('v-late', { at: minutesLater(30) }),
        aVisit('v-b', { repEmail: 'other@example.com', at: minutesLater(10) }),
        aVisit('v-a', { at: minutesLater(10) }),
        aVisit('v-early', { repEmail: 'other@example.com', at: minutesLater(0) }),
      ];
      const tuesday = [aVisit('v-next', { day: '2026-03-03', at: minutesLater(24 * 60) })];

      it("lists a day's visits of every rep by time, then by id", () =>
        withStore(async (store) => {
          await seed(store, { visits: [...tuesday, ...monday] });

          const visits = await store.listVisits('2026-03-02');

          expect(visits.map((visit) => visit.id)).toEqual(['v-early', 'v-a', 'v-b', 'v-late']);
          expect(visits[1]).toEqual(monday[2]);
        }));

      it("lists only the named rep's visits of the day", () =>
        withStore(async (store) => {
          await seed(store, { visits: [...tuesday, ...monday] });

          const ids = async (day: string, rep: string) =>
            (await store.listVisits(day, rep)).map((visit) => visit.id);

          expect(await ids('2026-03-02', 'rep@example.com')).toEqual(['v-a', 'v-late']);
          expect(await ids('2026-03-03', 'rep@example.com')).toEqual(['v-next']);
          expect(await ids('2026-03-02', 'ghost@example.com')).toEqual([]);
          expect(await store.listVisits('2026-03-04')).toEqual([]);
        }));

      it('queues sampled visits awaiting a verdict, oldest day first, up to the limit', () =>
        withStore(async (store) => {
          await seed(store, {
            visits: [
              aVisit('q-tue', { day: '2026-03-03', qc: queuedQc('2026-03-03') }),
              aVisit('q-mon-b', { qc: queuedQc() }),
              aVisit('unsampled'),
              aVisit('verified', { qc: judgedQc('verified') }),
              aVisit('fabricated', { qc: judgedQc('fabricated') }),
              aVisit('q-mon-a', { qc: queuedQc() }),
            ],
          });

          const ids = async (limit: number) =>
            (await store.listQcQueue(limit, null)).items.map((visit) => visit.id);

          expect(await ids(10)).toEqual(['q-mon-a', 'q-mon-b', 'q-tue']);
          expect(await ids(2)).toEqual(['q-mon-a', 'q-mon-b']);
        }));

      it("answers the first page of a day's visits by time, with a cursor when more follow", () =>
        withStore(async (store) => {
          await seed(store, { visits: [...tuesday, ...monday] });

          const everyone = await store.listVisitsPage({ day: '2026-03-02' }, 2, null);
          const mine = await store.listVisitsPage(
            { day: '2026-03-02', repEmail: 'rep@example.com' },
            2,
            null,
          );

          expect(everyone.items.map((visit) => visit.id)).toEqual(['v-early', 'v-a']);
          expect(everyone.next).toEqual({ at: minutesLater(10), id: 'v-a' });
          expect(mine).toEqual({ items: [monday[2], monday[0]], next: null });
        }));

      it.skipIf(!capabilities.cursors)(
        `pages through a day's visits with cursors, every visit exactly once (${NEEDS_CURSORS})`,
        () =>
          withStore(async (store) => {
            await seed(store, { visits: [...tuesday, ...monday] });

            const pages: string[][] = [];
            let page = await store.listVisitsPage({ day: '2026-03-02' }, 1, null);
            pages.push(page.items.map((visit) => visit.id));
            // A store that ignored the cursor would answer the first page forever.
            while (page.next && pages.length <= monday.length) {
              page = await store.listVisitsPage({ day: '2026-03-02' }, 1, page.next);
              pages.push(page.items.map((visit) => visit.id));
            }

            expect(pages).toEqual([['v-early'], ['v-a'], ['v-b'], ['v-late']]);
          }),
      );

      it.skipIf(!capabilities.cursors)(
        `pages through one rep's visits of the day with cursors (${NEEDS_CURSORS})`,
        () =>
          withStore(async (store) => {
            await seed(store, { visits: [...tuesday, ...monday] });
            const theirs = { day: '2026-03-02', repEmail: 'other@example.com' };

            const first = await store.listVisitsPage(theirs, 1, null);
            const rest = await store.listVisitsPage(theirs, 1, first.next);

            expect([first, rest].map((page) => page.items.map((visit) => visit.id))).toEqual([
              ['v-early'],
              ['v-b'],
            ]);
            expect(rest.next).toBeNull();
          }),
      );

      it('takes a visit out of the QC queue once its verdict is saved', () =>
        withStore(async (store) => {
          const sampled = aVisit('visit-1', { qc: queuedQc() });
          await seed(store, { visits: [sampled, aVisit('visit-2', { qc: queuedQc() })] });

          await seed(store, { visits: [{ ...sampled, qc: judgedQc('unreachable') }] });

          const queue = (await store.listQcQueue(10, null)).items;
          expect(queue.map((visit) => visit.id)).toEqual(['visit-2']);
          expect(queue[0]).toEqual(aVisit('visit-2', { qc: queuedQc() }));
        }));

      // Queued on two days, with ids out of order within a day, among visits not queued.
      const queued = [
        aVisit('q-tue', { day: '2026-03-03', qc: queuedQc('2026-03-03') }),
        aVisit('q-mon-c', { qc: queuedQc() }),
        aVisit('unsampled'),
        aVisit('q-mon-a', { qc: queuedQc() }),
        aVisit('verified', { qc: judgedQc('verified') }),
        aVisit('q-mon-b', { qc: queuedQc() }),
      ];

      it('answers the first page of the QC queue, with a cursor when more follow', () =>
        withStore(async (store) => {
          await seed(store, { visits: queued });

          const first = await store.listQcQueue(2, null);
          const whole = await store.listQcQueue(4, null);

          expect(first.items.map((visit) => visit.id)).toEqual(['q-mon-a', 'q-mon-b']);
          expect(first.next).toEqual({ day: '2026-03-02', id: 'q-mon-b' });
          expect(whole.items.map((visit) => visit.id)).toEqual([
            'q-mon-a',
            'q-mon-b',
            'q-mon-c',
            'q-tue',
          ]);
          expect(whole.next).toBeNull();
        }));

      it.skipIf(!capabilities.cursors)(
        `pages through the QC queue with cursors, every visit exactly once (${NEEDS_CURSORS})`,
        () =>
          withStore(async (store) => {
            await seed(store, { visits: queued });

            const pages: string[][] = [];
            let page = await store.listQcQueue(3, null);
            pages.push(page.items.map((visit) => visit.id));
            while (page.next && pages.length <= queued.length) {
              page = await store.listQcQueue(3, page.next);
              pages.push(page.items.map((visit) => visit.id));
            }

            expect(pages).toEqual([['q-mon-a', 'q-mon-b', 'q-mon-c'], ['q-tue']]);
          }),
      );

      it.skipIf(!capabilities.cursors)(
        `keeps the QC queue's next page when a visit is judged in between (${NEEDS_CURSORS})`,
        () =>
          withStore(async (store) => {
            await seed(store, { visits: queued });
            const first = await store.listQcQueue(2, null);

            const judged = first.items[0]!;
            await seed(store, { visits: [{ ...judged, qc: judgedQc('fabricated') }] });
            const second = await store.listQcQueue(2, first.next);

            expect(second.items.map((visit) => visit.id)).toEqual(['q-mon-c', 'q-tue']);
          }),
      );

      it("lists a day's reports ordered by rep", () =>
        withStore(async (store) => {
          await seed(store, {
            reports: [
              aReport('r-carol', { repEmail: 'carol@example.com' }),
              aReport('r-alice', { repEmail: 'alice@example.com' }),
              aReport('r-other-day', { repEmail: 'alice@example.com', day: '2026-03-03' }),
              aReport('r-bob', { repEmail: 'bob@example.com' }),
            ],
          });

          const reports = await store.listReports('2026-03-02');

          expect(reports.map((report) => report.id)).toEqual(['r-alice', 'r-bob', 'r-carol']);
          expect(reports[0]).toEqual(aReport('r-alice', { repEmail: 'alice@example.com' }));
        }));
    });

    describe('events between two times', () => {
      const from = minutesLater(0);
      const to = minutesLater(60);
      const typed = (id: string, type: StoredEvent['type'], minutes: number, seq = 0) => ({
        ...anEvent(id, null, minutesLater(minutes), seq),
        type,
      });
      const events = [
        typed('before', 'visit.logged', -1),
        typed('inside', 'report.submitted', 30),
        typed('at-from-seq-10', 'visit.logged', 0, 10),
        typed('other-type', 'lead.claimed', 5),
        typed('at-to', 'visit.logged', 60),
        typed('at-from-seq-2', 'lead.converted', 0, 2),
      ];
      const types = ['visit.logged', 'lead.converted', 'report.submitted'] as const;

      it('lists events of the given types from `from` up to but not including `to`', () =>
        withStore(async (store) => {
          await store.transaction(async (tx) => tx.appendEvents(events));

          const found = await store.listEventsBetween(from, to, types);

          expect(found.map((event) => event.id)).toEqual([
            'at-from-seq-2',
            'at-from-seq-10',
            'inside',
          ]);
          expect(found[2]).toEqual(events[1]);
        }));

      it('lists events of every type asked for, and none when no type is asked for', () =>
        withStore(async (store) => {
          await store.transaction(async (tx) => tx.appendEvents(events));

          const all = await store.listEventsBetween(from, to, EVENT_TYPES);
          const claims = await store.listEventsBetween(from, to, ['lead.claimed']);

          expect(all.map((event) => event.id)).toEqual([
            'at-from-seq-2',
            'at-from-seq-10',
            'other-type',
            'inside',
          ]);
          expect(claims.map((event) => event.id)).toEqual(['other-type']);
          expect(await store.listEventsBetween(from, to, [])).toEqual([]);
        }));
    });

    describe('overdue leads', () => {
      // Earliest deadline per lead: the follow-up for most, the deal for 'deal-first'.
      const owned = [
        anOwnedLead('late-2', 'rep@example.com', { followUpDueAt: minutesLater(-10) }),
        anOwnedLead('late-1', 'rep@example.com', { followUpDueAt: minutesLater(-30) }),
        anOwnedLead('deal-first', 'rep@example.com', {
          followUpDueAt: minutesLater(600),
          dealDueAt: minutesLater(-20),
        }),
        anOwnedLead('exactly-now', 'rep@example.com', { followUpDueAt: minutesLater(0) }),
        anOwnedLead('not-yet', 'rep@example.com', { followUpDueAt: minutesLater(1) }),
      ];
      const notOwned = [
        anOwnedLead('won', 'rep@example.com', { status: 'customer', followUpDueAt: null }),
        aLead('pool-1'),
      ];

      it('lists owned leads due at or before now, soonest first, and nothing else', () =>
        withStore(async (store) => {
          await seed(store, { leads: [...notOwned, ...owned] });

          const page = await store.listOverdueLeads(NOW.toISOString(), 10, null);

          expect(page.items.map((lead) => lead.id)).toEqual([
            'late-1',
            'deal-first',
            'late-2',
            'exactly-now',
          ]);
          expect(page.next).toBeNull();
        }));

      it('stops listing a lead once a follow-up moves its deadline past now', () =>
        withStore(async (store) => {
          await seed(store, { leads: owned });
          await seed(store, { leads: [{ ...owned[0]!, followUpDueAt: minutesLater(60) }] });

          const page = await store.listOverdueLeads(NOW.toISOString(), 10, null);

          expect(page.items.map((lead) => lead.id)).not.toContain('late-2');
        }));

      it.skipIf(!capabilities.cursors)(
        `pages through overdue leads with cursors, each exactly once (${NEEDS_CURSORS})`,
        () =>
          withStore(async (store) => {
            await seed(store, { leads: owned });

            const seen: string[] = [];
            let page = await store.listOverdueLeads(NOW.toISOString(), 3, null);
            seen.push(...page.items.map((lead) => lead.id));
            while (page.next && seen.length <= owned.length) {
              page = await store.listOverdueLeads(NOW.toISOString(), 3, page.next);
              seen.push(...page.items.map((lead) => lead.id));
            }

            expect(seen).toEqual(['late-1', 'deal-first', 'late-2', 'exactly-now']);
          }),
      );
    });

    describe('job ledger', () => {
      const aRun = (id: string, fields: Partial<JobRun> = {}): JobRun => ({
        id,
        job: 'reclaim',
        trigger: 'scheduler',
        triggeredBy: 'scheduler@example.iam.gserviceaccount.com',
        scheduleTime: null,
        day: null,
        status: 'done',
        startedAt: NOW.toISOString(),
        endedAt: minutesLater(1),
        counts: { overdue: 3, reassigned: 2 },
        error: null,
        ...fields,
      });

      it('saves a run and replaces it when saved again', () =>
        withStore(async (store) => {
          await store.saveJobRun(aRun('r-1', { status: 'running', endedAt: null }));
          await store.saveJobRun(aRun('r-1'));

          expect(await store.listJobRuns(10)).toEqual([aRun('r-1')]);
        }));

      it('lists the latest runs first, up to the limit', () =>
        withStore(async (store) => {
          await store.saveJobRun(aRun('old', { startedAt: minutesLater(-60) }));
          await store.saveJobRun(aRun('new', { startedAt: minutesLater(0), job: 'distribute' }));
          await store.saveJobRun(aRun('mid', { startedAt: minutesLater(-30) }));

          const runs = await store.listJobRuns(2);

          expect(runs.map((run) => run.id)).toEqual(['new', 'mid']);
        }));

      it('finds runs by job, status, day and schedule time', () =>
        withStore(async (store) => {
          await store.saveJobRun(aRun('d-1', { job: 'distribute', day: '2026-03-02' }));
          await store.saveJobRun(aRun('d-2', { job: 'distribute', day: '2026-03-03' }));
          await store.saveJobRun(
            aRun('r-1', { scheduleTime: '2026-03-02T01:00:00Z', status: 'running' }),
          );

          const ids = async (filter: JobRunFilter) =>
            (await store.findJobRuns(filter)).map((run) => run.id);

          expect(await ids({ job: 'distribute', day: '2026-03-02' })).toEqual(['d-1']);
          expect(await ids({ job: 'reclaim', status: 'running' })).toEqual(['r-1']);
          expect(await ids({ job: 'reclaim', status: 'done' })).toEqual([]);
          expect(await ids({ job: 'reclaim', scheduleTime: '2026-03-02T01:00:00Z' })).toEqual([
            'r-1',
          ]);
        }));
    });

    describe('concurrency', () => {
      it.skipIf(!capabilities.isolation)(
        `loses no increment when 20 transactions bump one counter at once (${NEEDS_ISOLATION})`,
        () =>
          withStore(async (store) => {
            await seed(store, { members: [aMember('rep@example.com')] });

            await Promise.all(
              Array.from({ length: 20 }, () =>
                store.transaction(async (tx) => {
                  const rep = await tx.getMember('rep@example.com');
                  if (!rep) throw new Error('The member disappeared');

                  tx.saveMember({ ...rep, ownedCount: rep.ownedCount + 1 });
                }),
              ),
            );

            expect((await store.getMember('rep@example.com'))?.ownedCount).toBe(20);
          }),
      );

      it.skipIf(!capabilities.isolation)(
        `lets exactly one of 10 racing claims take a pool lead (${NEEDS_ISOLATION})`,
        () =>
          withStore(async (store) => {
            await seed(store, { leads: [aLead('lead-1')] });

            // A transaction may run again after a conflict, so only its last answer counts.
            const claimed = await Promise.all(
              Array.from({ length: 10 }, (_, index) =>
                store.transaction(async (tx) => {
                  const lead = await tx.getLead('lead-1');
                  if (lead?.status !== 'pool') return false;

                  tx.saveLead({ ...lead, status: 'owned', ownerEmail: `rep${index}@example.com` });
                  return true;
                }),
              ),
            );

            expect(claimed.filter(Boolean)).toHaveLength(1);
            const winner = claimed.indexOf(true);
            expect((await store.getLead('lead-1'))?.ownerEmail).toBe(`rep${winner}@example.com`);
          }),
      );
    });
  });
}
