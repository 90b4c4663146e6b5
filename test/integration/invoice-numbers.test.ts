import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type Activities, type IssueInvoiceInput } from '../../activities';
import type { OutgoingMail } from '../../activities/mailer';
import { readStream } from '../../db/event-store';
import { ValidationError } from '../../domain/errors';
import { resolvePolicy } from '../../domain/policy';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
let activities: Activities;
const mailed: OutgoingMail[] = [];

beforeAll(async () => {
  database = await createTestDatabase('invoice_numbers');
  activities = createActivities({
    db: database.db,
    mailer: { send: async (mail) => void mailed.push(mail), close: () => {} },
    policy: resolvePolicy(),
    publicUrl: 'http://polluter-pays.test',
    linkSecret: 'test-link-secret-0123456789',
    corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
  });
});

afterAll(async () => {
  // Numbering an invoice sends nothing: delivering its letters is another activity.
  expect(mailed).toEqual([]);
  await database?.drop();
});

let counter = 0;
/** An invoice for an incident of its own; each test numbers in a year of its own, so that tests do not share a series. */
function invoice(issuedAt: string, overrides: Partial<IssueInvoiceInput> = {}): IssueInvoiceInput {
  counter += 1;
  const incidentId = `INC-${counter}`;
  return {
    eventId: `incident-${incidentId}/invoice`,
    incidentId,
    category: 'fouled_stairwell',
    location: 'trappenhuis, 2e verdieping',
    debtorTenantId: 'A-2',
    issuedAt,
    paymentTermDays: 14,
    lines: [{ description: 'Schoonmaak: vervuild trappenhuis', amountCents: 12_000, vatCode: 'BTW-GEEN' }],
    metadata: { workflowId: `incident-${incidentId}`, actor: 'system' },
    ...overrides,
  };
}

function numbers(year: number, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${year}-${String(from + i).padStart(6, '0')}`);
}

async function lastNumber(year: number): Promise<number | undefined> {
  const row = await database.db.selectFrom('invoice_number_series').select('last_number').where('series', '=', 'invoice').where('year', '=', year).executeTakeFirst();
  return row?.last_number;
}

/** Every invoice of the year, as the invoices read model and the events hold them. */
async function invoicesOf(year: number): Promise<{ invoice_number: string; incident_id: string }[]> {
  return database.db
    .selectFrom('invoices')
    .select(['invoice_number', 'incident_id'])
    .where('invoice_number', 'like', `${year}-%`)
    .orderBy('invoice_number')
    .execute();
}

async function invoiceEventsOf(year: number): Promise<{ stream_id: string; event_id: string }[]> {
  return database.db
    .selectFrom('events')
    .select(['stream_id', 'event_id'])
    .where('type', '=', 'InvoiceIssued')
    .where('stream_id', 'like', `invoice-${year}-%`)
    .orderBy('stream_id')
    .execute();
}

describe('invoice numbers', () => {
  it('two invoices issued at the same instant, concurrently, get consecutive numbers with no gap', async () => {
    const at = '2031-03-10T09:00:00.000Z';
    const first = invoice(at);
    const second = invoice(at);
    const issued = await Promise.all([activities.issueInvoice(first), activities.issueInvoice(second)]);

    expect(issued.map((i) => i.invoiceNumber).sort()).toEqual(['2031-000001', '2031-000002']);
    expect(await lastNumber(2031)).toBe(2);
    // Each number went to the invoice that was told it, on its own stream, with its letter.
    for (const [input, result] of [[first, issued[0]!], [second, issued[1]!]] as const) {
      const stream = await readStream(database.db, `invoice-${result.invoiceNumber}`);
      expect(stream).toHaveLength(1);
      expect(stream[0]!.eventId).toBe(input.eventId);
      expect(stream[0]!.event).toMatchObject({
        type: 'InvoiceIssued',
        data: { invoiceNumber: result.invoiceNumber, incidentId: input.incidentId, issueDate: '2031-03-10', dueDate: '2031-03-24', totalCents: 12_000 },
      });
      expect(result.letters).toEqual([
        expect.objectContaining({
          letterId: `${input.eventId}/invoice`,
          recipient: { type: 'tenant', id: 'A-2' },
          content: expect.objectContaining({ kind: 'invoice', invoiceNumber: result.invoiceNumber, totalCents: 12_000 }),
        }),
      ]);
    }
    expect((await invoicesOf(2031)).map((r) => r.invoice_number)).toEqual(['2031-000001', '2031-000002']);
  });

  it('ten issued concurrently get exactly 000001 to 000010', async () => {
    const inputs = Array.from({ length: 10 }, (_, i) => invoice(`2032-06-01T${String(8 + (i % 3)).padStart(2, '0')}:00:00.000Z`));
    const issued = await Promise.all(inputs.map((input) => activities.issueInvoice(input)));

    expect(issued.map((i) => i.invoiceNumber).sort()).toEqual(numbers(2032, 1, 10));
    expect(await lastNumber(2032)).toBe(10);
    const rows = await invoicesOf(2032);
    expect(rows.map((r) => r.invoice_number)).toEqual(numbers(2032, 1, 10));
    // The number each caller was told is the number its invoice carries.
    for (const [i, input] of inputs.entries()) {
      expect(rows.find((r) => r.invoice_number === issued[i]!.invoiceNumber)?.incident_id).toBe(input.incidentId);
    }
    expect((await invoiceEventsOf(2032)).map((e) => e.stream_id)).toEqual(numbers(2032, 1, 10).map((n) => `invoice-${n}`));
  });

  it('a retried issue (the same event id) returns the same number and takes none', async () => {
    const original = invoice('2033-02-01T10:00:00.000Z');
    const first = await activities.issueInvoice(original);
    expect(first.invoiceNumber).toBe('2033-000001');

    const retried = await activities.issueInvoice(original);
    expect(retried).toEqual(first);
    expect(await lastNumber(2033)).toBe(1);
    expect(await invoiceEventsOf(2033)).toEqual([{ stream_id: 'invoice-2033-000001', event_id: original.eventId }]);

    expect((await activities.issueInvoice(invoice('2033-02-01T10:00:00.000Z'))).invoiceNumber).toBe('2033-000002');
  });

  it('a retry racing the original (the same event id, concurrently) takes no second number', async () => {
    const original = invoice('2034-02-01T10:00:00.000Z');
    const attempts = await Promise.allSettled(Array.from({ length: 5 }, () => activities.issueInvoice(original)));

    // Every attempt answers the invoice's own number and letter: none a number it took and gave back.
    expect(attempts.filter((a) => a.status === 'rejected')).toEqual([]);
    const answered = attempts.map((a) => (a as PromiseFulfilledResult<Awaited<ReturnType<Activities['issueInvoice']>>>).value);
    expect(new Set(answered.map((a) => a.invoiceNumber))).toEqual(new Set(['2034-000001']));
    for (const a of answered) expect(a).toEqual(answered[0]);
    expect(await lastNumber(2034)).toBe(1);
    expect(await invoiceEventsOf(2034)).toEqual([{ stream_id: 'invoice-2034-000001', event_id: original.eventId }]);

    // A later retry still answers the invoice's number; the next invoice is the next number.
    expect((await activities.issueInvoice(original)).invoiceNumber).toBe('2034-000001');
    expect((await activities.issueInvoice(invoice('2034-02-02T10:00:00.000Z'))).invoiceNumber).toBe('2034-000002');
  });

  it('a new year restarts at 000001, the year being the one in Amsterdam', async () => {
    // 22:59:59 UTC on 31 December is 23:59:59 in Amsterdam: still the old year.
    const lastOfYear = await activities.issueInvoice(invoice('2035-12-31T22:59:59.000Z'));
    const afterIt = await activities.issueInvoice(invoice('2035-12-31T23:30:00.000Z'));
    const nextAgain = await activities.issueInvoice(invoice('2036-01-02T09:00:00.000Z'));

    expect(lastOfYear.invoiceNumber).toBe('2035-000001');
    expect(afterIt.invoiceNumber).toBe('2036-000001');
    expect(nextAgain.invoiceNumber).toBe('2036-000002');
    expect(afterIt.letters[0]!.content).toMatchObject({ issueDate: '2036-01-01', dueDate: '2036-01-15' });
    expect(await lastNumber(2035)).toBe(1);
    expect(await lastNumber(2036)).toBe(2);
  });

  it('an issue refused inside the transaction takes no number', async () => {
    const before = await activities.issueInvoice(invoice('2037-04-01T10:00:00.000Z'));
    expect(before.invoiceNumber).toBe('2037-000001');

    const bad = invoice('2037-04-01T11:00:00.000Z', {
      lines: [
        { description: 'Schoonmaak', amountCents: 12_000, vatCode: 'BTW-GEEN' },
        { description: 'Korting', amountCents: -2_000, vatCode: 'BTW-GEEN' },
      ],
    });
    // Refused on its data: the activity fails at once (no retry can mend it), naming the field.
    const error = (await activities.issueInvoice(bad).catch((e: unknown) => e)) as ApplicationFailure;
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect({ type: error.type, nonRetryable: error.nonRetryable }).toEqual({ type: 'UnstorableData', nonRetryable: true });
    expect(error.cause).toBeInstanceOf(ValidationError);
    expect((error.cause as ValidationError).fields.map((f) => f.path)).toContain('events.0.data.lines.1.amountCents');

    expect(await lastNumber(2037)).toBe(1);
    expect(await database.db.selectFrom('events').select('event_id').where('event_id', '=', bad.eventId).execute()).toEqual([]);
    expect(await readStream(database.db, 'invoice-2037-000002')).toEqual([]);

    const after = await activities.issueInvoice(invoice('2037-04-01T12:00:00.000Z'));
    expect(after.invoiceNumber).toBe('2037-000002');
    expect((await invoicesOf(2037)).map((r) => r.invoice_number)).toEqual(['2037-000001', '2037-000002']);
  });
});
