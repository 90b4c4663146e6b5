import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { temporal } from '@temporalio/proto';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { buildingB } from '../support/fixtures';
import { amsterdamDate } from '../../domain/calendar';
import { ERASED_TEXT } from '../../domain/sealed';
import { incidentWorkflowId, invoiceWorkflowId } from '../../workflows/messages';
import { ensureRetentionSchedule } from '../../worker/retention-schedule';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../config/payload-codec';
import { TEST_PAYLOAD_ENCRYPTION } from '../support/harness';

jest.setTimeout(180_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_privacy');
});
afterAll(async () => {
  await stack?.stop();
});

const tenant = buildingB.find((t) => t.contractNumber === 'B-2')!;
const unique = randomUUID().slice(0, 8);
/** What people wrote about the tenant, each findable on its own. */
const said = {
  description: `${tenant.name} zet elke week vuilniszakken bij de lift (${unique}-omschrijving)`,
  completionNote: `${unique}-aannemer: de zakken van ${tenant.name} stonden er nog`,
  secondDescription: `${unique}-grofvuil: een bank van ${tenant.name} in de kelder`,
  disputeReason: `${unique}-bezwaar: dat is niet mijn bank, ik ben ${tenant.name}`,
  ruling: `${unique}-uitspraak: de bank is van de vorige bewoner`,
};
const photoText = `${unique}-foto-van-de-zakken`;
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(photoText)]);

/** Every column of every table in the database (text, json, arrays, bytes) that holds `needle`, as table.column. */
async function columnsHolding(needle: string): Promise<string[]> {
  const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea')`.execute(stack.database.db);
  const found: string[] = [];
  for (const c of columns) {
    const column = sql.id(c.column_name);
    const holds = c.data_type === 'bytea' ? sql`position(convert_to(${needle}, 'UTF8') in ${column}) > 0` : sql`position(${needle} in ${column}::text) > 0`;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(c.table_name)} where ${holds}`.execute(stack.database.db);
    if (rows[0]!.n > 0) found.push(`${c.table_name}.${c.column_name}`);
  }
  return found.sort();
}

/**
 * The workflows' histories as an operator reads them through the codec (the payloads decrypted with
 * the payload key, config/payload-codec.ts), beside the histories as Temporal stores them (protobuf).
 * The payload key opens the payloads but not the sealed texts in them: those need the incident's key.
 */
async function histories(workflowIds: string[]): Promise<Buffer> {
  const codec = new EncryptionCodec(TEST_PAYLOAD_ENCRYPTION);
  const all = await Promise.all(
    workflowIds.map(async (id) => {
      const history = await stack.client.workflow.getHandle(id).fetchHistory();
      const decoded = await codec.decode(payloadsIn(history));
      return Buffer.concat([Buffer.from(temporal.api.history.v1.History.encode(history).finish()), ...decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()))]);
    }),
  );
  return Buffer.concat(all);
}

/** Every payload anywhere in a history (inputs, results, Update arguments, memos, summaries). */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return found;
  const candidate = value as { metadata?: unknown; data?: unknown };
  if (candidate.metadata && typeof candidate.metadata === 'object' && candidate.data instanceof Uint8Array) found.push(value as Payload);
  else for (const child of Object.values(value)) payloadsIn(child, found);
  return found;
}

const post = (url: string, payload: unknown, role: Parameters<typeof auth>[0] = 'consultant') => stack.app.inject({ method: 'POST', url, headers: auth(role), payload: payload as object });

test("after a tenant's erasure nothing they are, or that was written about them, is left in PostgreSQL or in Temporal's histories, but the name and address on their invoice", async () => {
  // Two incidents of tenant B-2: one cleaned by the contractor and invoiced, one disputed and dismissed.
  const upload = Buffer.concat([
    Buffer.from('--foto\r\nContent-Disposition: form-data; name="photo"; filename="foto.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'),
    jpeg,
    Buffer.from('\r\n--foto--\r\n'),
  ]);
  const photo = await stack.app.inject({ method: 'POST', url: '/photos', headers: { ...auth('consultant'), 'content-type': 'multipart/form-data; boundary=foto' }, payload: upload });
  expect(photo.statusCode).toBe(201);
  const first = await post('/incidents', {
    category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', location: 'trappenhuis bij de lift', description: said.description, polluterTenantId: 'B-2', photoIds: [photo.json().photoId],
  });
  expect(first.statusCode).toBe(201);
  const second = await post('/incidents', { category: 'bulk_waste', complexId: 'C1', buildingId: 'C1-B', location: 'kelder', description: said.secondDescription, polluterTenantId: 'B-2' });
  expect(second.statusCode).toBe(201);
  const one: string = first.json().incidentId;
  const two: string = second.json().incidentId;

  await waitForIncident(stack, two, (i) => i.status === 'open' && i.phase === 'awaiting_cleanup');
  expect((await post(`/incidents/${two}/disputes`, { reason: said.disputeReason })).statusCode).toBe(200);
  expect((await post(`/incidents/${two}/disputes/resolution`, { decision: 'upheld', note: said.ruling })).statusCode).toBe(200);
  await waitForIncident(stack, one, (i) => i.phase === 'cleanup_ordered');
  expect((await post(`/incidents/${one}/completion`, { contractorId: 'K-1', costCents: 8_000, note: said.completionNote }, 'contractor')).statusCode).toBe(200);
  const invoiced = await waitForIncident(stack, one, (i) => i.status === 'closed');
  const dismissed = await waitForIncident(stack, two, (i) => i.status === 'closed');
  expect([invoiced.outcome, dismissed.outcome]).toEqual(['cleaned_and_charged', 'dismissed']);
  const invoiceNumber: string = invoiced.invoiceNumber;

  // The workspace reads what was written; nothing of it is stored or sent to Temporal as plain text.
  const reported = (incident: { timeline: { type: string; data: Record<string, unknown> }[] }, type: string) => incident.timeline.find((e) => e.type === type)!.data;
  expect(reported(invoiced, 'IncidentReported').description).toBe(said.description);
  expect(reported(invoiced, 'CleanupCompleted').note).toBe(said.completionNote);
  expect(reported(dismissed, 'DisputeOpened').reason).toBe(said.disputeReason);
  expect(reported(dismissed, 'DisputeResolved').note).toBe(said.ruling);
  for (const text of Object.values(said)) expect({ text, columns: await columnsHolding(text) }).toEqual({ text, columns: [] });
  // (The search finds what is there: the directory's row, and the photo's bytes.)
  expect(await columnsHolding(tenant.name)).toEqual(['tenants.name']);
  expect(await columnsHolding(photoText)).toEqual(['photos.bytes']);
  const workflows = [incidentWorkflowId(one), incidentWorkflowId(two), invoiceWorkflowId(one, invoiceNumber)];
  const before = await histories(workflows);
  for (const text of [...Object.values(said), tenant.name, tenant.email!]) expect({ text, inHistory: before.includes(text) }).toEqual({ text, inHistory: false });
  // (Plain payloads are plain bytes there: the location and the contract number, which are no secret, are found.)
  expect([before.includes('trappenhuis bij de lift'), before.includes('"B-2"')]).toEqual([true, true]);

  // The invoice is open: the claim needs the tenant; erasure waits until it is paid.
  const refused = await post(`/tenants/B-2/erasure`, {}, 'admin');
  expect(refused.statusCode).toBe(409);
  expect(refused.json().detail).toContain(`invoice ${invoiceNumber} is open`);
  const paid = await post(`/invoices/${invoiceNumber}/payments`, { amountCents: invoiced.costCents, paidOn: amsterdamDate(new Date()), paymentId: `bank-${unique}` }, 'finance');
  expect(paid.statusCode).toBe(200);
  for (let tries = 0; ; tries++) {
    const invoice = await stack.app.inject({ method: 'GET', url: `/invoices/${invoiceNumber}`, headers: auth('finance') });
    if (invoice.json().status === 'paid') break;
    if (tries > 100) throw new Error('the invoice was not paid in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // The access request: everything held, as data and as a document a person reads.
  const exported = await stack.app.inject({ method: 'GET', url: '/tenants/B-2/data-export', headers: auth('admin') });
  expect(exported.statusCode).toBe(200);
  const data = exported.json();
  expect(data.directory).toMatchObject({ name: tenant.name, email: tenant.email, street: tenant.street, houseNumber: tenant.houseNumber });
  expect(data.incidents.map((i: { incidentId: string }) => i.incidentId).sort()).toEqual([one, two].sort());
  expect(JSON.stringify(data.incidents)).toContain(said.disputeReason);
  expect(data.letters.map((l: { kind: string }) => l.kind)).toEqual(expect.arrayContaining(['formal_notice', 'invoice', 'warning']));
  expect(data.letters.find((l: { kind: string }) => l.kind === 'invoice').address).toBe(tenant.email);
  expect(data.invoices).toEqual([expect.objectContaining({ invoiceNumber, status: 'paid', payments: [expect.objectContaining({ amountCents: invoiced.costCents })] })]);
  expect(data.photos).toHaveLength(1);
  const document = await stack.app.inject({ method: 'GET', url: '/tenants/B-2/data-export/document', headers: auth('admin') });
  expect(document.headers['content-type']).toBe('text/html; charset=utf-8');
  for (const text of [tenant.name, tenant.email!, `${tenant.street} ${tenant.houseNumber}`, said.description, said.ruling, 'Ingebrekestelling', invoiceNumber]) expect(document.body).toContain(text);
  expect((await stack.app.inject({ method: 'GET', url: '/tenants/B-2/data-export', headers: auth('consultant') })).statusCode).toBe(403);

  const erased = await post(`/tenants/B-2/erasure`, {}, 'admin');
  expect(erased.statusCode).toBe(200);
  expect(erased.json()).toMatchObject({ keysDestroyed: 2, photosRemoved: 1, directoryRowRemoved: true, billing: { invoicesKept: [invoiceNumber], keptUntil: `${Number(invoiceNumber.slice(0, 4)) + 7}-12-31` } });
  expect(erased.json().incidentIds.sort()).toEqual([one, two].sort());

  // PostgreSQL: the name only where billing must keep it (the invoice's addressee); the rest nowhere.
  expect(await columnsHolding(tenant.name)).toEqual(['billing_addressees.name']);
  expect(await columnsHolding(tenant.email!)).toEqual([]);
  expect(await columnsHolding(photoText)).toEqual([]);
  for (const text of Object.values(said)) expect({ text, columns: await columnsHolding(text) }).toEqual({ text, columns: [] });
  const addressee = await stack.database.db.selectFrom('billing_addressees').selectAll().where('contract_number', '=', 'B-2').execute();
  expect(addressee.map((a) => [a.name, a.street, a.house_number, a.postal_code, a.city])).toEqual([[tenant.name, tenant.street, tenant.houseNumber, tenant.postalCode, tenant.city]]);
  // Temporal: the same histories hold none of it (they never did; the keys that opened it are gone).
  const after = await histories(workflows);
  for (const text of [...Object.values(said), tenant.name, tenant.email!, photoText]) expect({ text, inHistory: after.includes(text) }).toEqual({ text, inHistory: false });

  // The workspace shows the narrative as removed; the invoice's copy keeps its addressee, other letters do not.
  const removed = (await stack.app.inject({ method: 'GET', url: `/incidents/${one}`, headers: auth('consultant') })).json();
  expect(reported(removed, 'IncidentReported').description).toBe(ERASED_TEXT);
  expect(reported(removed, 'CleanupCompleted').note).toBe(ERASED_TEXT);
  const letterOf = (kind: string) => removed.letters.find((l: { kind: string; recipientId: string }) => l.kind === kind && l.recipientId === 'B-2').letterId as string;
  const copy = async (kind: string) => (await stack.app.inject({ method: 'GET', url: `/letters/${encodeURIComponent(letterOf(kind))}/html`, headers: auth('finance') })).body;
  expect(await copy('invoice')).toContain(tenant.name);
  const notice = await copy('formal_notice');
  expect(notice).not.toContain(tenant.name);
  expect(notice).toContain('huurder B-2');
  const afterwards = (await stack.app.inject({ method: 'GET', url: '/tenants/B-2/data-export', headers: auth('admin') })).json();
  expect(afterwards).toMatchObject({ directory: null, billingAddressee: { name: tenant.name }, photos: [] });
  expect(afterwards.erasures).toHaveLength(1);
});

test('the retention schedule is made once (a second start leaves it), and a run it starts goes through the worker and is shown on the policy page', async () => {
  const scheduleId = `retention-${stack.taskQueue}`;
  expect(await ensureRetentionSchedule(stack.client, stack.taskQueue, scheduleId)).toBe('created');
  expect(await ensureRetentionSchedule(stack.client, stack.taskQueue, scheduleId)).toBe('existed');
  const schedule = stack.client.schedule.getHandle(scheduleId);
  try {
    const described = await schedule.describe();
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    await schedule.trigger();
    for (let tries = 0; ; tries++) {
      const runs = await stack.database.db.selectFrom('retention_runs').selectAll().execute();
      if (runs.length > 0) {
        expect(runs[0]!.run_id).toMatch(new RegExp(`^${scheduleId}-run`));
        break;
      }
      if (tries > 150) throw new Error('no retention run');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const retention = await stack.app.inject({ method: 'GET', url: '/retention', headers: auth('manager') });
    expect(retention.json()).toMatchObject({ policy: { narrativeMonthsAfterClose: 12, offenceMonths: 18, billingYears: 7 }, runs: [expect.objectContaining({ narrativesRemoved: 0 })] });
  } finally {
    await schedule.delete();
  }
});
