import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DomainEvent } from '../domain/events';
import type { Letter, LetterContent } from '../domain/letters';
import { DomainError } from '../domain/errors';
import { addCalendarDays, amsterdamDate, amsterdamInstant } from '../domain/calendar';
import { statutoryInterestCents } from '../domain/collection-costs';
import {
  collectionCostsFor,
  evolveInvoice,
  finalDateFor,
  initialInvoiceState,
  nextWorkingDay,
  openCents,
  pauseDunning,
  receivedDateFor,
  registerPayment,
  requireCreditable,
  resumeDunning,
  type InvoiceState,
} from '../domain/invoice';
import {
  creditInvoiceUpdate,
  pauseDunningUpdate,
  registerPaymentUpdate,
  resumeDunningUpdate,
  type InvoiceInput,
  type InvoiceUpdateResult,
} from './messages';

const store = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
const mail = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' } });

function asFailure(error: unknown): never {
  if (error instanceof DomainError) throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true });
  throw error;
}

/**
 * One invoice's life: wait for payment; after the due date one free reminder; then the 14-day
 * letter with the statutory collection costs; after its final date the costs are added and the
 * invoice goes to collections. Paid in full or credited ends it; a dispute pauses the dunning.
 */
export async function invoiceWorkflow(input: InvoiceInput): Promise<'paid' | 'credited'> {
  const streamId = `invoice-${input.invoiceNumber}`;
  const { workflowId, runId } = workflowInfo();
  let state: InvoiceState = evolveInvoice(initialInvoiceState, {
    type: 'InvoiceIssued',
    data: { ...input, lines: [], letters: [] },
  });
  let version = 1; // InvoiceIssued, recorded by the incident that issued the invoice
  let appended: Promise<unknown> = Promise.resolve();
  const now = () => new Date(Date.now());
  const today = () => amsterdamDate(now());

  function record(events: DomainEvent[], actor = 'system'): Promise<void> {
    if (events.length === 0) return appended.then(() => undefined);
    const expectedVersion = version;
    const batch = events.map((event, i) => ({ eventId: `${streamId}/${expectedVersion + i + 1}`, event }));
    version += events.length;
    state = events.reduce(evolveInvoice, state);
    const append = appended.then(() =>
      store.appendEvents({ streamId, expectedVersion, events: batch, metadata: { workflowId, runId, actor, causationId: batch[0]?.eventId } }),
    );
    appended = append;
    return append.then(() => undefined);
  }

  const result = (extra: Partial<InvoiceUpdateResult> = {}): InvoiceUpdateResult => ({
    streamVersion: version,
    status: state.status === 'none' ? 'open' : state.status,
    openCents: state.status === 'open' ? openCents(state) : null,
    ...extra,
  });

  function update<Args>(definition: UpdateDefinition<InvoiceUpdateResult, [Args]>, validate: (args: Args) => void, handle: (args: Args) => Promise<InvoiceUpdateResult>) {
    setHandler(definition, handle, {
      validator: (args: Args) => {
        try {
          validate(args);
        } catch (error) {
          asFailure(error);
        }
      },
    });
  }

  update(
    registerPaymentUpdate,
    (a) => registerPayment(state, a),
    async (a) => {
      const events = registerPayment(state, a);
      await record(events, a.registeredBy);
      return result({ booked: events.length > 0 });
    },
  );
  update(
    creditInvoiceUpdate,
    (a) => {
      requireCreditable(state);
      if (a.reason.trim() === '') throw new DomainError('a credit note needs a reason', 'validation');
    },
    async (a) => {
      const open = requireCreditable(state);
      // The version is taken now and the append queued behind the others: the stream stays in order.
      const expectedVersion = version;
      version += 1;
      const issuing = appended.then(() =>
        store.issueCreditNote({
          eventId: `${streamId}/${expectedVersion + 1}`,
          streamId,
          expectedVersion,
          invoiceNumber: input.invoiceNumber,
          incidentId: input.incidentId,
          category: input.category,
          location: input.location,
          debtorTenantId: input.debtorTenantId,
          amountCents: open.totalCents + open.collectionCostsCents + open.interestCents,
          // The whole claim is credited; what was paid on it is owed back to the tenant.
          refundDueCents: open.paidCents,
          reason: a.reason,
          creditedBy: a.creditedBy,
          issuedAt: now().toISOString(),
          metadata: { workflowId, runId, actor: a.creditedBy },
        }),
      );
      appended = issuing;
      const issued = await issuing;
      state = evolveInvoice(state, issued.event);
      await deliver(issued.event.type === 'InvoiceCredited' ? issued.event.data.letters : []);
      return result({ creditNoteNumber: issued.creditNoteNumber });
    },
  );
  update(
    pauseDunningUpdate,
    () => requireCreditable(state),
    async (a) => {
      await record(pauseDunning(state, { reason: a.reason, by: a.by, on: today() }), a.by);
      return result();
    },
  );
  update(
    resumeDunningUpdate,
    () => requireCreditable(state),
    async (a) => {
      await record(resumeDunning(state, { by: a.by, on: today() }), a.by);
      return result();
    },
  );

  const common = { incidentId: input.incidentId, category: input.category, location: input.location };
  const letterTo = (content: LetterContent): Letter[] => [
    { letterId: `${streamId}/${version + 1}/${input.debtorTenantId}`, recipient: { type: 'tenant', id: input.debtorTenantId }, content },
  ];
  async function deliver(letters: Letter[]): Promise<void> {
    if (letters.length > 0) await mail.deliverLetters(letters);
  }

  const rules = await store.incidentPolicy(input.category);
  for (;;) {
    await appended;
    if (state.status !== 'open') break;
    if (state.pausedSince !== null || state.stage === 'collections') {
      const seen = version;
      await condition(() => version !== seen);
      continue;
    }
    const stepAt = amsterdamInstant(nextWorkingDay(state.payByDate), '09:00').getTime();
    if (Date.now() < stepAt) {
      const seen = version;
      await condition(() => version !== seen, stepAt - Date.now());
      continue;
    }
    const base = { invoiceNumber: input.invoiceNumber, incidentId: input.incidentId };
    const open = openCents(state);
    if (state.stage === 'issued') {
      const newDueDate = addCalendarDays(today(), rules.paymentReminderTermDays);
      const letters = letterTo({ kind: 'payment_reminder', ...common, invoiceNumber: input.invoiceNumber, letterDate: today(), issueDate: input.issueDate, dueDate: input.dueDate, openCents: open, newDueDate });
      await record([{ type: 'PaymentReminderSent', data: { ...base, newDueDate, openCents: open, letters } }]);
      await deliver(letters);
    } else if (state.stage === 'reminded') {
      const letterDate = today();
      const channel = await store.letterChannel(input.debtorTenantId);
      const receivedDate = receivedDateFor(letterDate, channel, rules.postDeliveryWorkingDays);
      const finalDate = finalDateFor(receivedDate);
      const collectionCostsCents = collectionCostsFor(state, rules.collectionCostsApply);
      const interestCents = rules.statutoryInterest
        ? statutoryInterestCents(state.totalCents - state.paidCents, input.dueDate, letterDate, rules.statutoryInterestRates)
        : null;
      const letters = letterTo({ kind: 'final_notice', ...common, invoiceNumber: input.invoiceNumber, letterDate, openCents: open, finalDate, collectionCostsCents, interestCents });
      await record([{ type: 'FinalNoticeSent', data: { ...base, letterDate, receivedDate, finalDate, openCents: open, collectionCostsCents, interestCents, letters } }]);
      await deliver(letters);
    } else {
      const handedOverOn = today();
      const interestCents = rules.statutoryInterest
        ? statutoryInterestCents(state.totalCents - state.paidCents, input.dueDate, handedOverOn, rules.statutoryInterestRates)
        : 0;
      const events: DomainEvent[] = [];
      if (state.announcedCostsCents > 0 || interestCents > 0) {
        events.push({ type: 'CollectionCostsAdded', data: { ...base, amountCents: state.announcedCostsCents, interestCents, addedOn: handedOverOn } });
      }
      events.push({ type: 'InvoiceHandedToCollections', data: { ...base, openCents: open + state.announcedCostsCents + interestCents, handedOverOn } });
      await record(events);
    }
  }
  await appended;
  await condition(allHandlersFinished);
  return state.status === 'credited' ? 'credited' : 'paid';
}
