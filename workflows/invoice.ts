import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DomainEvent } from '../domain/events';
import type { Letter, LetterContent } from '../domain/letters';
import { DomainError } from '../domain/errors';
import { AppendAbandoned, EventStream, StepAbandoned, asFailure, dataFailureOf, mailActivity, persevere, storeActivity } from './stream';
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
  resolveAttention,
  resumeDunning,
  type InvoiceState,
  type OpenInvoice,
} from '../domain/invoice';
import {
  creditInvoiceUpdate,
  pauseDunningUpdate,
  registerPaymentUpdate,
  resolveInvoiceAttentionUpdate,
  resumeDunningUpdate,
  type InvoiceInput,
  type InvoiceUpdateResult,
} from './messages';

const store = proxyActivities<Activities>(storeActivity);
const mail = proxyActivities<Activities>(mailActivity);

/**
 * One invoice's life: wait for payment; after the due date one free reminder; then the 14-day
 * letter with the statutory collection costs; after its final date the costs are added and the
 * invoice goes to collections. Paid in full or credited ends it; a dispute pauses the dunning.
 */
export async function invoiceWorkflow(input: InvoiceInput): Promise<'paid' | 'credited'> {
  const streamId = `invoice-${input.invoiceNumber}`;
  const { workflowId, runId } = workflowInfo();
  // InvoiceIssued is recorded by the incident that issued the invoice (stream version 1).
  const issued = evolveInvoice(initialInvoiceState, { type: 'InvoiceIssued', data: { ...input, lines: [], letters: [] } });
  const stream = new EventStream<InvoiceState>(streamId, { state: issued, version: 1 }, evolveInvoice, store.appendEvents);
  const now = () => new Date(Date.now());
  const today = () => amsterdamDate(now());
  const attention = {
    record: (step: string, reason: string) => stream.record([{ type: 'AttentionRequired', data: { step, reason, since: now().toISOString() } }]),
    resolved: () => stream.state.status !== 'open' || stream.state.attention === null,
    abandoned: () => stream.state.status !== 'open',
  };
  const step = <T>(name: string, action: () => Promise<T>) => persevere(name, action, attention);

  const result = (extra: Partial<InvoiceUpdateResult> = {}): InvoiceUpdateResult => {
    const state = stream.state;
    return {
      streamVersion: stream.version,
      status: state.status === 'none' ? 'open' : state.status,
      openCents: state.status === 'open' ? openCents(state) : null,
      ...extra,
    };
  };

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
    (a) => registerPayment(stream.state, a),
    async (a) => {
      const events = registerPayment(stream.state, a);
      try {
        await stream.record(events, a.registeredBy);
      } catch (error) {
        rethrowAsUpdateFailure(error);
      }
      return result({ booked: events.length > 0 });
    },
  );
  update(
    creditInvoiceUpdate,
    (a) => {
      requireCreditable(stream.state);
      if (a.reason.trim() === '') throw new DomainError('a credit note needs a reason', 'validation');
    },
    async (a) => {
      const open = requireCreditable(stream.state);
      // The version is taken now and the append queued behind the others: the stream stays in order.
      let issued;
      try {
        issued = await stream.recordThrough(
          1,
          (expectedVersion) =>
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
          (credited) => [credited.event],
        );
      } catch (error) {
        rethrowAsUpdateFailure(error);
      }
      await deliver(issued.event.type === 'InvoiceCredited' ? issued.event.data.letters : []);
      return result({ creditNoteNumber: issued.creditNoteNumber });
    },
  );
  update(
    pauseDunningUpdate,
    () => requireCreditable(stream.state),
    async (a) => {
      try {
        await stream.record(pauseDunning(stream.state, { reason: a.reason, by: a.by, on: today() }), a.by);
      } catch (error) {
        rethrowAsUpdateFailure(error);
      }
      return result();
    },
  );
  update(
    resumeDunningUpdate,
    () => requireCreditable(stream.state),
    async (a) => {
      try {
        await stream.record(resumeDunning(stream.state, { by: a.by, on: today() }), a.by);
      } catch (error) {
        rethrowAsUpdateFailure(error);
      }
      return result();
    },
  );
  update(
    resolveInvoiceAttentionUpdate,
    (a) => resolveAttention(stream.state, { ...a, now: now().toISOString() }),
    async (a) => {
      try {
        await stream.record(resolveAttention(stream.state, { ...a, now: now().toISOString() }), a.by);
      } catch (error) {
        rethrowAsUpdateFailure(error);
      }
      return result();
    },
  );

  const common = { incidentId: input.incidentId, category: input.category, location: input.location };
  const letterTo = (content: LetterContent): Letter[] => [
    { letterId: `${stream.nextEventId()}/${input.debtorTenantId}`, recipient: { type: 'tenant', id: input.debtorTenantId }, content },
  ];
  async function deliver(letters: Letter[]): Promise<void> {
    if (letters.length > 0) await step('deliver letters', () => mail.deliverLetters(letters));
  }

  const rules = await store.incidentPolicy(input.category);
  const base = { invoiceNumber: input.invoiceNumber, incidentId: input.incidentId };

  async function remind(state: OpenInvoice): Promise<void> {
    const open = openCents(state);
    const newDueDate = addCalendarDays(today(), rules.paymentReminderTermDays);
    const letters = letterTo({ kind: 'payment_reminder', ...common, invoiceNumber: input.invoiceNumber, letterDate: today(), issueDate: input.issueDate, dueDate: input.dueDate, openCents: open, newDueDate });
    await stream.record([{ type: 'PaymentReminderSent', data: { ...base, newDueDate, openCents: open, letters } }]);
    await deliver(letters);
  }

  async function sendFinalNotice(state: OpenInvoice): Promise<void> {
    const open = openCents(state);
    const letterDate = today();
    const channel = await store.letterChannel(input.debtorTenantId);
    const receivedDate = receivedDateFor(letterDate, channel, rules.postDeliveryWorkingDays);
    const finalDate = finalDateFor(receivedDate);
    const collectionCostsCents = collectionCostsFor(state, rules.collectionCostsApply);
    const interestCents = rules.statutoryInterest
      ? statutoryInterestCents(state.totalCents - state.paidCents, input.dueDate, letterDate, rules.statutoryInterestRates)
      : null;
    const letters = letterTo({ kind: 'final_notice', ...common, invoiceNumber: input.invoiceNumber, letterDate, openCents: open, finalDate, collectionCostsCents, interestCents });
    await stream.record([{ type: 'FinalNoticeSent', data: { ...base, letterDate, receivedDate, finalDate, openCents: open, collectionCostsCents, interestCents, letters } }]);
    await deliver(letters);
  }

  async function handToCollections(state: OpenInvoice): Promise<void> {
    const open = openCents(state);
    const handedOverOn = today();
    const interestCents = rules.statutoryInterest
      ? statutoryInterestCents(state.totalCents - state.paidCents, input.dueDate, handedOverOn, rules.statutoryInterestRates)
      : 0;
    const events: DomainEvent[] = [];
    if (state.announcedCostsCents > 0 || interestCents > 0) {
      events.push({ type: 'CollectionCostsAdded', data: { ...base, amountCents: state.announcedCostsCents, interestCents, addedOn: handedOverOn } });
    }
    events.push({ type: 'InvoiceHandedToCollections', data: { ...base, openCents: open + state.announcedCostsCents + interestCents, handedOverOn } });
    await stream.record(events);
  }

  try {
    for (;;) {
      try {
        await stream.settled();
      } catch {
        // An append failed and the state is back to what is stored: decide again from it.
      }
      const state = stream.state;
      if (state.status !== 'open') break;
      if (state.pausedSince !== null || state.stage === 'collections') {
        const seen = stream.version;
        await condition(() => stream.version !== seen);
        continue;
      }
      const stepAt = amsterdamInstant(nextWorkingDay(state.payByDate), '09:00').getTime();
      if (Date.now() < stepAt) {
        const seen = stream.version;
        await condition(() => stream.version !== seen, stepAt - Date.now());
        continue;
      }
      if (state.stage === 'issued') await step('send the payment reminder', () => remind(state));
      else if (state.stage === 'reminded') await step('send the 14-day letter', () => sendFinalNotice(state));
      else await step('hand over to collections', () => handToCollections(state));
    }
  } catch (error) {
    // Paid or credited while a step waited for attention: nothing is left to do.
    if (!(error instanceof StepAbandoned)) throw error;
  }
  try {
    await stream.settled();
  } catch {
    // Nothing more to store: the invoice is paid or credited.
  }
  await condition(allHandlersFinished);
  return stream.state.status === 'credited' ? 'credited' : 'paid';
}

/** An append that failed under an Update: refused with the reason, the invoice's state as it was. */
function rethrowAsUpdateFailure(error: unknown): never {
  const failure = dataFailureOf(error);
  if (failure) throw ApplicationFailure.create({ type: 'unstorable', message: failure.message, nonRetryable: true });
  if (error instanceof AppendAbandoned) throw ApplicationFailure.create({ type: 'retry', message: 'the invoice was busy; try again', nonRetryable: true });
  throw error;
}
