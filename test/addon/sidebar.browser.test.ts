/**
 * The sidebar in headless Chromium. The page is exactly what the built add-on hands to
 * HtmlService; its google.script.run calls reach the add-on's server functions, which call
 * the real API. Assertions read the DOM's text; the screenshots are for people.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Lead } from '../../functions/src/domain/lead.js';
import type { Visit } from '../../functions/src/domain/visits.js';
import { buildAddon } from '../../sheets-addon/build.js';
import { ADMIN } from '../support/api-server.js';
import { fakeAppsScript } from './fakes/apps-script.js';
import { startLiveApi, type LiveApi } from './support/live-api.js';
import { loadAddon } from './support/sandbox.js';
import { GOOGLE_SCRIPT_RUN_STUB, hostSidebar } from './support/sidebar-host.js';

/** CHROMIUM_PATH, else the first `chromium` on the PATH, as CI's package installs it. */
function findChromium(): string | null {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;

  const dirs = (process.env.PATH ?? '').split(delimiter);
  return dirs.map((dir) => join(dir, 'chromium')).find((path) => existsSync(path)) ?? null;
}

const CHROMIUM = findChromium();
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Where the screenshots go, to look at after a run. */
export const SCREENSHOTS = join(tmpdir(), 'leadpool-addon-screenshots');

const REP = 'sidebar-rep@example.com';

// CI installs Chromium; a machine without it skips these tests rather than failing them.
const haveChromium = CHROMIUM !== null || process.env.CI !== undefined;

let api: LiveApi;
let browser: Browser;
let page: Page;
let host: Awaited<ReturnType<typeof hostSidebar>>;
let session: ReturnType<typeof openRepSession>;

function hoursAgo(hours: number): string {
  return new Date(Date.now() - hours * 3_600_000).toISOString();
}

function claimAt(company: string, at: string): string {
  const created = api.as(ADMIN, 'POST', '/v1/leads', { company });
  const id = created.body.id as string;
  const headers = { 'X-Leadpool-Now': at };
  expect(api.as(REP, 'POST', `/v1/leads/${id}/claim`, {}, headers).status).toBe(200);

  return id;
}

function openRepSession(htmlDir: string, codeFile: string) {
  const fakes = fakeAppsScript({ user: REP, transport: api.transport, htmlDir });
  fakes.properties.script.setProperty('LEADPOOL_API_URL', api.baseUrl);

  return { ...fakes, ...loadAddon(codeFile, fakes) };
}

/** Opens the sidebar the add-on showed last, as Sheets would. */
async function openLatestSidebar(): Promise<void> {
  const sidebar = session.ui.sidebars.at(-1);
  expect(sidebar?.getTitle()).toBe('Lead Pool');
  host.show(sidebar!.getContent());
  await page.goto(host.url);
}

beforeAll(async () => {
  if (!haveChromium) return;

  mkdirSync(SCREENSHOTS, { recursive: true });
  const htmlDir = mkdtempSync(join(tmpdir(), 'leadpool-sidebar-'));
  const { outDir } = await buildAddon({ outDir: htmlDir });
  api = startLiveApi();
  const member = { role: 'rep', name: 'Sidebar Rep', capacity: 2 };
  expect(api.as(ADMIN, 'PUT', `/v1/members/${REP}`, member).status).toBe(200);
  // Claimed 60 hours ago, the first lead's follow-up falls due within the 24-hour warning.
  claimAt('Harbour Tea', hoursAgo(60));
  claimAt('Quay Noodles', hoursAgo(1));

  session = openRepSession(outDir, join(outDir, 'Code.js'));
  host = await hostSidebar(session.addon);
  browser = await chromium.launch({ executablePath: CHROMIUM ?? 'chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 300, height: 800 } });
  await page.addInitScript(GOOGLE_SCRIPT_RUN_STUB);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  api?.stop();
});

describe.skipIf(!haveChromium)(
  'the sidebar in Chromium (skipped where no chromium is installed; CI installs it)',
  () => {
    it('lists the rep’s leads with their due times, flagging those due soon', async () => {
      session.addon.showMyLeads();
      await openLatestSidebar();

      const items = page.locator('#lead-list li');
      await expect.poll(() => items.count()).toBe(2);
      const harbour = items.filter({ hasText: 'Harbour Tea' });
      const quay = items.filter({ hasText: 'Quay Noodles' });
      expect(await harbour.textContent()).toMatch(/due soon.*Follow up by .+\(in 1\d h\)/s);
      expect(await quay.textContent()).not.toContain('due soon');
      expect(await quay.textContent()).toMatch(/Follow up by .+\(in (3 d|7\d h)\)/);
      expect(await page.locator('#today').textContent()).toContain('0/8 visits');
      await page.screenshot({ path: join(SCREENSHOTS, 'my-leads.png'), fullPage: true });
    });

    it('logs a visit from the form and says so', async () => {
      await page
        .locator('#lead-list li', { hasText: 'Quay Noodles' })
        .getByText('Log visit')
        .click();
      await page.selectOption('#visit-outcome', 'effective');
      await page.selectOption('#visit-met', 'owner');
      await page.fill('#visit-note', 'Tasting booked for Friday');

      await page.getByRole('button', { name: 'Log visit' }).click();

      await expect
        .poll(() => page.locator('#status').textContent())
        .toBe('Visit logged: Quay Noodles.');
      expect(await page.locator('#error').isHidden()).toBe(true);
      const day = (api.as(REP, 'GET', '/v1/me').body.today as { day: string }).day;
      expect(api.store<Visit[]>('listVisits', day, REP)).toMatchObject([
        { outcome: 'effective', met: 'owner', note: 'Tasting booked for Friday' },
      ]);
    });

    it('shows the server’s message inline when the rules refuse a visit', async () => {
      await page.check('input[name=target][value=cold]');
      await page.fill('#prospect-company', 'Lighthouse Paints');
      await page.selectOption('#visit-outcome', 'effective');
      await page.selectOption('#visit-met', 'staff');

      await page.getByRole('button', { name: 'Log visit' }).click();

      const error = page.locator('#error');
      await expect.poll(() => error.isVisible()).toBe(true);
      expect(await error.textContent()).toContain(
        'A visit is effective only when the rep met the owner or an executive',
      );
      await page.screenshot({ path: join(SCREENSHOTS, 'visit-refused.png'), fullPage: true });
    });

    it('offers a swap when the pool is full, and swaps the leads the rep picks', async () => {
      const created = api.as(ADMIN, 'POST', '/v1/leads', { company: 'Canal Optics' });
      const wanted = created.body.id as string;
      session.addon.refreshSheet();
      const pool = session.spreadsheet.sheet('Pool');
      pool.select(pool.records().findIndex((record) => record['Lead ID'] === wanted) + 2);
      session.addon.claimSelected();
      await openLatestSidebar();
      const swap = page.getByRole('button', { name: 'Swap' });
      await expect.poll(() => page.locator('#swap-list li').count()).toBe(2);
      expect(await page.locator('#swap-message').textContent()).toBe(
        'Your private pool is full: release a lead to swap',
      );

      await swap.click();
      await expect
        .poll(() => page.locator('#error').textContent())
        .toContain('Your private pool is full');

      await page.locator('#swap-list li', { hasText: 'Harbour Tea' }).getByRole('checkbox').check();
      await swap.click();

      await expect
        .poll(() => page.locator('#status').textContent())
        .toBe('Claimed Canal Optics; released Harbour Tea.');
      await page.screenshot({ path: join(SCREENSHOTS, 'swapped.png'), fullPage: true });
      expect(api.store<Lead>('getLead', wanted)).toMatchObject({ ownerEmail: REP });
      expect(
        session.spreadsheet
          .sheet('Pool')
          .records()
          .map((r) => r.Company),
      ).toContain('Harbour Tea');
    });
  },
);
