import { spawn } from 'node:child_process';
import type { LightMyRequestResponse } from 'fastify';
import { signTenantLink } from '../../documents/links';
import { categories } from '../../domain/policy';
import { LINK_SECRET } from '../support/harness';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/** Long deadlines: incidents stay open (notified, waiting) while the tests poke them. */
const slowPolicy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
    bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_api_contract', slowPolicy);
});
afterAll(async () => {
  await stack?.stop();
});

type Json = Record<string, unknown>;
type Headers = Record<string, string>;

/** A valid report on a space of its own, so that no two tests' incidents are duplicates of each other. */
let spaces = 0;
function reportBody(overrides: Json = {}): Json {
  spaces += 1;
  return {
    category: 'fouled_stairwell',
    complexId: 'C9',
    buildingId: `T-${spaces}`,
    location: 'trappenhuis, begane grond',
    description: 'vuilniszakken bij de lift',
    ...overrides,
  };
}

async function report(overrides: Json = {}, headers: Headers = {}): Promise<string> {
  const response = await stack.app.inject({ method: 'POST', url: '/incidents', headers: { ...auth('consultant'), ...headers }, payload: reportBody(overrides) });
  expect(response.statusCode).toBe(201);
  // The workflow records the report as its first step: readable a moment later.
  const incidentId = response.json().incidentId as string;
  await waitForIncident(stack, incidentId, () => true);
  return incidentId;
}

/** An incident that has notified its polluter (or the households) and waits for the deadline. */
async function notifiedIncident(overrides: Json = {}): Promise<string> {
  const incidentId = await report(overrides);
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  return incidentId;
}

function post(url: string, payload: unknown, headers: Headers = auth('consultant')) {
  return stack.app.inject({ method: 'POST', url, headers, payload: payload as Json });
}

function expectProblem(response: LightMyRequestResponse, status: number): Json {
  expect({ status: response.statusCode, body: response.body }).toEqual({ status, body: expect.any(String) });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json() as Json;
  expect(problem).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.any(String), instance: expect.any(String) });
  return problem;
}

function errorPaths(problem: Json): string[] {
  return ((problem.errors ?? []) as { path: string }[]).map((e) => e.path);
}

async function incidentsTotal(): Promise<number> {
  const response = await stack.app.inject({ method: 'GET', url: '/incidents', headers: auth('consultant') });
  expect(response.statusCode).toBe(200);
  return response.json().total as number;
}

async function reportedEvents(): Promise<number> {
  const row = await stack.database.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('type', '=', 'IncidentReported')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Workflows started on this stack's task queue (visibility is eventually consistent: wait for `expected`). */
async function workflowsStarted(expected: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { count } = await stack.client.workflow.count(`TaskQueue = "${stack.taskQueue}"`);
    if (count === expected || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What "nothing was written" is checked against: the list, the event store and Temporal. */
async function snapshot() {
  const total = await incidentsTotal();
  return { total, reported: await reportedEvents(), workflows: await workflowsStarted(total) };
}

async function timelineTypes(incidentId: string): Promise<string[]> {
  const response = await stack.app.inject({ method: 'GET', url: `/incidents/${incidentId}`, headers: auth('consultant') });
  return response.json().timeline.map((e: { type: string }) => e.type);
}

describe('bad input', () => {
  test('a report with a wrong category, no location and a non-string buildingId is a 400 naming each field, and nothing is written', async () => {
    const before = await snapshot();
    const body = reportBody({ category: 'graffiti', buildingId: 42 });
    delete body.location;
    const problem = expectProblem(await post('/incidents', body), 400);
    expect(errorPaths(problem)).toEqual(expect.arrayContaining(['body.category', 'body.location', 'body.buildingId']));
    expect(await snapshot()).toEqual(before);
  });

  test('a report naming an unknown polluter contract number is a 400 on body.polluterTenantId, and nothing is written', async () => {
    const before = await snapshot();
    const problem = expectProblem(await post('/incidents', reportBody({ polluterTenantId: 'Z-999' })), 400);
    expect(errorPaths(problem)).toEqual(['body.polluterTenantId']);
    expect(problem.detail).toContain('Z-999');
    expect(await snapshot()).toEqual(before);
  });

  test('malformed JSON is a 400 problem, not a 500, and nothing is written', async () => {
    const before = await snapshot();
    const response = await stack.app.inject({
      method: 'POST',
      url: '/incidents',
      headers: { ...auth('consultant'), 'content-type': 'application/json' },
      payload: '{"category": "fouled_stairwell", "complexId": ',
    });
    expectProblem(response, 400);
    expect(await snapshot()).toEqual(before);
  });

  test('a completion with a negative cost is a 400 on body.costCents, and the incident does not move', async () => {
    const incidentId = await notifiedIncident();
    const before = await snapshot();
    const versionBefore = (await timelineTypes(incidentId)).length;
    const problem = expectProblem(await post(`/incidents/${incidentId}/completion`, { contractorId: 'K-1', costCents: -100 }, auth('contractor')), 400);
    expect(errorPaths(problem)).toEqual(['body.costCents']);
    expect(await snapshot()).toEqual(before);
    expect(await timelineTypes(incidentId)).toHaveLength(versionBefore);
  });
});

describe('authentication and roles', () => {
  test('no Authorization header, an unknown key and a non-Bearer scheme are each a 401 problem', async () => {
    const before = await snapshot();
    for (const headers of [{}, { authorization: 'Bearer not-a-key' }, { authorization: 'Basic xyz' }] as Headers[]) {
      expectProblem(await post('/incidents', reportBody(), headers), 401);
      expectProblem(await stack.app.inject({ method: 'GET', url: '/incidents', headers }), 401);
    }
    expect(await snapshot()).toEqual(before);
  });

  test('who is calling is settled before the body is read: no key with a bad body is still a 401', async () => {
    expectProblem(await post('/incidents', { category: 'nonsense' }, {} as Headers), 401);
  });

  test('a key with the wrong role is a 403 problem: finance reporting, a consultant completing, a contractor listing', async () => {
    const incidentId = await notifiedIncident();
    const before = await snapshot();
    expectProblem(await post('/incidents', reportBody(), auth('finance')), 403);
    expectProblem(await post(`/incidents/${incidentId}/completion`, { contractorId: 'K-1', costCents: 100 }, auth('consultant')), 403);
    expectProblem(await stack.app.inject({ method: 'GET', url: '/incidents', headers: auth('contractor') }), 403);
    expect(await snapshot()).toEqual(before);
    expect(await timelineTypes(incidentId)).not.toContain('CleanupCompleted');
  });
});

test('an unknown incident id is a 404 on GET and on every action route', async () => {
  const unknown = '00000000-0000-4000-8000-000000000000';
  expectProblem(await stack.app.inject({ method: 'GET', url: `/incidents/${unknown}`, headers: auth('consultant') }), 404);
  const actions: [string, unknown, Headers][] = [
    ['cleanup-reports', {}, auth('consultant')],
    ['inspections', { result: 'clean' }, auth('consultant')],
    ['polluter', { tenantId: 'A-3' }, auth('consultant')],
    ['disputes', { reason: 'ik was het niet' }, auth('consultant')],
    ['disputes/resolution', { decision: 'rejected' }, auth('consultant')],
    ['completion', { contractorId: 'K-1', costCents: 100 }, auth('contractor')],
    ['cancellation', { reason: 'dubbel gemeld' }, auth('consultant')],
  ];
  for (const [action, payload, headers] of actions) {
    const problem = expectProblem(await post(`/incidents/${unknown}/${action}`, payload, headers), 404);
    expect({ action, detail: problem.detail }).toEqual({ action, detail: expect.stringContaining(unknown) });
  }
});

describe('409 with the reason', () => {
  test('an inspection and a second cancellation on a cancelled incident are refused: the incident is closed', async () => {
    const incidentId = await notifiedIncident();
    const cancelled = await post(`/incidents/${incidentId}/cancellation`, { reason: 'verkeerd adres' });
    expect(cancelled.statusCode).toBe(200);
    // At once, while the workflow may still be closing: refused all the same.
    const again = expectProblem(await post(`/incidents/${incidentId}/cancellation`, { reason: 'nog een keer' }), 409);
    expect(again.detail).toMatch(/cancel/);
    const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
    expect(closed.outcome).toBe('cancelled');
    const inspection = expectProblem(await post(`/incidents/${incidentId}/inspections`, { result: 'clean' }), 409);
    expect(inspection.detail).toBe('the incident is closed (cancelled)');
    const third = expectProblem(await post(`/incidents/${incidentId}/cancellation`, { reason: 'en nog een keer' }), 409);
    expect(third.detail).toBe('the incident is closed (cancelled)');
    expect((await timelineTypes(incidentId)).filter((t) => t === 'IncidentCancelled' || t === 'IncidentClosed')).toEqual(['IncidentCancelled', 'IncidentClosed']);
  });

  test('a completion before any cleanup was ordered is refused: no cleanup has been ordered', async () => {
    const incidentId = await notifiedIncident();
    const problem = expectProblem(await post(`/incidents/${incidentId}/completion`, { contractorId: 'K-1', costCents: 5000 }, auth('contractor')), 409);
    expect(problem.detail).toContain('no cleanup has been ordered');
  });

  test('resolving a dispute when none is open is refused', async () => {
    const incidentId = await notifiedIncident({ polluterTenantId: 'A-5', buildingId: 'C1-A-dispute' });
    const problem = expectProblem(await post(`/incidents/${incidentId}/disputes/resolution`, { decision: 'upheld' }), 409);
    expect(problem.detail).toContain('no open dispute');
    expect((await waitForIncident(stack, incidentId, () => true)).status).toBe('open');
  });

  test('identifying a polluter when one is already known is refused, naming the known one', async () => {
    const incidentId = await notifiedIncident({ polluterTenantId: 'A-3', buildingId: 'C1-A-polluter' });
    const problem = expectProblem(await post(`/incidents/${incidentId}/polluter`, { tenantId: 'A-6' }), 409);
    expect(problem.detail).toContain('already identified (A-3)');
    expect((await waitForIncident(stack, incidentId, () => true)).polluterTenantId).toBe('A-3');
  });
});

test('a consultant reports the cleanup without a body: the note is optional', async () => {
  const incidentId = await notifiedIncident();
  const response = await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/cleanup-reports`, headers: auth('consultant') });
  expect(response.statusCode).toBe(200);
  const incident = await waitForIncident(stack, incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'CleanupReported'));
  expect(incident.timeline.find((e: { type: string }) => e.type === 'CleanupReported').data).toMatchObject({ by: 'consultant', note: null });
});

describe('Idempotency-Key', () => {
  test('the same report twice with the same key returns the same incident (201, then 200) and starts one workflow', async () => {
    const before = await snapshot();
    const body = reportBody();
    const headers = { ...auth('consultant'), 'idempotency-key': 'report-once-1' };
    const first = await post('/incidents', body, headers);
    const second = await post('/incidents', body, headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    const { incidentId } = first.json();
    await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
    expect(await snapshot()).toEqual({ total: before.total + 1, reported: before.reported + 1, workflows: before.workflows + 1 });
    expect((await timelineTypes(incidentId)).filter((t) => t === 'IncidentReported')).toHaveLength(1);
  });

  test('the same key with a different request is a 409 and writes nothing', async () => {
    const headers = { ...auth('consultant'), 'idempotency-key': 'report-once-2' };
    const body = reportBody();
    const first = await post('/incidents', body, headers);
    expect(first.statusCode).toBe(201);
    await waitForIncident(stack, first.json().incidentId, () => true);
    const before = await snapshot();
    const problem = expectProblem(await post('/incidents', { ...body, location: 'kelder' }, headers), 409);
    expect(problem.detail).toContain('Idempotency-Key');
    expect(await snapshot()).toEqual(before);
  });
});

test('a second report on the same space while the first is open is linked to it as a duplicate; another category is a new incident', async () => {
  const body = reportBody();
  const first = await post('/incidents', body);
  expect(first.statusCode).toBe(201);
  const firstId = first.json().incidentId as string;
  expect(first.json().duplicateOf).toBeNull();
  await waitForIncident(stack, firstId, (i) => i.phase === 'awaiting_cleanup');
  const before = await snapshot();

  const second = await post('/incidents', { ...body, location: 'trappenhuis, 1e verdieping', description: 'nog steeds vuilniszakken' });
  expect(second.statusCode).toBe(200);
  expect(second.json()).toEqual({ incidentId: firstId, incidentNumber: first.json().incidentNumber, duplicateOf: firstId });
  const linked = await waitForIncident(stack, firstId, (i) => i.duplicateReports === 1);
  expect(linked.timeline.map((e: { type: string }) => e.type)).toContain('DuplicateReportLinked');
  expect(await snapshot()).toEqual({ ...before, reported: before.reported });

  const other = await post('/incidents', { ...body, category: 'bulk_waste' });
  expect(other.statusCode).toBe(201);
  expect(other.json().duplicateOf).toBeNull();
  expect(other.json().incidentId).not.toBe(firstId);
  await waitForIncident(stack, other.json().incidentId, () => true);
  expect(await incidentsTotal()).toBe(before.total + 1);
});

describe('tenant links', () => {
  let incidentId: string;
  let token: string;

  beforeAll(async () => {
    incidentId = await notifiedIncident({ polluterTenantId: 'A-2', buildingId: 'C1-A' });
    const deadline = Date.now() + 30_000;
    let notice: { subject: string; text: string } | undefined;
    while (!notice) {
      notice = stack.smtp.to('a2@bewoners.test').find((m) => m.subject.startsWith('Ingebrekestelling'));
      if (!notice && Date.now() > deadline) throw new Error('no formal notice reached a2@bewoners.test');
      if (!notice) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const match = /\/links\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(notice.text);
    if (!match?.[1]) throw new Error(`no tenant link in the notice:\n${notice.text}`);
    token = match[1];
  });

  test('the link page serves HTML; an invalid token gets a 404 page', async () => {
    const page = await stack.app.inject({ method: 'GET', url: `/links/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // Its forms post to the page, which acts through this API with the link (test/browser/tenant-link.test.ts).
    expect(page.body).toContain(`action="/links/${token}/opgeruimd"`);
    expect(page.body).toContain(`action="/links/${token}/bezwaar"`);
    const invalid = await stack.app.inject({ method: 'GET', url: '/links/not-a-token' });
    expect(invalid.statusCode).toBe(404);
    expect(invalid.headers['content-type']).toMatch(/^text\/html/);
  });

  test('a tampered token is a 401; the token on another incident is a 403; an expired one is a 401; nothing is recorded', async () => {
    const [payload, signature] = token.split('.') as [string, string];
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), t: 'A-3' })).toString('base64url');
    for (const tampered of [`${payload}.${flipped}`, `${forged}.${signature}`, 'garbage']) {
      expectProblem(await post(`/incidents/${incidentId}/cleanup-reports?token=${encodeURIComponent(tampered)}`, {}, {}), 401);
    }
    const otherId = await report();
    expectProblem(await post(`/incidents/${otherId}/cleanup-reports?token=${token}`, {}, {}), 403);
    const expired = signTenantLink({ incidentId, tenantId: 'A-2', expiresAt: new Date(Date.now() - 60_000) }, LINK_SECRET);
    expectProblem(await post(`/incidents/${incidentId}/cleanup-reports?token=${expired}`, {}, {}), 401);
    expect(await timelineTypes(incidentId)).not.toContain('CleanupReported');
    expect(await timelineTypes(otherId)).not.toContain('CleanupReported');
  });

  test("the polluter reports the cleanup through the link from the notice: 200, and the timeline shows it was the tenant", async () => {
    const response = await post(`/incidents/${incidentId}/cleanup-reports?token=${token}`, { note: 'alles opgeruimd' }, {});
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ incidentId, status: 'open' });
    const incident = await waitForIncident(stack, incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'CleanupReported'));
    const reported = incident.timeline.find((e: { type: string }) => e.type === 'CleanupReported');
    expect(reported.data).toMatchObject({ by: 'tenant', note: 'alles opgeruimd' });
    expect(reported.actor).toBe('tenant:A-2');
  });
});

describe('directory', () => {
  const header = 'contractNumber,name,email,street,houseNumber,postalCode,city,complexId,buildingId,unit';

  function putCsv(url: string, csv: string, headers: Headers = auth('admin')) {
    return stack.app.inject({ method: 'PUT', url, headers: { ...headers, 'content-type': 'text/csv' }, payload: csv });
  }

  test('tenants by CSV are upserted (an empty e-mail cell is none) and the new tenant can be named as polluter', async () => {
    const csv = [
      header,
      'D-1,Bewoner D1,,Dorpsstraat,1,3511 AA,Utrecht,C2,C2-D,1',
      'D-2,Bewoner D2,d2@bewoners.test,Dorpsstraat,2,3511AA,Utrecht,C2,C2-D,2',
      'A-6,Bewoner A6 (verhuisd),a6-nieuw@bewoners.test,Stationsstraat,16,1234 AB,Utrecht,C1,C1-A,6',
      '',
    ].join('\n');
    const response = await putCsv('/directory/tenants', csv);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ upserted: 3 });
    const rows = await stack.database.db
      .selectFrom('tenants')
      .select(['contract_number', 'email', 'postal_code', 'name'])
      .where('contract_number', 'in', ['D-1', 'D-2', 'A-6'])
      .orderBy('contract_number')
      .execute();
    expect(rows).toEqual([
      { contract_number: 'A-6', email: 'a6-nieuw@bewoners.test', postal_code: '1234 AB', name: 'Bewoner A6 (verhuisd)' },
      { contract_number: 'D-1', email: null, postal_code: '3511 AA', name: 'Bewoner D1' },
      { contract_number: 'D-2', email: 'd2@bewoners.test', postal_code: '3511AA', name: 'Bewoner D2' },
    ]);
    const incidentId = await report({ polluterTenantId: 'D-1', complexId: 'C2', buildingId: 'C2-D' });
    const notified = await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
    expect(notified.polluterTenantId).toBe('D-1');
  });

  test('buildings by CSV are upserted with their address and access notes (an empty cell is none); only admin may', async () => {
    const csv = [
      'buildingId,complexId,street,houseNumbers,postalCode,city,accessNotes',
      'C2-D,C2,Dorpsstraat,1-2,3511aa,Utrecht,"Sleutel bij de huismeester, Dorpsstraat 1"',
      'C2-E,C2,Dorpsstraat,4-8,3511 AB,Utrecht,',
    ].join('\n');
    expectProblem(await putCsv('/directory/buildings', csv, auth('consultant')), 403);
    const response = await putCsv('/directory/buildings', csv);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ upserted: 2 });
    const rows = await stack.database.db
      .selectFrom('buildings')
      .select(['building_id', 'complex_id', 'street', 'house_numbers', 'postal_code', 'city', 'access_notes'])
      .where('building_id', 'in', ['C2-D', 'C2-E'])
      .orderBy('building_id')
      .execute();
    expect(rows).toEqual([
      { building_id: 'C2-D', complex_id: 'C2', street: 'Dorpsstraat', house_numbers: '1-2', postal_code: '3511 AA', city: 'Utrecht', access_notes: 'Sleutel bij de huismeester, Dorpsstraat 1' },
      { building_id: 'C2-E', complex_id: 'C2', street: 'Dorpsstraat', house_numbers: '4-8', postal_code: '3511 AB', city: 'Utrecht', access_notes: null },
    ]);
    const bad = expectProblem(await putCsv('/directory/buildings', ['buildingId,complexId,street,houseNumbers,postalCode,city', 'C2-F,C2,Dorpsstraat,9,9999,Utrecht'].join('\n')), 400);
    expect(errorPaths(bad)).toEqual(['line 2: postalCode']);
  });

  test('a CSV row with a bad postal code is a 400 naming the row and field, and no row of that upload is written', async () => {
    const csv = [header, 'E-1,Bewoner E1,e1@bewoners.test,Kade,1,3511 AA,Utrecht,C3,C3-E,1', 'E-2,Bewoner E2,,Kade,2,35110AA,Utrecht,C3,C3-E,2'].join('\n');
    const problem = expectProblem(await putCsv('/directory/tenants', csv), 400);
    expect(errorPaths(problem)).toEqual(['line 3: postalCode']);
    const written = await stack.database.db.selectFrom('tenants').select('contract_number').where('contract_number', 'in', ['E-1', 'E-2']).execute();
    expect(written).toEqual([]);
  });

  test('contractors by JSON are upserted with their categories', async () => {
    const response = await stack.app.inject({
      method: 'PUT',
      url: '/directory/contractors',
      headers: auth('admin'),
      payload: [
        { contractorId: 'K-2', name: 'Tuinen BV', email: 'orders@tuinen.test', categories: ['neglected_garden'] },
        { contractorId: 'K-3', name: 'Grofvuil BV', email: 'orders@grofvuil.test', categories: ['bulk_waste', 'vandalism'], complexes: ['C1'] },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ upserted: 2 });
    const rows = await stack.database.db
      .selectFrom('contractors')
      .select(['contractor_id', 'categories', 'complexes'])
      .where('contractor_id', 'in', ['K-2', 'K-3'])
      .orderBy('contractor_id')
      .execute();
    expect(rows).toEqual([
      { contractor_id: 'K-2', categories: ['neglected_garden'], complexes: [] },
      { contractor_id: 'K-3', categories: ['bulk_waste', 'vandalism'], complexes: ['C1'] },
    ]);
    const bad = expectProblem(
      await stack.app.inject({
        method: 'PUT',
        url: '/directory/contractors',
        headers: auth('admin'),
        payload: [{ contractorId: 'K-4', name: 'Fout BV', email: 'orders@fout.test', categories: ['graffiti'] }],
      }),
      400,
    );
    expect(errorPaths(bad)).toEqual(['body.0.categories.0']);
  });

  test('a key other than admin is a 403 on the directory and writes nothing', async () => {
    for (const role of ['consultant', 'finance', 'contractor'] as const) {
      expectProblem(await putCsv('/directory/tenants', [header, 'F-1,Bewoner F1,,Kade,1,3511 AA,Utrecht,C3,C3-F,1'].join('\n'), auth(role)), 403);
      expectProblem(
        await stack.app.inject({
          method: 'PUT',
          url: '/directory/contractors',
          headers: auth(role),
          payload: [{ contractorId: 'K-5', name: 'Stiekem BV', email: 'orders@stiekem.test' }],
        }),
        403,
      );
    }
    expect(await stack.database.db.selectFrom('tenants').select('contract_number').where('contract_number', '=', 'F-1').execute()).toEqual([]);
    expect(await stack.database.db.selectFrom('contractors').select('contractor_id').where('contractor_id', '=', 'K-5').execute()).toEqual([]);
  });
});

/** The validator is an ES module that reads its schemas through import.meta: run it in a plain Node process. */
function validateOpenApi(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const result = await new Validator().validate(JSON.parse(input));
    process.stdout.write(JSON.stringify(result));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the OpenAPI validator failed (${code}): ${stderr}`));
      resolve(JSON.parse(stdout) as { valid: boolean; errors?: unknown });
    });
    child.stdin.end(JSON.stringify(document));
  });
}

describe('operations', () => {
  test('GET /healthz answers 200 without a key', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  test('GET /openapi.json is a valid OpenAPI 3.1 document with every path of the API, its operationIds and the category enum', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(await validateOpenApi(document)).toEqual({ valid: true });

    const operations: [string, string, string][] = [
      ['/incidents', 'post', 'reportIncident'],
      ['/incidents', 'get', 'listIncidents'],
      ['/incidents/{id}', 'get', 'getIncident'],
      ['/incidents/{id}/cleanup-reports', 'post', 'reportCleanup'],
      ['/incidents/{id}/inspections', 'post', 'recordInspection'],
      ['/incidents/{id}/polluter', 'post', 'identifyPolluter'],
      ['/incidents/{id}/disputes', 'post', 'openDispute'],
      ['/incidents/{id}/disputes/resolution', 'post', 'resolveDispute'],
      ['/incidents/{id}/completion', 'post', 'completeCleanup'],
      ['/incidents/{id}/cancellation', 'post', 'cancelIncident'],
      ['/directory/tenants', 'put', 'upsertTenants'],
      ['/directory/contractors', 'put', 'upsertContractors'],
      ['/directory/buildings', 'put', 'upsertBuildings'],
      ['/letters/print-queue', 'get', 'printQueue'],
      ['/letters/{letterId}/posting', 'post', 'recordPosting'],
      ['/healthz', 'get', 'health'],
    ];
    for (const [path, method, operationId] of operations) {
      expect({ path, method, operationId: document.paths?.[path]?.[method]?.operationId }).toEqual({ path, method, operationId });
    }
    const operationIds = Object.values(document.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);

    const reportSchema = document.paths['/incidents'].post.requestBody.content['application/json'].schema;
    expect(reportSchema.required).toEqual(expect.arrayContaining(['category', 'complexId', 'buildingId', 'location']));
    expect(reportSchema.properties.category.enum).toEqual([...categories]);
  });
});

test('the workflow is the only writer of its stream: a report is readable once its workflow has recorded it, and until then GET answers 503 with Retry-After', async () => {
  await stack.stopWorker();
  try {
    const response = await post('/incidents', reportBody());
    expect(response.statusCode).toBe(201);
    const { incidentId } = response.json();
    const early = await stack.app.inject({ method: 'GET', url: `/incidents/${incidentId}`, headers: auth('consultant') });
    expect({ status: early.statusCode, retryAfter: early.headers['retry-after'] }).toEqual({ status: 503, retryAfter: '1' });
    const events = await stack.database.db.selectFrom('events').select('event_id').where('stream_id', '=', `incident-${incidentId}`).execute();
    expect(events).toEqual([]);
  } finally {
    await stack.startWorker();
  }
});

test('a report gets a short number of its year, shown with the incident; the next report the next number', async () => {
  const first = await post('/incidents', reportBody());
  const second = await post('/incidents', reportBody());
  const year = new Date().getFullYear();
  expect(first.json().incidentNumber).toMatch(new RegExp(`^${year}-\\d{5}$`));
  const [n1, n2] = [first.json().incidentNumber, second.json().incidentNumber].map((n: string) => Number(n.slice(5)));
  expect(n2).toBe(n1! + 1);
  const shown = await waitForIncident(stack, first.json().incidentId, () => true);
  expect(shown.incidentNumber).toBe(first.json().incidentNumber);
});

test('a second report that names the polluter and a complainant: the polluter gets a notice, the complainant an acknowledgement', async () => {
  const body = reportBody({ polluterTenantId: null });
  const first = await post('/incidents', body);
  const firstId = first.json().incidentId as string;
  await waitForIncident(stack, firstId, (i) => i.phase === 'awaiting_cleanup');
  const second = await post('/incidents', { ...body, polluterTenantId: 'A-4', complainantTenantId: 'B-2', description: 'buurman zag wie het was' });
  expect(second.json()).toEqual({ incidentId: firstId, incidentNumber: first.json().incidentNumber, duplicateOf: firstId });
  const incident = await waitForIncident(stack, firstId, (i) => i.letters.some((l: { kind: string }) => l.kind === 'formal_notice'));
  expect(incident.polluterTenantId).toBe('A-4');
  expect(incident.letters.map((l: { kind: string; recipientId: string }) => `${l.recipientId}: ${l.kind}`)).toEqual(
    expect.arrayContaining(['A-4: formal_notice', 'B-2: complainant_acknowledgement']),
  );
});
