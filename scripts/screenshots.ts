import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dropDatabase, ensureDatabase } from '../db/connection';
import { defaultDatabaseUrl } from '../config/config';
import { signTenantLink } from '../documents/links';
import { freePort } from './ports';
import { projectRoot, temporalCliPath } from './temporal-binaries';

/**
 * `npm run screenshots`: the README's pictures of the workspace, taken from the real thing.
 * Starts `npm start` on a database and Temporal dev server of its own (fast policy), lets the demo
 * report and escalate incidents, then signs in as each role in Chromium and photographs the main
 * pages into docs/screenshots/. Everything it started is stopped and its database dropped.
 */
const root = projectRoot();
const out = join(root, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LINK_SECRET = 'screenshots-link-secret-0123456789';
const log = (line: string) => console.log(`[screenshots] ${line}`);

function run(command: string, args: string[], env: NodeJS.ProcessEnv, quiet = true): ChildProcess {
  return spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

function finished(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exited with ${code}`)))));
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A round of the demo's building for the development consultant, planned and started now: its id. */
async function roundToWalk(url: string, incidentId: string | undefined): Promise<string | null> {
  if (!incidentId) return null;
  const incident = await api<{ complexId: string; buildingId: string }>(url, 'GET', `/incidents/${incidentId}`);
  await api(url, 'PUT', `/rounds/plans/${incident.complexId}`, {
    consultant: 'consultant',
    intervalWeeks: 4,
    firstDate: new Date().toISOString().slice(0, 10),
    buildings: [{ buildingId: incident.buildingId, spaces: ['Entree', 'Trappenhuis', 'Galerij 1e etage', 'Fietsenstalling', 'Containerruimte'] }],
  });
  await api(url, 'POST', `/rounds/plans/${incident.complexId}/trigger`);
  for (let tries = 0; tries < 40; tries += 1) {
    const { rounds } = await api<{ rounds: { roundId: string }[] }>(url, 'GET', `/rounds?complexId=${encodeURIComponent(incident.complexId)}`);
    if (rounds[0]) return rounds[0].roundId;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

async function api<T = any>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: 'Bearer dev-admin', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function signIn(browser: Browser, url: string, login: string, phone = false): Promise<Page> {
  const context = await browser.newContext({ viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 860 }, deviceScaleFactor: phone ? 2 : 1, locale: 'nl-NL' });
  const page = await context.newPage();
  await page.goto(`${url}/app/aanmelden?next=${encodeURIComponent('/app')}`);
  await page.fill('input[name=login]', login).catch(async (error: unknown) => {
    throw new Error(`no sign-in form at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 500)} (${String(error)})`);
  });
  await page.fill('input[name=password]', 'welkom');
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/app'), { timeout: 15_000 }), page.click('button[type=submit]')]);
  return page;
}

async function shoot(page: Page, url: string, path: string, name: string): Promise<void> {
  const response = await page.goto(`${url}${path}`);
  if (!response || response.status() >= 400) throw new Error(`${path}: ${response?.status()}`);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
  log(`${name}.png  ${path}`);
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const [port, oidcPort, temporalPort, uiPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const url = `http://127.0.0.1:${port}`;
  const databaseUrl = new URL(defaultDatabaseUrl('postgres'));
  databaseUrl.pathname = `/pp_screens_${randomUUID().slice(0, 8)}`;
  await ensureDatabase(databaseUrl.toString());
  const children: ChildProcess[] = [];
  try {
    children.push(run(await temporalCliPath(), ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(temporalPort), '--ui-port', String(uiPort), '--log-level', 'error'], {}));
    const env = {
      PORT: String(port),
      PUBLIC_URL: url,
      OIDC_DEV_PORT: String(oidcPort),
      DATABASE_URL: databaseUrl.toString(),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_TASK_QUEUE: `screenshots-${Date.now()}`,
      POLICY_FILE: join(root, 'examples', 'policy-fast.json'),
      LINK_SECRET,
      CORPORATION_NAME: 'Woonstichting De Linde',
      // Ports of its own for the mail catcher; no metrics (their defaults may be taken on the machine).
      MAIL_CATCHER_PORT: String(await freePort()),
      WORKER_METRICS_PORT: '0',
      TEMPORAL_SDK_METRICS_PORT: '0',
    };
    children.push(run(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], env));
    await waitUntilReady(url, 90_000);
    log(`running at ${url}; the demo reports and escalates`);
    await finished(run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { API_URL: url }));
    await finished(run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--escalate'], { API_URL: url }));
    // One incident left open, waiting for its tenant: for the work queue and the tenant's page.
    const { incidents } = await api<{ incidents: { incidentId: string; status: string; polluterTenantId: string | null }[] }>(url, 'GET', '/incidents?limit=50');
    const closed = incidents.find((i) => i.status === 'closed');
    const { invoices } = await api<{ invoices: { invoiceNumber: string; debtorTenantId: string }[] }>(url, 'GET', '/invoices?limit=5').catch(() => ({ invoices: [] }));

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const consultant = await signIn(browser, url, 'consultant');
      await shoot(consultant, url, '/app/werk', 'consultant-werkvoorraad');
      await shoot(consultant, url, '/app/meldingen', 'consultant-meldingen');
      await shoot(consultant, url, '/app/meldingen/nieuw', 'consultant-melden');
      if (closed) await shoot(consultant, url, `/app/meldingen/${closed.incidentId}`, 'consultant-melding');
      await shoot(consultant, url, '/app/post', 'consultant-post');
      const phone = await signIn(browser, url, 'consultant', true);
      if (incidents[0]) await shoot(phone, url, `/app/meldingen/${incidents[0].incidentId}`, 'telefoon-melding');
      const round = await roundToWalk(url, incidents[0]?.incidentId).catch((error: unknown) => {
        log(`no round to show: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      });
      await shoot(phone, url, '/app/rondes', 'telefoon-rondes');
      if (round) await shoot(phone, url, `/app/rondes/${encodeURIComponent(round)}`, 'telefoon-ronde');

      const finance = await signIn(browser, url, 'finance');
      await shoot(finance, url, '/app/facturen', 'financien-facturen');
      if (invoices[0]) await shoot(finance, url, `/app/facturen/${invoices[0].invoiceNumber}`, 'financien-factuur');
      await shoot(finance, url, '/app/betalingen', 'financien-betalingen');
      await shoot(finance, url, '/app/exports', 'financien-exports');

      const manager = await signIn(browser, url, 'manager');
      await shoot(manager, url, '/app/casusoverleg', 'team-casusoverleg');
      await shoot(manager, url, '/app/rapportages', 'team-rapportages');
      await shoot(manager, url, '/app/rapportages/toezicht', 'team-toezicht');

      const admin = await signIn(browser, url, 'admin');
      await shoot(admin, url, '/app/adresboek', 'beheer-adresboek');
      await shoot(admin, url, '/app/beleid', 'beheer-beleid');
      await shoot(admin, url, '/app/privacy', 'beheer-privacy');

      const contractor = await signIn(browser, url, 'contractor');
      await shoot(contractor, url, '/app/werkorders', 'aannemer-werkorders');

      const open = incidents.find((i) => i.status === 'open' && i.polluterTenantId) ?? incidents.find((i) => i.polluterTenantId);
      if (open?.polluterTenantId) {
        const token = signTenantLink({ incidentId: open.incidentId, tenantId: open.polluterTenantId, expiresAt: new Date(Date.now() + 86_400_000) }, LINK_SECRET);
        const tenant = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'nl-NL' })).newPage();
        await shoot(tenant, url, `/links/${token}`, 'huurder-link');
      }
    } finally {
      await browser.close();
    }
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await dropDatabase(databaseUrl.toString()).catch((error: unknown) => log(`could not drop ${databaseUrl.pathname.slice(1)}: ${String(error)}`));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
