import { addCalendarDays } from '../../domain/calendar';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/**
 * The incident list's filters that the consultant's work queue reads (phase, deadline, disputes
 * waiting for a ruling) and its search: each a filter of the API, so that every page and every
 * integration gets the same answer.
 */
const slowPolicy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
    bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_consultant_api', slowPolicy);
});
afterAll(async () => {
  await stack?.stop();
});

type Json = Record<string, unknown>;

async function notified(body: Json): Promise<{ incidentId: string; deadlineDate: string }> {
  const response = await stack.app.inject({ method: 'POST', url: '/incidents', headers: auth('consultant'), payload: body });
  expect(response.statusCode).toBe(201);
  const incident = await waitForIncident(stack, response.json().incidentId, (i) => i.phase === 'awaiting_cleanup');
  return { incidentId: incident.incidentId, deadlineDate: incident.deadlineDate };
}

async function list(query: string): Promise<{ ids: string[]; total: number }> {
  const response = await stack.app.inject({ method: 'GET', url: `/incidents?${query}`, headers: auth('consultant') });
  expect(response.statusCode).toBe(200);
  const body = response.json() as { incidents: { incidentId: string }[]; total: number };
  return { ids: body.incidents.map((i) => i.incidentId).sort(), total: body.total };
}

const post = (url: string, payload: Json) => stack.app.inject({ method: 'POST', url, headers: auth('consultant'), payload });

test('the work queue filters: open incidents by phase, by the day their deadline falls, and those with a dispute waiting for a ruling', async () => {
  const stairs = await notified({ category: 'fouled_stairwell', complexId: 'Q1', buildingId: 'Q1-A', location: 'trappenhuis', polluterTenantId: 'A-2' });
  const bikes = await notified({ category: 'bulk_waste', complexId: 'Q1', buildingId: 'Q1-B', location: 'fietsenstalling' });
  const hall = await notified({ category: 'fouled_stairwell', complexId: 'Q1', buildingId: 'Q1-C', location: 'hal', polluterTenantId: 'A-3' });
  const mine = [stairs.incidentId, bikes.incidentId, hall.incidentId].sort();

  // A cleanup reported: the bikes' incident waits for an inspection; a dispute on the hall's.
  expect((await post(`/incidents/${bikes.incidentId}/cleanup-reports`, {})).statusCode).toBe(200);
  expect((await post(`/incidents/${hall.incidentId}/disputes`, { reason: 'ik was het niet' })).statusCode).toBe(200);
  await waitForIncident(stack, bikes.incidentId, (i) => i.phase === 'cleanup_reported');
  await waitForIncident(stack, hall.incidentId, (i) => i.dispute === 'open');

  expect((await list('phase=cleanup_reported')).ids).toEqual([bikes.incidentId]);
  expect((await list('phase=awaiting_cleanup')).ids).toEqual([stairs.incidentId, hall.incidentId].sort());
  expect(await list('dispute=open')).toEqual({ ids: [hall.incidentId], total: 1 });

  // The deadlines fall on the day they fall (an hour from now: today, or tomorrow just before midnight).
  const day = stairs.deadlineDate;
  expect([bikes.deadlineDate, hall.deadlineDate]).toEqual([day, day]);
  expect((await list(`deadlineFrom=${day}&deadlineTo=${day}`)).ids).toEqual(mine);
  expect((await list(`deadlineFrom=${day}&deadlineTo=${day}&phase=awaiting_cleanup`)).total).toBe(2);
  expect((await list(`deadlineFrom=${addCalendarDays(day, 1)}`)).total).toBe(0);
  expect((await list(`deadlineTo=${addCalendarDays(day, -1)}`)).total).toBe(0);

  // The ruling takes it off the list.
  expect((await post(`/incidents/${hall.incidentId}/disputes/resolution`, { decision: 'rejected', note: 'gezien op camera' })).statusCode).toBe(200);
  await waitForIncident(stack, hall.incidentId, (i) => i.dispute === 'rejected');
  expect((await list('dispute=open')).total).toBe(0);
});

test('a filter the list does not know is refused with the field named', async () => {
  for (const query of ['phase=closed', 'dispute=upheld', 'deadlineFrom=5-12-2026']) {
    const response = await stack.app.inject({ method: 'GET', url: `/incidents?${query}`, headers: auth('consultant') });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json().errors)).toContain(query.split('=')[0]);
  }
});

test('one search finds an incident by where it is, the street of its building, the contract number of its polluter and its number', async () => {
  const shed = await notified({ category: 'bulk_waste', complexId: 'C1', buildingId: 'C1-A', location: 'fietsenhok achter de flat', polluterTenantId: 'A-5' });
  const other = await notified({ category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', location: 'trappenhuis 2e etage', polluterTenantId: 'B-2' });
  const { incidentNumber } = await waitForIncident(stack, shed.incidentId, () => true);
  expect(incidentNumber).toMatch(/^\d{4}-\d{5}$/);
  const search = (q: string) => list(`q=${encodeURIComponent(q)}`);

  expect((await search('fietsenhok')).ids).toEqual([shed.incidentId]);
  expect((await search('FIETSENHOK ACHTER')).ids).toEqual([shed.incidentId]);
  // The building's households live at Stationsstraat 11 to 16 (the directory); building B's at the Kerkweg.
  expect((await search('Stationsstraat 15')).ids).toEqual([shed.incidentId]);
  expect((await search('kerkweg')).ids).toEqual([other.incidentId]);
  expect((await search('C1-B')).ids).toEqual([other.incidentId]);
  // A contract number exactly, whatever the case: A-5, not A-55 or the contract of another.
  expect((await search('a-5')).ids).toEqual([shed.incidentId]);
  expect((await search('B-2')).ids).toEqual([other.incidentId]);
  // The incident number, also without its leading zeros.
  expect((await search(incidentNumber)).ids).toEqual([shed.incidentId]);
  expect((await search(incidentNumber.replace(/-0+/, '-'))).ids).toEqual([shed.incidentId]);
  // Search and filters together; LIKE's wildcards are only characters; nothing found is an empty list.
  expect((await list(`q=fietsenhok&category=fouled_stairwell`)).total).toBe(0);
  expect(await search('%%')).toEqual({ ids: [], total: 0 });
  expect(await search('nergens te vinden')).toEqual({ ids: [], total: 0 });
  // Found two ways (its location names the street, its building is on it): listed and counted once.
  const twice = await notified({ category: 'bulk_waste', complexId: 'C1', buildingId: 'C1-B', location: 'kelder naast Kerkweg 3', polluterTenantId: 'B-3' });
  expect(await search('kerkweg 3')).toEqual({ ids: [other.incidentId, twice.incidentId].sort(), total: 2 });
  expect(await list(`q=kerkweg&category=bulk_waste`)).toEqual({ ids: [twice.incidentId], total: 1 });
  // Every search answers an exact total up to the limit it counts to.
  const body = (await stack.app.inject({ method: 'GET', url: '/incidents?q=kerkweg', headers: auth('consultant') })).json();
  expect(body.totalIsAtLeast).toBeUndefined();
  const tooShort = await stack.app.inject({ method: 'GET', url: '/incidents?q=a', headers: auth('consultant') });
  expect(tooShort.statusCode).toBe(400);
});

test("a letter's copy as HTML: as sent to its recipient, named and addressed from the directory, without the tenant's personal link", async () => {
  const notice = await notified({ category: 'fouled_stairwell', complexId: 'C1', buildingId: 'L1-A', location: 'galerij', polluterTenantId: 'A-6' });
  const incident = await waitForIncident(stack, notice.incidentId, (i) => i.letters.some((l: { kind: string }) => l.kind === 'formal_notice'));
  const letter = incident.letters.find((l: { kind: string }) => l.kind === 'formal_notice');
  const url = `/letters/${encodeURIComponent(letter.letterId)}/html`;
  const copy = await stack.app.inject({ method: 'GET', url, headers: auth('consultant') });
  expect(copy.statusCode).toBe(200);
  expect(copy.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(copy.body).toContain('Ingebrekestelling');
  expect(copy.body).toContain('Bewoner A6');
  expect(copy.body).toContain('Stationsstraat 16');
  expect(copy.body).toContain('[hier stond de persoonlijke link van de huurder]');
  expect(copy.body).not.toMatch(/token=|\/links\//);
  expect((await stack.app.inject({ method: 'GET', url, headers: auth('contractor') })).statusCode).toBe(403);
  expect((await stack.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  const missing = await stack.app.inject({ method: 'GET', url: '/letters/no-such-letter/html', headers: auth('consultant') });
  expect(missing.statusCode).toBe(404);
  expect(missing.json().detail).toBe('no letter no-such-letter');
});

test('a search that finds more than it counts says so, and lists the newest first all the same', async () => {
  // More hits than a search counts, seeded straight into the read model (closed incidents of one attic).
  const { sql } = await import('kysely');
  const { SEARCH_COUNTED } = await import('../../api/routes/incidents');
  await sql`insert into incidents (incident_id, category, complex_id, building_id, location, status, phase, reported_at, dispute, duplicate_reports, tenancy_escalation, last_position, reported_on)
    select 'many-' || n, 'fouled_stairwell', 'M1', 'M1-A', 'veel gemelde zolder', 'closed', 'closed', now() - n * interval '1 minute', 'none', 0, false, 0, current_date
    from generate_series(1, ${SEARCH_COUNTED + 5}) n`.execute(stack.database.db);
  const body = (await stack.app.inject({ method: 'GET', url: '/incidents?q=gemelde%20zolder&limit=3', headers: auth('consultant') })).json();
  expect({ total: body.total, totalIsAtLeast: body.totalIsAtLeast }).toEqual({ total: SEARCH_COUNTED, totalIsAtLeast: true });
  expect(body.incidents.map((i: { incidentId: string }) => i.incidentId)).toEqual(['many-1', 'many-2', 'many-3']);
  const second = (await stack.app.inject({ method: 'GET', url: '/incidents?q=gemelde%20zolder&limit=3&offset=3', headers: auth('consultant') })).json();
  expect(second.incidents.map((i: { incidentId: string }) => i.incidentId)).toEqual(['many-4', 'many-5', 'many-6']);
  // With a filter that leaves fewer: exact again.
  const narrowed = (await stack.app.inject({ method: 'GET', url: '/incidents?q=gemelde%20zolder&status=open', headers: auth('consultant') })).json();
  expect({ total: narrowed.total, totalIsAtLeast: narrowed.totalIsAtLeast }).toEqual({ total: 0, totalIsAtLeast: undefined });
});

test('the new filters, the search and the letter copy are in /openapi.json', async () => {
  const document = (await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const list = document.paths['/incidents'].get;
  const parameters = (list.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
  expect(parameters).toEqual(expect.arrayContaining(['q', 'phase', 'deadlineFrom', 'deadlineTo', 'dispute']));
  expect(list.responses['200'].content['application/json'].schema.properties.totalIsAtLeast.type).toBe('boolean');
  expect(document.paths['/letters/{letterId}/html'].get.operationId).toBe('letterHtml');
  expect(document.paths['/reports/overdue'].get.responses['200'].content['application/json'].schema.properties.inspectionsWaiting.properties.items.items.properties.incidentNumber).toBeDefined();
});
