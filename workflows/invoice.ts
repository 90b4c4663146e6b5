import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DomainEvent } from '../domain/events';
import { lettersOf } from '../domain/event-letters';
import { amsterdamDate } from '../domain/calendar';
import { IllegalStateError } from '../domain/errors';
import {
  creditInvoice,
  evolveInvoice,
  issuedInvoice,
  nextForInvoice,
  openCents,
  pauseDunning,
  recordPosting,
  registerPayment,
  requireCreditable,
  resolveAttention,
  resumeDunning,
  type InvoiceLookedUp,
  type InvoiceState,
} from '../domain/invoice';
import { invoiceStreamId } from '../domain/streams';
import * as m from './messages';
import { EventStream, StepAbandoned, acceptUpdate, asFailure, mailActivity, persevere, recordStep, rethrowAsUpdateFailure, storeActivity } from './stream';
import { invoiceTimerSummary } from './summaries';

const store = proxyActivities<Activities>(storeActivity);
const mail = proxyActivities<Activities>(mailActivity);

/**
 * One invoice's life, as `nextForInvoice` in domain/invoice/process.ts decides it (the dunning);
 * payments, the credit note, the pause of a dispute and its end come in as Updates decided by the
 * domain. This function only carries the steps out.
 */
export async function invoiceWorkflow(input: m.InvoiceInput): Promise<'paid' | 'credited'> {
  const streamId = invoiceStreamId(input.invoiceNumber);
  // InvoiceIssued is recorded by the incident that issued the invoice (stream version 1).
  const stream = new EventStream<InvoiceState>(streamId, { state: issuedInvoice(input), version: 1 }, evolveInvoice, store.appendEvents);
  const now = () => new Date(Date.now());
  const today = () => amsterdamDate(now());
  let lookedUp: InvoiceLookedUp = {};
  const attention = {
    record: (step: string, reason: string) => stream.record([{ type: 'AttentionRequired', data: { step, reason, since: now().toISOString() } }]),
    resolved: () => stream.state.status !== 'open' || stream.state.attention === null,
    abandoned: () => stream.state.status !== 'open',
  };
  /** Deliver a step's letters; the dates they gave as they went out (domain/sending.ts). */
  const deliver = async (events: DomainEvent[]) => {
    const letters = events.flatMap(lettersOf);
    return letters.length > 0 ? persevere('deliver letters', () => mail.deliverLetters(letters), attention) : null;
  };
  const result = (extra: Partial<m.InvoiceUpdateResult> = {}): m.InvoiceUpdateResult => {
    const state = stream.state;
    return { streamVersion: stream.version, status: state.status, openCents: state.status === 'open' ? openCents(state) : null, ...extra };
  };

  const accept = <Args>(definition: UpdateDefinition<m.InvoiceUpdateResult, [Args]>, decided: (args: Args) => DomainEvent[], actorOf: (args: Args) => string, answer = (_events: DomainEvent[]) => result()) =>
    acceptUpdate(stream, definition, decided, actorOf, answer);
  accept(m.registerPaymentUpdate, (a) => registerPayment(stream.state, a), (a) => a.registeredBy, (events) => result({ booked: events.length > 0 }));
  accept(m.pauseDunningUpdate, (a) => (requireCreditable(stream.state), pauseDunning(stream.state, { reason: a.reason, by: a.by, on: today() })), (a) => a.by);
  accept(m.resumeDunningUpdate, (a) => (requireCreditable(stream.state), resumeDunning(stream.state, { by: a.by, on: today() })), (a) => a.by);
  accept(m.resolveInvoiceAttentionUpdate, (a) => resolveAttention(stream.state, { ...a, now: now().toISOString() }), (a) => a.by);
  accept(m.recordInvoicePostingUpdate, (a) => recordPosting(stream.state, { ...a, now: now().toISOString() }), (a) => a.by);
  /**
   * A credit note is being issued: the state says credited only once its number is taken, so until
   * then a second credit (a retry without its key, a dispute upheld meanwhile) would pass the
   * domain's check and take a second number. It is refused instead.
   */
  let crediting = false;
  const decideCredit = (a: { reason: string; creditedBy: string }) => {
    try {
      if (crediting) throw new IllegalStateError('the invoice is being credited');
      return creditInvoice(stream.state, { ...a, on: today() });
    } catch (error) {
      asFailure(error);
    }
  };
  setHandler(
    m.creditInvoiceUpdate,
    async (a) => {
      const credit = decideCredit(a);
      crediting = true;
      // The credit note's number is taken in the activity's transaction; its version is taken now,
      // and the append queued behind the others: the stream stays in order.
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
              ...credit,
              issuedAt: now().toISOString(),
              metadata: { workflowId: workflowInfo().workflowId, runId: workflowInfo().runId, actor: a.creditedBy },
            }),
          (credited) => [credited.event],
        );
      } catch (error) {
        rethrowAsUpdateFailure(error);
      } finally {
        crediting = false;
      }
      await deliver([issued.event]);
      return result({ creditNoteNumber: issued.creditNoteNumber });
    },
    { validator: (a) => void decideCredit(a) },
  );

  const rules = await store.incidentPolicy(input.category);
  for (;;) {
    try {
      await stream.settled();
    } catch {
      // An append failed and the state is back to what is stored: decide again from it.
    }
    const step = nextForInvoice(stream.state, { now: now().toISOString(), streamId, version: stream.version }, rules, lookedUp);
    try {
      if (step.type === 'finished') {
        await condition(allHandlersFinished);
        return step.result;
      }
      if (step.type === 'wait') {
        const seen = stream.version;
        if (step.until === null) await condition(() => stream.version !== seen);
        else await condition(() => stream.version !== seen, Date.parse(step.until) - Date.now(), { summary: invoiceTimerSummary(stream.state) });
      } else if (step.type === 'lookUp') {
        lookedUp = { letterChannel: await store.letterChannel(input.debtorTenantId) };
      } else {
        const stored = await recordStep(stream, step.step, step.events, attention);
        lookedUp = {};
        const sent = stored ? await deliver(step.events) : null;
        if (sent?.finalDate) lookedUp = { sentFinalDate: sent.finalDate };
      }
    } catch (error) {
      // Paid or credited while a step waited for attention: the next pass ends it.
      if (!(error instanceof StepAbandoned)) throw error;
    }
  }
}
