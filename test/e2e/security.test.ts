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

/** The hidden fields of the page's form that posts to `action` (its token bound to the link, its Idempotency-Key). */
function formOf(html: string, action: string): Record<string, string> {
  const form = new RegExp(`<form method="post" action="${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  if (!form) throw new Error(`no form posts to ${action}`);
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name!, value!]));
}

test("the tenant's page carries security headers and a CSP without inline script (its style by nonce); its forms refuse a post from another site or without the link's form token", async () => {
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
  // No inline script at all (the page works without script); its own style by nonce.
  expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  const nonce = /<style nonce="([^"]+)">/.exec(page.body)?.[1];
  expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  expect(csp.get('default-src')).toEqual(["'none'"]);
  expect(csp.get('style-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
  expect(csp.get('script-src')?.[0]).toBe("'self'");
  expect(csp.get('connect-src')).toEqual(["'self'"]);
  expect(csp.get('form-action')).toEqual(["'self'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(csp.get('base-uri')).toEqual(["'none'"]);
  // No inline handlers (a CSP without 'unsafe-inline' would block them), and one nonce per answer.
  expect(page.body).not.toMatch(/\son[a-z]+=/i);
  const again = await app.inject({ method: 'GET', url: `/links/${token}`, remoteAddress: '10.0.0.2' });
  expect(/<style nonce="([^"]+)">/.exec(again.body)?.[1]).not.toBe(nonce);

  // Its forms post to the page with a token bound to the link; a post another site makes, or one
  // without that token, is refused and does nothing.
  const dispute = formOf(page.body, `/links/${token}/bezwaar`);
  expect(dispute._formulier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const crossSite = await app.inject({
    method: 'POST',
    url: `/links/${token}/bezwaar`,
    payload: { ...dispute, reden: 'ik was het niet' },
    headers: { 'sec-fetch-site': 'cross-site', origin: 'https://elders.example' },
    remoteAddress: '10.0.0.5',
  });
  expect(crossSite.statusCode).toBe(403);
  expect(crossSite.body).toContain('Dit formulier kwam niet van onze eigen pagina.');
  const oldBrowser = await app.inject({
    method: 'POST',
    url: `/links/${token}/bezwaar`,
    payload: { ...dispute, reden: 'ik was het niet' },
    headers: { origin: 'https://elders.example' },
    remoteAddress: '10.0.0.5',
  });
  expect(oldBrowser.statusCode).toBe(403);
  const withoutToken = await app.inject({
    method: 'POST',
    url: `/links/${token}/bezwaar`,
    payload: { reden: 'ik was het niet', _formulier: 'x'.repeat(43) },
    headers: { 'sec-fetch-site': 'same-origin' },
    remoteAddress: '10.0.0.6',
  });
  expect(withoutToken.statusCode).toBe(403);
  expect(withoutToken.body).toContain('Dit formulier is verlopen of kwam niet van deze pagina.');
  expect((await waitForIncident(stack, incidentId, () => true)).dispute).toBe('none');

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
  // The page itself says so in Dutch, with when to try again.
  const busyPage = await app.inject({ method: 'GET', url: `/links/${token}`, remoteAddress: tenant });
  expect(busyPage.statusCode).toBe(429);
  expect(busyPage.headers['content-type']).toMatch(/^text\/html/);
  expect(Number(busyPage.headers['retry-after'])).toBeGreaterThan(0);
  expect(busyPage.body).toContain('Wacht een minuut en open de link dan opnieuw.');
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
