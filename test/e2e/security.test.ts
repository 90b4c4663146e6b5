import { runInNewContext } from 'node:vm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../api/app';
import { signTenantLink } from '../../documents/links';
import { resolvePolicy } from '../../domain/policy';
import type { Role } from '../../config/config';
import { LINK_SECRET, PUBLIC_URL } from '../support/harness';
import { auth, keys, startStack, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/** Long deadlines: the incident stays open while the tenant's link is used. */
const slowPolicy = { categories: { bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' } } };
const limit = 3;

let stack: Stack;
/** The same API on the stack's database and worker, with a tenant-link limit of 3 a minute. */
let app: FastifyInstance;
let incidentId: string;
let token: string;

beforeAll(async () => {
  stack = await startStack('e2e_security', slowPolicy);
  const config = {
    apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
    linkSecret: LINK_SECRET,
    policy: resolvePolicy(slowPolicy),
    publicUrl: PUBLIC_URL,
    corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
    temporal: { address: undefined, namespace: 'default', taskQueue: stack.taskQueue, tls: undefined, apiKey: undefined },
    tenantLinkRateLimit: { max: limit, windowMs: 60_000 },
  };
  app = await buildApp({ db: stack.database.db, temporal: stack.client, config });
  const reported = await app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'bulk_waste', complexId: 'C1', buildingId: 'C1-A', location: 'bij de containers', polluterTenantId: 'A-2' },
  });
  expect(reported.statusCode).toBe(201);
  incidentId = reported.json().incidentId;
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  token = signTenantLink({ incidentId, tenantId: 'A-2', expiresAt: new Date(Date.now() + 86_400_000) }, LINK_SECRET);
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

function cspDirectives(response: LightMyRequestResponse): Map<string, string[]> {
  const header = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

/** Runs the page's script against a small stand-in for the browser, and clicks the button that posts to `path`. */
async function clickButton(html: string, path: string, reason = ''): Promise<{ url: string; init: { method: string; body: string } }> {
  const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!script) throw new Error('no script with a nonce on the page');
  const buttons = [...html.matchAll(/<button type="button" data-send="([^"]+)"(?: data-reason="([^"]+)")?>/g)].map(([, send, reasonId]) => {
    const listeners: (() => Promise<void>)[] = [];
    return { dataset: { send: send!.replace(/&amp;/g, '&'), ...(reasonId ? { reason: reasonId } : {}) }, addEventListener: (_: string, f: () => Promise<void>) => listeners.push(f), listeners };
  });
  const result = { textContent: '' };
  const calls: { url: string; init: { method: string; body: string } }[] = [];
  const document = {
    querySelectorAll: () => buttons,
    getElementById: (id: string) => (id === 'result' ? result : { value: reason }),
  };
  const fetch = async (url: string, init: { method: string; body: string }) => {
    calls.push({ url, init });
    return { ok: true, json: async () => ({}) };
  };
  runInNewContext(script, { document, fetch });
  const button = buttons.find((b) => b.dataset.send.startsWith(path));
  if (!button) throw new Error(`no button posts to ${path}`);
  await Promise.all(button.listeners.map((listener) => listener()));
  expect(result.textContent).toBe('Dank u wel, dit is vastgelegd.');
  return calls[0]!;
}

test("the tenant's page carries security headers and a CSP that lets only its own script run, by nonce", async () => {
  const page = await app.inject({ method: 'GET', url: `/links/${token}`, remoteAddress: '10.0.0.1' });
  expect(page.statusCode).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.headers).toMatchObject({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
    'cross-origin-opener-policy': 'same-origin',
  });
  const csp = cspDirectives(page);
  const nonce = /<script nonce="([^"]+)">/.exec(page.body)?.[1];
  expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  expect(csp.get('default-src')).toEqual(["'none'"]);
  expect(csp.get('script-src')).toEqual([`'nonce-${nonce}'`]);
  expect(csp.get('connect-src')).toEqual(["'self'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(csp.get('base-uri')).toEqual(["'none'"]);
  // No inline handlers (a CSP without 'unsafe-inline' would block them), and one nonce per answer.
  expect(page.body).not.toMatch(/\son[a-z]+=/i);
  const again = await app.inject({ method: 'GET', url: `/links/${token}`, remoteAddress: '10.0.0.2' });
  expect(/<script nonce="([^"]+)">/.exec(again.body)?.[1]).not.toBe(nonce);

  // The page still works: its buttons post the cleanup report and the dispute to the API.
  const cleanup = await clickButton(page.body, `/incidents/${incidentId}/cleanup-reports`);
  expect(cleanup.url).toBe(`/incidents/${incidentId}/cleanup-reports?token=${token}`);
  expect(cleanup.init).toMatchObject({ method: 'POST', body: '{}' });
  const dispute = await clickButton(page.body, `/incidents/${incidentId}/disputes`, 'ik was het niet');
  expect(dispute.url).toBe(`/incidents/${incidentId}/disputes?token=${token}`);
  expect(JSON.parse(dispute.init.body)).toEqual({ reason: 'ik was het niet' });

  // The API's answers carry the headers too; the CSP there allows nothing at all.
  const json = await app.inject({ method: 'GET', url: '/healthz' });
  expect(json.headers['x-content-type-options']).toBe('nosniff');
  expect(cspDirectives(json).get('default-src')).toEqual(["'none'"]);
});

test('the N+1-th tenant request within the window is a 429 problem with Retry-After; staff with a key are not limited; another address is', async () => {
  const tenant = '10.0.0.3';
  // N requests on the tenant-link routes from one address: the page, a forged link, a real action.
  const first = await app.inject({ method: 'GET', url: `/links/${token}`, remoteAddress: tenant });
  expect(first.statusCode).toBe(200);
  const forged = await app.inject({ method: 'POST', url: `/incidents/${incidentId}/disputes?token=garbage`, payload: { reason: 'x' }, remoteAddress: tenant });
  expect(forged.statusCode).toBe(401);
  const cleanup = await app.inject({ method: 'POST', url: `/incidents/${incidentId}/cleanup-reports?token=${token}`, payload: { note: 'opgeruimd' }, remoteAddress: tenant });
  expect(cleanup.statusCode).toBe(200);

  // The N+1-th: refused before anything is read or done.
  const refused = await app.inject({ method: 'POST', url: `/incidents/${incidentId}/disputes?token=${token}`, payload: { reason: 'ik was het niet' }, remoteAddress: tenant });
  expect(refused.statusCode).toBe(429);
  expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(refused.json()).toMatchObject({ status: 429, title: 'Too Many Requests', detail: expect.stringContaining('try again'), type: expect.any(String), instance: expect.any(String) });
  expect((await app.inject({ method: 'GET', url: `/links/${token}`, remoteAddress: tenant })).statusCode).toBe(429);
  const forgedAgain = await app.inject({ method: 'POST', url: `/incidents/${incidentId}/cleanup-reports?token=garbage`, payload: {}, remoteAddress: tenant });
  expect(forgedAgain.statusCode).toBe(429);

  // Staff from the same address, on the same routes, with a key and no token: served.
  for (let i = 0; i < limit + 1; i += 1) {
    const staff = await app.inject({ method: 'GET', url: `/incidents/${incidentId}`, headers: auth('consultant'), remoteAddress: tenant });
    expect(staff.statusCode).toBe(200);
  }
  const staffDispute = await app.inject({
    method: 'POST',
    url: `/incidents/${incidentId}/disputes`,
    headers: auth('consultant'),
    payload: { reason: 'de huurder belde: het was een ander' },
    remoteAddress: tenant,
  });
  expect(staffDispute.statusCode).toBe(200);
  expect(staffDispute.headers['x-ratelimit-limit']).toBeUndefined();

  // Another tenant's address has a window of its own.
  expect((await app.inject({ method: 'GET', url: `/links/${token}`, remoteAddress: '10.0.0.4' })).statusCode).toBe(200);

  // Nothing the refused requests asked for was recorded: one cleanup report, and only the staff's dispute.
  const incident = await waitForIncident(stack, incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'DisputeOpened'));
  const types = incident.timeline.map((e: { type: string }) => e.type);
  expect(types.filter((t: string) => t === 'CleanupReported')).toHaveLength(1);
  expect(incident.timeline.filter((e: { type: string }) => e.type === 'DisputeOpened').map((e: { actor: string }) => e.actor)).toEqual([expect.stringMatching(/^consultant:/)]);
});
