/**
 * What one sheet sync asks of the Sheets API for a team of 10,000 leads, against the local
 * fake of the API: the requests of the first sync, which sets the spreadsheet up, and of the
 * syncs after it. The API allows 60 write requests a minute per user, and a sync every few
 * minutes shares that budget with every relayed edit, so a sync must stay at a request or two.
 * Each sync also blanks rows the add-on drew below the sync's own, and leaves alone a column a
 * manager keeps beside Leads, neither of which may cost a request. Last, a pool of 100,000
 * leads, which no single request may carry: the requests its sync is cut into.
 */
import { auth as googleAuth } from '@googleapis/sheets';

import type { Lead } from '../functions/src/domain/lead.js';
import { addHours } from '../functions/src/domain/time.js';
import { silentLogger } from '../functions/src/log.js';
import { COLUMNS } from '../functions/src/sheets/projection.js';
import { syncSheet, type SyncCounts, type SyncDeps } from '../functions/src/sheets/sync.js';
import { SqliteStore } from '../functions/src/store/sqlite.js';
import { FakeSheetsServer } from '../test/sheets/fake-sheets-server.js';
import { median, round, type BenchReport } from './metrics.js';
import { closedLead, ownedSince, poolLead, reps, scratch, writeDatabase } from './seed.js';

const NOW = new Date('2026-03-02T01:00:00Z');
const LEADS = 10_000;
const REPS = 50;
const OWNED_PER_REP = 40;
const STEADY_SYNCS = 5;

/** Pool leads closed between two syncs, so the Pool tab shrinks and leftovers are blanked. */
const CLOSED_BETWEEN = 100;

/** Rows the add-on's refresh draws below the Pool rows between two syncs. */
const DRAWN_BELOW = 50;

/** A column a manager keeps notes in, one to the right of the Leads columns. */
const MANAGERS_COLUMN = COLUMNS.Leads.length + 1;

/** The pool the distribution bench draws from, far more than one request may carry. */
const LARGE_POOL = 100_000;

const SPREADSHEET_ID = '1LeadPoolBenchSheet_0123456789abcdefghijklmn';

/** 2,000 leads owned by 50 reps, due at different times, and 8,000 in the pool. */
function teamLeads(): Lead[] {
  return Array.from({ length: LEADS }, (_, n) => {
    const lead = poolLead(n, NOW, LEADS - n);
    if (n >= REPS * OWNED_PER_REP) return lead;

    return ownedSince(lead, `rep-${(n % REPS) + 1}@example.com`, NOW, n % 70);
  });
}

/** Rows below the Pool tab's last one, as an add-on refresh that saw more leads leaves them. */
function drawBelow(fake: FakeSheetsServer, rows: number): void {
  for (let row = rows; row < rows + DRAWN_BELOW; row++) {
    fake.type(SPREADSHEET_ID, 'Pool', row, [`stale-${row}`, 'Closed Co']);
  }
}

/** The oldest pool leads still open, closed in one transaction, as a manager's cleanup. */
async function closeSome(store: SqliteStore): Promise<void> {
  const { items } = await store.listPool(CLOSED_BETWEEN, null);
  await store.transaction(async (tx) => {
    for (const lead of items) tx.saveLead(closedLead(lead));
  });
}

/** A store of `leads` whose policy names the bench's spreadsheet, and a sync's deps on it. */
async function syncedTeam(
  files: ReturnType<typeof scratch>,
  fake: FakeSheetsServer,
  leads: Lead[],
) {
  const path = files.template(`team-${leads.length}`);
  await writeDatabase(path, NOW, reps(REPS, NOW, leads), leads);
  const store = new SqliteStore(path);
  await store.transaction(async (tx) => {
    tx.savePolicy({ ...(await tx.getPolicy()), spreadsheetId: SPREADSHEET_ID });
  });
  fake.create(SPREADSHEET_ID);

  // A token the fake accepts, so no request ever leaves for Google.
  const auth = new googleAuth.OAuth2();
  auth.setCredentials({ access_token: fake.accessToken });
  const deps: SyncDeps = { store, log: silentLogger, sheets: { rootUrl: fake.rootUrl, auth } };

  return { store, deps };
}

/**
 * The requests of a sync after the first, and the largest body sent, when the pool alone is
 * about 45 MB of JSON: the sync cuts it into batches within the API's 10 MiB.
 */
async function largePool(files: ReturnType<typeof scratch>) {
  const fake = await FakeSheetsServer.start();
  const leads = Array.from({ length: LARGE_POOL }, (_, n) => poolLead(n, NOW, LARGE_POOL - n));
  const { store, deps } = await syncedTeam(files, fake, leads);
  try {
    await syncSheet(deps, NOW);
    fake.received.length = 0;
    const started = performance.now();
    const steady = await syncSheet(deps, addHours(NOW, 1 / 12));

    const written = fake.rows(SPREADSHEET_ID, 'Pool').length;
    if (written !== LARGE_POOL + 1) throw new Error(`The Pool tab has ${written} rows`);

    const refused = fake.received.filter((request) => request.status !== 200).length;
    if (refused > 0) throw new Error(`The API refused ${refused} requests of the sync`);

    return {
      requests: steady.requests,
      ms: performance.now() - started,
      largestMb: Math.max(...fake.received.map((request) => request.bytes)) / 1e6,
    };
  } finally {
    await store.close();
    await fake.close();
  }
}

export async function sheetSync(): Promise<BenchReport> {
  const files = scratch('sheet-sync');
  const fake = await FakeSheetsServer.start();
  const { store, deps } = await syncedTeam(files, fake, teamLeads());
  try {
    const first = await syncSheet(deps, NOW);
    const steady: (SyncCounts & { ms: number })[] = [];
    for (let n = 1; n <= STEADY_SYNCS; n++) {
      drawBelow(fake, fake.rows(SPREADSHEET_ID, 'Pool').length);
      fake.type(SPREADSHEET_ID, 'Leads', n, [`note ${n}`], MANAGERS_COLUMN);
      await closeSome(store);
      const started = performance.now();
      const counts = await syncSheet(deps, addHours(NOW, n / 12));
      steady.push({ ...counts, ms: performance.now() - started });

      const left = fake.rows(SPREADSHEET_ID, 'Pool').filter((row) => /^stale-/.test(`${row[0]}`));
      if (left.length > 0) throw new Error(`Sync ${n} left ${left.length} stale Pool rows`);

      const note = fake.rows(SPREADSHEET_ID, 'Leads')[n]?.[MANAGERS_COLUMN];
      if (note !== `note ${n}`) throw new Error(`Sync ${n} wrote over a manager's column`);
    }

    // What the sync counted must be what the API received, or the metric means nothing.
    const counted = first.requests + steady.reduce((total, sync) => total + sync.requests, 0);
    if (counted !== fake.count()) {
      throw new Error(`The syncs counted ${counted} requests; the fake received ${fake.count()}`);
    }

    const requests = Math.max(...steady.map((sync) => sync.requests));
    const rows = first.rows;
    const cleared = steady.reduce((total, sync) => total + sync.cleared, 0);
    const steadyBytes = fake.received.slice(1).map((request) => request.bytes);
    const large = await largePool(files);

    return {
      metrics: [
        { name: 'sync.requests_per_sync', value: requests, goal: { op: '<=', target: 2 } },
        { name: 'sync.first_sync_requests', value: first.requests, goal: null },
        {
          name: 'sync.steady_ms',
          value: round(median(steady.map((sync) => sync.ms)), 0),
          goal: null,
        },
        { name: 'sync.request_mb', value: round(median(steadyBytes) / 1e6, 1), goal: null },
        { name: 'sync.requests_100k', value: large.requests, goal: null },
      ],
      notes: [
        `${LEADS} leads (${REPS * OWNED_PER_REP} owned by ${REPS} reps, the rest in the pool), ` +
          `${rows} data rows across the tabs, synced to the local fake Sheets API over HTTP. ` +
          'requests_per_sync is the most any steady-state sync sent (every tab rewritten, ' +
          `retries included) over ${STEADY_SYNCS} syncs five minutes apart, with ` +
          `${CLOSED_BETWEEN} pool leads closed and ${DRAWN_BELOW} rows drawn below the Pool ` +
          `rows before each (${cleared} rows of the previous sync and ` +
          `${DRAWN_BELOW * STEADY_SYNCS} drawn ones blanked in all) and a note typed in a ` +
          "manager's column beside Leads, which each sync left as it was; the first sync also " +
          'creates tabs, protections, formats and the chart, in the same request. request_mb ' +
          'is the JSON body of a steady-state sync.',
        `requests_100k is a steady-state sync with ${LARGE_POOL} leads in the pool: ` +
          `${round(large.ms / 1000, 1)} s, its largest body ${round(large.largestMb, 1)} MB ` +
          'against the 10.5 MB the API accepts.',
      ],
    };
  } finally {
    await store.close();
    await fake.close();
    files.remove();
  }
}
