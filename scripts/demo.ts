import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './temporal-binaries';

/**
 * `npm run demo`: drives incidents through the running API (npm start) as the people would.
 *   default      the polluter cleans: tenant link -> inspection -> warning -> neighbours -> closed
 *   --escalate   the polluter does not clean: deadline -> contractor -> cost -> invoice -> closed
 *                (start the server with POLICY_FILE=examples/policy-fast.json so the deadline is seconds away)
 */
const api = (process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const keys = {
  consultant: process.env.DEMO_CONSULTANT_KEY ?? 'dev-consultant',
  admin: process.env.DEMO_ADMIN_KEY ?? 'dev-admin',
  contractor: process.env.DEMO_CONTRACTOR_KEY ?? 'dev-contractor',
};
const escalate = process.argv.includes('--escalate');
const suffix = Date.now().toString(36);

async function call(method: string, path: string, key: string | null, body?: unknown): Promise<any> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${parsed?.detail ?? text}`);
  return parsed;
}

const step = (text: string) => console.log(`\n== ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(incidentId: string, what: string, test: (incident: any) => boolean, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // 503 for the moment before the incident's workflow has recorded its report.
    const incident = await call('GET', `/incidents/${incidentId}`, keys.consultant).catch((error: Error) => {
      if (/: 503 /.test(error.message)) return null;
      throw error;
    });
    if (incident && test(incident)) return incident;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; the incident is ${incident ? `${incident.status}/${incident.phase}` : 'not recorded yet'}`);
    await sleep(500);
  }
}

async function main() {
  const building = `DEMO-${suffix}`;
  step(`directory: six households in building ${building}, its address, one contractor`);
  const tenants = [1, 2, 3, 4, 5, 6].map((n) => ({
    contractNumber: `${building}-${n}`,
    name: `Demo Bewoner ${n}`,
    email: n === 6 ? null : `bewoner${n}.${suffix}@demo.test`,
    street: 'Demostraat',
    houseNumber: String(n),
    postalCode: '3511 AA',
    city: 'Utrecht',
    complexId: 'DEMO',
    buildingId: building,
    unit: String(n),
  }));
  console.log(await call('PUT', '/directory/tenants', keys.admin, tenants));
  console.log(
    await call('PUT', '/directory/buildings', keys.admin, [
      { buildingId: building, complexId: 'DEMO', street: 'Demostraat', houseNumbers: '1-6', postalCode: '3511 AA', city: 'Utrecht', accessNotes: 'Sleutel bij de huismeester, Demostraat 1' },
    ]),
  );
  console.log(await call('PUT', '/directory/contractors', keys.admin, [{ contractorId: 'DEMO-K', name: 'Demo Schoonmaak BV', email: 'kees@schoonbv.example' }]));

  step('a consultant reports a fouled stairwell; tenant 2 is known to have caused it');
  const reported = await call('POST', '/incidents', keys.consultant, {
    category: 'fouled_stairwell',
    complexId: 'DEMO',
    buildingId: building,
    location: 'trappenhuis, 1e verdieping',
    description: 'vuilniszakken en etensresten op de overloop',
    polluterTenantId: `${building}-2`,
    complainantTenantId: `${building}-3`,
  });
  const id = reported.incidentId as string;
  console.log(reported);
  const notified = await waitFor(id, 'the notice', (i) => i.phase === 'awaiting_cleanup', 30_000);
  console.log(`formal notice sent; deadline ${notified.deadlineDate} (${notified.deadline})`);

  if (!escalate) {
    step('the tenant confirms the cleanup through the link in the letter');
    const link = notified.timeline.find((e: any) => e.type === 'PolluterNotified');
    console.log(`(tenant links are signed and only in the letter: ${link ? 'see the mail' : ''}); here the consultant records the report`);
    console.log(await call('POST', `/incidents/${id}/cleanup-reports`, keys.consultant, { note: 'huurder belde: opgeruimd' }));
    step('the consultant inspects: clean');
    console.log(await call('POST', `/incidents/${id}/inspections`, keys.consultant, { result: 'clean' }));
  } else {
    step('the tenant does nothing; waiting for the deadline (start npm with POLICY_FILE=examples/policy-fast.json)');
    await waitFor(id, 'the work order', (i) => i.phase === 'cleanup_ordered', 5 * 60_000);
    step('the contractor cleans and reports the cost: EUR 187.50');
    console.log(await call('POST', `/incidents/${id}/completion`, keys.contractor, { contractorId: 'DEMO-K', costCents: 18750 }));
  }

  const closed = await waitFor(id, 'the close', (i) => i.status === 'closed', 60_000);
  step(`closed: ${closed.outcome}`);
  for (const event of closed.timeline) console.log(`  ${event.recordedAt}  ${event.type}`);
  step('letters');
  for (const letter of closed.letters) console.log(`  ${letter.kind.padEnd(28)} to ${letter.recipientId.padEnd(16)} by ${letter.channel}`);
  const mailFolder = join(projectRoot(), '.data', 'mail');
  if (existsSync(mailFolder)) {
    const mine = readdirSync(mailFolder)
      .map((file) => ({ file, text: readFileSync(join(mailFolder, file), 'utf8') }))
      .filter((m) => m.text.includes(suffix) || m.text.includes(id));
    console.log(`\n${mine.length} mails for this demo in ${mailFolder}, e.g. ${mine[0]?.file ?? '(none)'}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(`Is the API running at ${api}? Start it with: npm start`);
  process.exit(1);
});
