/**
 * One function instance in the claim rush: a long-lived process that, for each round,
 * opens its own SqliteStore on that round's database, waits for "go", then has each of its
 * reps claim their leads one after another, all reps at once.
 */
import { devAuthenticator } from '../functions/src/api/auth.js';
import { createApi, type Api } from '../functions/src/api/handler.js';
import { randomId } from '../functions/src/app/ids.js';
import type { Lead } from '../functions/src/domain/lead.js';
import { addHours } from '../functions/src/domain/time.js';
import { silentLogger } from '../functions/src/log.js';
import { SqliteStore } from '../functions/src/store/sqlite.js';

export type RushMode = 'service' | 'raw';

export type RushOrders = {
  type: 'rush';
  mode: RushMode;
  dbPath: string;
  now: string;
  /** The team day of `now`, which the bare transaction writes without working it out. */
  day: string;
  reps: { email: string; leadIds: string[] }[];
};

export type RushTally = { committed: number; refused: Record<string, number>; failed: string[] };

export type ParentMessage = RushOrders | { type: 'go' } | { type: 'stop' };

export type WorkerMessage = { type: 'ready' } | ({ type: 'done' } & RushTally);

type Claim = (email: string, leadId: string) => Promise<string>;

/** The whole API as the Functions Framework calls it, minus the HTTP server around it. */
function serviceClaim(store: SqliteStore, now: Date): Claim {
  const api: Api = createApi({
    store,
    authenticate: devAuthenticator(),
    newId: randomId,
    log: silentLogger,
    clock: () => now,
    devMode: true,
    schedulerEmails: [],
  });

  return async (email, leadId) => {
    const response = await api({
      method: 'POST',
      path: `/v1/leads/${leadId}/claim`,
      query: new URLSearchParams(),
      headers: {
        authorization: `Bearer dev:${email}`,
        'content-type': 'application/json',
        'idempotency-key': randomId(),
      },
      rawBody: Buffer.from('{}'),
    });
    if (response.status === 200) return 'committed';

    return (response.body as { error?: { code?: string } }).error?.code ?? `${response.status}`;
  };
}

/**
 * The reads and writes of a claim and nothing else: no request parsing, no rule, no
 * idempotency hash. This is the floor the service layer is measured against.
 */
function rawClaim(store: SqliteStore, now: Date, day: string): Claim {
  const at = now.toISOString();

  return (email, leadId) =>
    store.transaction(async (tx) => {
      const key = `${email} ${leadId}`;
      if (await tx.getIdempotency(key)) return 'replayed';

      const policy = await tx.getPolicy();
      const rep = await tx.getMember(email);
      const lead = (await tx.getLeads([leadId])).get(leadId);
      if (!rep || !lead) throw new Error(`No rep ${email} or no lead ${leadId}`);

      const claimed: Lead = {
        ...lead,
        status: 'owned',
        ownerEmail: email,
        assignedAt: at,
        followUpDueAt: addHours(now, policy.followUpHours).toISOString(),
        dealDueAt: addHours(now, policy.dealDays * 24).toISOString(),
        updatedAt: at,
      };
      tx.saveLead(claimed);
      tx.saveMember({
        ...rep,
        ownedCount: rep.ownedCount + 1,
        claimsDay: day,
        claimsOnDay: rep.claimsOnDay + 1,
        lastAssignedAt: at,
        updatedAt: at,
      });
      tx.appendEvents([
        {
          id: randomId(),
          type: 'lead.claimed',
          at,
          seq: 0,
          leadId,
          subject: email,
          actor: email,
          relayedBy: null,
          requestId: null,
          before: { status: lead.status, ownerEmail: lead.ownerEmail },
          after: { status: claimed.status, ownerEmail: claimed.ownerEmail },
          data: null,
        },
      ]);
      tx.saveIdempotency({
        id: key,
        requestHash: key,
        status: 200,
        body: JSON.stringify({ lead: claimed, released: [] }),
        createdAt: at,
        expiresAt: at,
      });

      return 'committed';
    });
}

async function rush(orders: RushOrders, claim: Claim): Promise<RushTally> {
  const tally: RushTally = { committed: 0, refused: {}, failed: [] };

  await Promise.all(
    orders.reps.map(async ({ email, leadIds }) => {
      for (const leadId of leadIds) {
        try {
          const outcome = await claim(email, leadId);
          if (outcome === 'committed') tally.committed += 1;
          else tally.refused[outcome] = (tally.refused[outcome] ?? 0) + 1;
        } catch (error) {
          tally.failed.push(String(error));
        }
      }
    }),
  );

  return tally;
}

function send(message: WorkerMessage): void {
  process.send!(message);
}

let round: { orders: RushOrders; store: SqliteStore; claim: Claim } | null = null;

process.on('message', (message: ParentMessage) => {
  if (message.type === 'stop') {
    process.disconnect();
    return;
  }

  if (message.type === 'rush') {
    const store = new SqliteStore(message.dbPath);
    const now = new Date(message.now);
    const claim =
      message.mode === 'service' ? serviceClaim(store, now) : rawClaim(store, now, message.day);
    round = { orders: message, store, claim };
    send({ type: 'ready' });
    return;
  }

  const current = round;
  if (!current) throw new Error('"go" came before any orders');

  round = null;
  void rush(current.orders, current.claim).then(async (tally) => {
    await current.store.close();
    send({ type: 'done', ...tally });
  });
});
