import type { LightMyRequestResponse } from 'fastify';
import { signTenantLink } from '../../documents/links';
import { LINK_SECRET } from '../support/harness';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/** Long deadlines: incidents stay open while the tests send them garbage. */
const slowPolicy = { categories: { fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' } } };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_hostile', slowPolicy);
});
afterAll(async () => {
  await stack?.stop();
});

type Json = Record<string, unknown>;

function problem(response: LightMyRequestResponse, status: number): Json & { errors?: { path: string; message: string }[] } {
  expect({ status: response.statusCode, type: response.headers['content-type'] }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
  return response.json();
}

let spaces = 0;
async function notifiedIncident(polluterTenantId = 'A-2'): Promise<string> {
  spaces += 1;
  const response = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: `H-${spaces}`, location: 'trappenhuis', polluterTenantId },
  });
  expect(response.statusCode).toBe(201);
  const { incidentId } = response.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  return incidentId;
}

const linkFor = (incidentId: string, tenantId = 'A-2') =>
  signTenantLink({ incidentId, tenantId, expiresAt: new Date(Date.now() + 86_400_000) }, LINK_SECRET);

async function streamTypes(incidentId: string): Promise<string[]> {
  const rows = await stack.database.db.selectFrom('events').select('type').where('stream_id', '=', `incident-${incidentId}`).orderBy('stream_version').execute();
  return rows.map((r) => r.type);
}

describe('text PostgreSQL cannot store is a 400 naming the field, and the incident goes on', () => {
  test('a tenant reports a cleanup with a NUL in the note: 400 on body.note, nothing recorded; the same tenant then reports it properly', async () => {
    const incidentId = await notifiedIncident();
    const token = linkFor(incidentId);
    const refused = await stack.app.inject({
      method: 'POST',
      url: `/incidents/${incidentId}/cleanup-reports?token=${token}`,
      payload: '{"note":"schoon\\u0000gemaakt"}',
      headers: { 'content-type': 'application/json' },
    });
    const body = problem(refused, 400);
    expect(body.errors).toEqual([{ path: 'body.note', message: expect.stringContaining('cannot be stored') }]);
    // The token is not echoed: the instance is the path only.
    expect(body.instance).toBe(`/incidents/${incidentId}/cleanup-reports`);
    expect(await streamTypes(incidentId)).not.toContain('CleanupReported');

    const accepted = await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/cleanup-reports?token=${token}`, payload: { note: 'schoongemaakt' } });
    expect(accepted.statusCode).toBe(200);
    expect(await streamTypes(incidentId)).toContain('CleanupReported');
  });

  test('a lone surrogate in a JSON body is refused the same way', async () => {
    const incidentId = await notifiedIncident('A-3');
    const response = await stack.app.inject({
      method: 'POST',
      url: `/incidents/${incidentId}/cancellation`,
      headers: { ...auth('consultant'), 'content-type': 'application/json' },
      payload: '{"reason":"dubbel \\ud800 gemeld"}',
    });
    expect(problem(response, 400).errors).toEqual([{ path: 'body.reason', message: expect.stringContaining('cannot be stored') }]);
    expect(await streamTypes(incidentId)).not.toContain('IncidentCancelled');
  });

  test('a NUL in an id, a query string or a directory name is a 400 on path, query and body, never a 500', async () => {
    const inPath = await stack.app.inject({ method: 'GET', url: '/incidents/abc%00def', headers: auth('consultant') });
    expect(problem(inPath, 400).errors).toEqual([{ path: 'path.id', message: expect.any(String) }]);

    const inQuery = await stack.app.inject({ method: 'GET', url: '/incidents?complexId=C%001', headers: auth('consultant') });
    expect(problem(inQuery, 400).errors).toEqual([{ path: 'query.complexId', message: expect.any(String) }]);

    const inName = await stack.app.inject({
      method: 'PUT',
      url: '/directory/tenants',
      headers: { ...auth('admin'), 'content-type': 'application/json' },
      payload: JSON.stringify([
        { contractNumber: 'N-1', name: 'Bewoner\u0000N1', email: null, street: 'Kade', houseNumber: '1', postalCode: '3511 AA', city: 'Utrecht', complexId: 'C3', buildingId: 'C3-N', unit: '1' },
      ]),
    });
    expect(problem(inName, 400).errors).toEqual([{ path: 'body.0.name', message: expect.any(String) }]);
    expect(await stack.database.db.selectFrom('tenants').select('contract_number').where('contract_number', '=', 'N-1').execute()).toEqual([]);
  });

  test('a CSV payment line whose reference holds a NUL is a 400 naming its line, and nothing is booked', async () => {
    const csv = ['invoiceNumber,amount,paidOn,reference,paymentId', '2026-000001,10.00,2026-11-30,ok,p-1', '2026-000001,5.00,2026-11-30,bad\u0000ref,p-2'].join('\n');
    const response = await stack.app.inject({ method: 'POST', url: '/payments/imports', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: csv });
    expect(problem(response, 400).errors).toEqual([{ path: 'line 3: reference', message: expect.any(String) }]);
    expect(await stack.database.db.selectFrom('payments').selectAll().execute()).toEqual([]);
  });
});

describe('who may call is settled before the body is read', () => {
  const emptyRows = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({})));

  test('a tenant link on the directory with 2,000 empty rows is refused in a few hundred bytes, not answered with every field of every row', async () => {
    const incidentId = await notifiedIncident('A-4');
    const response = await stack.app.inject({
      method: 'PUT',
      url: `/directory/tenants?token=${linkFor(incidentId, 'A-4')}`,
      headers: { 'content-type': 'application/json' },
      payload: emptyRows(2000),
    });
    expect(response.statusCode).toBe(401);
    expect(response.body.length).toBeLessThan(1000);
  });

  test('a contractor key with an 8 MB CSV for the payments import is a 403, not a parse of the file', async () => {
    const csv = `invoiceNumber,amount,paidOn,reference,paymentId\n${'"unclosed quote,1,2,3,4\n'.repeat(340_000)}`;
    expect(csv.length).toBeGreaterThan(8_000_000);
    const response = await stack.app.inject({ method: 'POST', url: '/payments/imports', headers: { ...auth('contractor'), 'content-type': 'text/csv' }, payload: csv });
    expect(problem(response, 403).detail).toContain('finance');
  });

  test('a wrong role with an invalid body sees 403, not the field rules of a route it may not use', async () => {
    const response = await stack.app.inject({ method: 'POST', url: '/incidents', headers: auth('finance'), payload: { category: 'nonsense' } });
    const body = problem(response, 403);
    expect(body.errors).toBeUndefined();
  });

  test('an admin uploading 10,000 empty tenant rows gets the first 20 problems and a count, in a few kilobytes', async () => {
    const response = await stack.app.inject({ method: 'PUT', url: '/directory/tenants', headers: { ...auth('admin'), 'content-type': 'application/json' }, payload: emptyRows(10_000) });
    const body = problem(response, 400);
    expect(body.errors).toHaveLength(20);
    expect(body.detail).toMatch(/^the request is invalid: \d+ problems, the first 20 listed$/);
    expect(response.body.length).toBeLessThan(5000);
  });

  test('a 20 MB bank statement that is not XML is answered with a short problem, not an echo of the upload', async () => {
    const garbage = `<Document>${'x'.repeat(20 * 1024 * 1024)}`;
    const response = await stack.app.inject({ method: 'POST', url: '/payments/bank-statements', headers: { ...auth('finance'), 'content-type': 'application/xml' }, payload: garbage });
    const body = problem(response, 400);
    expect(body.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
    expect(response.body.length).toBeLessThan(2000);
  });

  test('an action with a body over its limit is a 413 problem naming the body', async () => {
    const incidentId = await notifiedIncident('A-5');
    const response = await stack.app.inject({
      method: 'POST',
      url: `/incidents/${incidentId}/cancellation`,
      headers: auth('consultant'),
      payload: { reason: 'x'.repeat(200_000) },
    });
    expect(problem(response, 413).errors).toEqual([{ path: 'body', message: expect.any(String) }]);
  });
});

describe('every 4xx names its fields by one convention', () => {
  test('query, path and body fields; an unreadable JSON or CSV body is a problem of the body with an errors list', async () => {
    const query = await stack.app.inject({ method: 'GET', url: '/incidents?from=gisteren&limit=0', headers: auth('consultant') });
    expect(problem(query, 400).errors?.map((e) => e.path).sort()).toEqual(['query.from', 'query.limit']);

    const path = await stack.app.inject({ method: 'GET', url: '/invoices/12', headers: auth('finance') });
    expect(problem(path, 400).errors?.map((e) => e.path)).toEqual(['path.number']);

    const json = await stack.app.inject({ method: 'POST', url: '/incidents', headers: { ...auth('consultant'), 'content-type': 'application/json' }, payload: '{"category":' });
    expect(problem(json, 400).errors).toEqual([{ path: 'body', message: expect.any(String) }]);

    const csv = await stack.app.inject({
      method: 'POST',
      url: '/payments/imports',
      headers: { ...auth('finance'), 'content-type': 'text/csv' },
      payload: 'invoiceNumber,amount,paidOn,reference,paymentId\n2026-000001,"10.00,2026-11-30,x,p\n',
    });
    expect(problem(csv, 400).errors).toEqual([{ path: expect.stringMatching(/^line \d+$/), message: expect.stringContaining('Quote') }]);

    const csvField = await stack.app.inject({
      method: 'POST',
      url: '/payments/imports',
      headers: { ...auth('finance'), 'content-type': 'text/csv' },
      payload: 'invoiceNumber,amount,paidOn,reference,paymentId\n2026-000001,10.00,2026-11-30,x,p-1\n\n2026-000001,tien,2026-11-30,x,p-2\n',
    });
    expect(problem(csvField, 400).errors).toEqual([{ path: 'line 4: amount', message: expect.any(String) }]);
  });
});

describe('dates outside the years the calendar counts with', () => {
  test.each([
    ['/reports/overdue?asOf=0020-02-29', 'admin', 'query.asOf'],
    ['/reports/summary?from=0000-01-01&to=0000-01-01', 'admin', 'query.from'],
    ['/reports/finance/outstanding?asOf=0000-01-01', 'finance', 'query.asOf'],
    ['/reports/hotspots?from=0000-01&to=0000-02', 'admin', 'query.from'],
  ] as const)('%s is a 400 on the date, not a 500 (found by the fuzz run)', async (url, role, path) => {
    const response = await stack.app.inject({ method: 'GET', url, headers: auth(role) });
    expect(problem(response, 400).errors?.map((e) => e.path)).toContain(path);
  });
});

describe('a multipart body the API cannot read (found by the fuzz run)', () => {
  test.each([
    ['POST', '/incidents', 'consultant', '{"category": "fouled_stairwell"}'],
    ['POST', '/payments/imports', 'finance', '[{"invoiceNumber": ""}]'],
    ['PUT', '/directory/tenants', 'admin', '[]'],
    ['POST', '/billing/export-batches', 'finance', ''],
  ] as const)('%s %s with multipart/form-data and no boundary is a 400 on the body, not a 500', async (method, url, role, payload) => {
    const response = await stack.app.inject({ method, url, headers: { ...auth(role), 'content-type': 'multipart/form-data', 'idempotency-key': 'k' }, payload });
    expect(problem(response, 400).errors).toEqual([{ path: 'body', message: expect.any(String) }]);
  });

  test('a truncated multipart form is a 400 too', async () => {
    const payload = '--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nschoon';
    const response = await stack.app.inject({ method: 'POST', url: '/incidents', headers: { ...auth('consultant'), 'content-type': 'multipart/form-data; boundary=x' }, payload });
    expect(problem(response, 400).errors).toEqual([{ path: 'body', message: expect.any(String) }]);
  });
});
