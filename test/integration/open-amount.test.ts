import fc from 'fast-check';
import { appendToStream } from '../../db/event-store';
import { evolveInvoice, invoiceIssued, issuedInvoice, openCents, type InvoiceState } from '../../domain/invoice';
import type { DomainEvent } from '../../domain/events';
import { invoiceStreamId } from '../../domain/streams';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The invoices read model's open amount is a generated column (migration 2026-12-05T12-00): SQL's
 * spelling of the domain's `openCents`. Held to it here over any run of payments, costs, interest,
 * payment in full and credit.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('open_amount');
});
afterAll(async () => {
  await database?.drop();
});

type Step = { kind: 'pay'; cents: number } | { kind: 'costs'; cents: number; interest: number } | { kind: 'credit' };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('pay' as const), cents: fc.integer({ min: 1, max: 30_000 }) }),
  fc.record({ kind: fc.constant('costs' as const), cents: fc.integer({ min: 0, max: 5_000 }), interest: fc.integer({ min: 0, max: 900 }) }),
  fc.record({ kind: fc.constant('credit' as const) }),
);

let invoices = 0;
test('the read model open amount equals the domain openCents after every event, for any run of them', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 50_000 }), fc.array(step, { maxLength: 8 }), async (totalCents, steps) => {
      invoices += 1;
      const invoiceNumber = `2040-${String(invoices).padStart(6, '0')}`;
      const incidentId = `open-${invoices}`;
      const issued = invoiceIssued(
        { eventId: `incident-${incidentId}/invoice`, incidentId, category: 'bulk_waste', location: 'kelder', debtorTenantId: 'A-2', issueDate: '2040-01-10', paymentTermDays: 14, lines: [{ description: 'Schoonmaak', amountCents: totalCents, vatCode: 'BTW-GEEN' }] },
        invoiceNumber,
      );
      const streamId = invoiceStreamId(invoiceNumber);
      let state: InvoiceState = issuedInvoice({ invoiceNumber, incidentId, category: 'bulk_waste', location: 'kelder', debtorTenantId: 'A-2', issueDate: '2040-01-10', dueDate: '2040-01-24', totalCents });
      let version = 0;
      const append = async (event: DomainEvent) => {
        version += 1;
        await appendToStream(database.db, streamId, version - 1, [{ eventId: `${streamId}/${version}`, event }]);
        if (event.type !== 'InvoiceIssued') state = evolveInvoice(state, event);
        const row = await database.db.selectFrom('invoices').select('open_cents').where('invoice_number', '=', invoiceNumber).executeTakeFirstOrThrow();
        expect(row.open_cents).toBe(state.status === 'open' ? openCents(state) : 0);
      };
      await append(issued);
      const base = { invoiceNumber, incidentId };
      for (const [i, s] of steps.entries()) {
        if (state.status !== 'open') break;
        if (s.kind === 'pay') {
          await append({ type: 'PaymentRegistered', data: { ...base, paymentId: `p-${i}`, amountCents: s.cents, paidOn: '2040-02-01', source: 'manual', reference: null, registeredBy: 'finance' } });
          if (state.status === 'open' && openCents(state) <= 0) await append({ type: 'InvoicePaid', data: { ...base, paidOn: '2040-02-01', overpaidCents: -openCents(state) } });
        } else if (s.kind === 'costs') {
          await append({ type: 'CollectionCostsAdded', data: { ...base, amountCents: s.cents, interestCents: s.interest, addedOn: '2040-03-01' } });
        } else {
          const claim = state.totalCents + state.collectionCostsCents + state.interestCents;
          await append({
            type: 'InvoiceCredited',
            data: { ...base, creditNoteNumber: `C2040-${String(invoices).padStart(6, '0')}`, issueDate: '2040-03-02', amountCents: claim, refundDueCents: state.paidCents, reason: 'test', creditedBy: 'finance', letters: [] },
          });
        }
      }
    }),
    { numRuns: 40 },
  );
});
