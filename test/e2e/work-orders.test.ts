import { upsertContractors, upsertTenants } from '../../db/directory';
import { buildingC2 } from '../support/fixtures';
import { startSession } from '../../api/sessions';
import { CSRF_HEADER } from '../../api/auth';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const kees = { contractorId: 'K-2', name: 'Schoon BV Kees', email: 'Kees@SchoonBV.example', categories: [], complexes: ['C2'] };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('work_orders');
  await upsertTenants(stack.database.db, buildingC2);
  await upsertContractors(stack.database.db, [kees]);
});
afterAll(async () => {
  await stack?.stop();
});

/** A signed-in person's headers: the session cookie and its CSRF token. */
async function personHeaders(subject: string, email: string | null, roles: ('contractor' | 'consultant')[]) {
  const session = await startSession(stack.database.db, { subject, name: subject, email, roles }, null);
  return { cookie: `pp_session=${session.id}`, [CSRF_HEADER]: session.csrfToken };
}

async function orderedIncident(complexId: string, buildingId: string, polluter: string): Promise<string> {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId, buildingId, location: 'trappenhuis', description: 'vuilniszakken op de overloop', polluterTenantId: polluter },
  });
  expect(reported.statusCode).toBe(201);
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered', 60_000);
  return incidentId;
}

describe('directory search', () => {
  test('finds tenants by a part of name and address, buildings by street, complexes by id; the best match first', async () => {
    const search = (query: string) => stack.app.inject({ method: 'GET', url: `/directory/search?${query}`, headers: auth('consultant') });
    const tenants = (await search('kind=tenant&q=bewoner%20a2')).json().suggestions;
    expect(tenants[0]).toEqual({ value: 'A-2', label: 'Bewoner A2, Stationsstraat 12, Utrecht (gebouw C1-A)', complexId: 'C1', buildingId: 'C1-A' });
    expect(tenants).toHaveLength(1);
    const buildings = (await search('kind=building&q=lindel')).json().suggestions;
    expect(buildings).toEqual([{ value: 'C2-A', label: 'Gebouw C2-A in complex C2: Lindelaan, Utrecht (4 huishoudens)', complexId: 'C2', buildingId: 'C2-A' }]);
    expect((await search('kind=building&q=C1-&complexId=C1')).json().suggestions.map((s: { value: string }) => s.value)).toEqual(['C1-A', 'C1-B']);
    expect((await search('kind=complex&q=c1')).json().suggestions).toEqual([
      { value: 'C1', label: 'Complex C1: Kerkweg, Stationsstraat, Utrecht (9 huishoudens)', complexId: 'C1', buildingId: null },
    ]);
    // A wildcard is a character like any other.
    expect((await search('kind=tenant&q=%25%25')).json().suggestions).toEqual([]);
    expect((await search('kind=tenant&q=a')).statusCode).toBe(400);
    expect((await stack.app.inject({ method: 'GET', url: '/directory/search?kind=tenant&q=bewoner', headers: auth('contractor') })).statusCode).toBe(403);
  });
});

describe('work orders and completion by a signed-in contractor', () => {
  test('a contractor sees only their own company\'s orders and can complete only those; an unlinked person is told why', async () => {
    const theirs = await orderedIncident('C2', 'C2-A', 'C2A-2');
    const others = await orderedIncident('C1', 'C1-A', 'A-2');
    const contractor = await personHeaders('kees', 'kees@schoonbv.example', ['contractor']);

    const list = await stack.app.inject({ method: 'GET', url: '/work-orders', headers: contractor });
    expect(list.statusCode).toBe(200);
    const body = list.json();
    expect(body.contractors).toEqual([{ contractorId: 'K-2', name: 'Schoon BV Kees' }]);
    expect(body.workOrders.map((o: { incidentId: string }) => o.incidentId)).toEqual([theirs]);
    expect(body.workOrders[0]).toMatchObject({
      contractorId: 'K-2',
      buildingId: 'C2-A',
      description: 'vuilniszakken op de overloop',
      address: { streets: 'Lindelaan 1–4', postalCode: '3512 AB', city: 'Utrecht' },
      fixedTariffCents: null,
    });
    expect(body.workOrders[0].dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await stack.app.inject({ method: 'GET', url: `/work-orders/${others}`, headers: contractor })).statusCode).toBe(404);
    expect((await stack.app.inject({ method: 'GET', url: '/work-orders?contractorId=K-1', headers: contractor })).statusCode).toBe(403);

    // Another company's order: refused before it reaches the workflow, whichever contractor is named.
    const complete = (incidentId: string, contractorId: string, headers: Record<string, string>) =>
      stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/completion`, headers, payload: { contractorId, costCents: 12550 } });
    const asOther = await complete(others, 'K-1', contractor);
    expect(asOther.statusCode).toBe(403);
    expect(asOther.json().detail).toBe('you can only report work for your own company');
    const asSelf = await complete(others, 'K-2', contractor);
    expect(asSelf.statusCode).toBe(403);
    expect(asSelf.json().detail).toBe('this work order is not for your company');

    const unlinked = await personHeaders('someone', 'iemand@elders.example', ['contractor']);
    const refused = await stack.app.inject({ method: 'GET', url: '/work-orders', headers: unlinked });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toBe('your e-mail address iemand@elders.example is not that of a contractor in the directory');
    expect((await complete(theirs, 'K-2', unlinked)).statusCode).toBe(403);

    const done = await complete(theirs, 'K-2', contractor);
    expect(done.statusCode).toBe(200);
    const incident = await waitForIncident(stack, theirs, (i) => i.timeline.some((e: { type: string }) => e.type === 'CleanupCompleted'));
    const completed = incident.timeline.find((e: { type: string }) => e.type === 'CleanupCompleted');
    expect({ cost: completed.data.costCents, actor: completed.actor }).toEqual({ cost: 12550, actor: 'person:kees' });
    expect((await stack.app.inject({ method: 'GET', url: '/work-orders', headers: contractor })).json().workOrders).toEqual([]);

    // An integration's contractor key names the contractor, as before; the other company's order is still theirs to report.
    expect((await stack.app.inject({ method: 'GET', url: '/work-orders', headers: auth('contractor') })).statusCode).toBe(400);
    expect((await stack.app.inject({ method: 'GET', url: '/work-orders?contractorId=K-1', headers: auth('contractor') })).json().workOrders.map((o: { incidentId: string }) => o.incidentId)).toEqual([others]);
    expect((await complete(others, 'K-1', auth('contractor'))).statusCode).toBe(200);
  });
});
