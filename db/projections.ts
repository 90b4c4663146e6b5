import { sql, type Insertable, type RawBuilder, type Transaction, type UpdateObject } from 'kysely';
import { withoutSealed } from '../domain/sealed';
import { amsterdamDate, workingDaysBetween } from '../domain/calendar';
import { DEFAULT_VAT_CODE } from '../domain/policy';
import type { DomainEvent } from '../domain/events';
import { lettersOf } from '../domain/event-letters';
import { phaseAfter, type Phase } from '../domain/incident/state';
import { incidentIdOfStream, invoiceNumberOfStream } from '../domain/streams';
import type { BillingLedgerTable, Database } from './schema';
import { projectionTables } from './schema';
import type { Db } from './connection';
import type { StoredEvent } from './stored-event';
import { inBatchedTransaction, type BatchStats, type BatchTables } from './batched-writes';
import { isRoundEvent, projectRoundEvent } from './round-projections';

type Tx = Transaction<Database>;

const noAttention = { attention_step: null, attention_reason: null, attention_since: null };

export function incidentIdOf(stored: StoredEvent): string | null {
  const ofStream = incidentIdOfStream(stored.streamId);
  if (ofStream !== null) return ofStream;
  const data = stored.event.data as { incidentId?: unknown };
  return typeof data.incidentId === 'string' ? data.incidentId : null;
}

/**
 * Update the read models for events just appended, in the append's transaction: each event in
 * turn, then the letters of them all in one statement.
 */
export async function projectAppended(trx: Tx, stored: StoredEvent[]): Promise<void> {
  for (const event of stored) await project(trx, event);
  const positions = stored.filter((e) => lettersOf(e.event).length > 0).map((e) => e.position);
  if (positions.length > 0) await recordLetters(sql`e.position = any(${positions}::bigint[])`).execute(trx);
}

/**
 * Update the read models but notifications for one stored event. Runs in the append's
 * transaction, and again for every event, in order, when the read models are rebuilt: it must read
 * nothing but the event and the read models themselves, so that both give identical rows.
 */
async function project(trx: Tx, stored: StoredEvent): Promise<void> {
  const { event, recordedAt, position } = stored;
  const incidentId = incidentIdOf(stored);
  // The phase is the domain's: the one the event moves the incident to (domain/incident/state.ts).
  const phase = incidentIdOfStream(stored.streamId) !== null ? phaseAfter(event) : null;
  const updateIncident = (values: UpdateObject<Database, 'incidents'>) =>
    trx
      .updateTable('incidents')
      .set({ ...values, ...(phase ? { phase } : {}) })
      .set({ last_position: position })
      .where('incident_id', '=', incidentId ?? '')
      .execute();

  switch (event.type) {
    case 'IncidentReported': {
      const d = event.data;
      await trx
        .insertInto('incidents')
        .values({
          incident_id: d.incidentId,
          incident_number: d.incidentNumber ?? null,
          category: d.category,
          complex_id: d.complexId,
          building_id: d.buildingId,
          location: d.location,
          polluter_tenant_id: d.polluterTenantId,
          complainant_tenant_id: d.complainantTenantId,
          status: 'open',
          phase: 'reported' satisfies Phase,
          reported_at: new Date(d.reportedAt),
          deadline: null,
          deadline_date: null,
          dispute: 'none',
          contractor_id: null,
          cost_cents: null,
          invoice_number: null,
          duplicate_reports: 0,
          tenancy_escalation: false,
          outcome: null,
          closed_at: null,
          last_position: position,
          source: d.source ?? 'complaint',
          round_id: d.roundId ?? null,
          ...reportFacts.reported(trx, d.incidentId, d.reportedAt),
        })
        .execute();
      remembered(trx).set(`incident/${d.incidentId}`, { category: d.category, complex_id: d.complexId });
      break;
    }
    case 'PolluterNotified':
      await updateIncident({
        polluter_tenant_id: event.data.tenantId,
        deadline: new Date(event.data.deadline),
        deadline_date: event.data.deadlineDate,
        ...reportFacts.noticed(trx, incidentId ?? ''),
      });
      break;
    case 'CollectiveNoticeSent':
      await updateIncident({ deadline: new Date(event.data.deadline), deadline_date: event.data.deadlineDate, ...reportFacts.noticed(trx, incidentId ?? '') });
      break;
    case 'DeadlineMoved':
      await updateIncident({ deadline: new Date(event.data.deadline), deadline_date: event.data.deadlineDate });
      break;
    case 'CleanupReported':
      await updateIncident({ cleanup_reported_at: new Date(event.data.reportedAt) });
      break;
    case 'PolluterIdentified':
      await updateIncident({ polluter_tenant_id: event.data.tenantId });
      break;
    case 'DisputeOpened':
      await updateIncident({ dispute: 'open' });
      break;
    case 'DisputeResolved':
      await updateIncident({ dispute: event.data.decision, ...(event.data.decision === 'upheld' ? { dispute_upheld: true } : {}) });
      break;
    case 'CleanupOrdered':
      await updateIncident({ contractor_id: event.data.contractorId, cleanup_ordered_at: new Date(event.data.orderedAt) });
      break;
    case 'CleanupCompleted':
      await updateIncident({ cost_cents: event.data.costCents });
      break;
    case 'WarningIssued':
      await trx
        .insertInto('offences')
        .values({
          incident_id: incidentId ?? '',
          tenant_id: event.data.tenantId,
          offence_number: event.data.offenceNumber,
          severity: event.data.severity,
          recorded_at: new Date(event.data.issuedAt),
        })
        .execute();
      await updateIncident({ offence_number: event.data.offenceNumber });
      break;
    case 'OffenceExpired':
      // Live appends; the rebuild appends offences in batches and takes the expired ones out at its end.
      await trx.deleteFrom('offences').where('incident_id', '=', incidentId ?? '').where('tenant_id', '=', event.data.tenantId).execute();
      break;
    case 'TenancyEscalationFlagged':
      await updateIncident({ tenancy_escalation: true });
      break;
    case 'InvoiceIssued': {
      const d = event.data;
      await trx
        .insertInto('invoices')
        .values({
          invoice_number: d.invoiceNumber,
          incident_id: d.incidentId,
          debtor_tenant_id: d.debtorTenantId,
          issue_date: d.issueDate,
          due_date: d.dueDate,
          pay_by_date: d.dueDate,
          total_cents: d.totalCents,
          lines: JSON.stringify(d.lines),
          recorded_at: recordedAt,
        })
        .execute();
      await updateIncident({ invoice_number: d.invoiceNumber });
      const incident = await incidentFacts(trx, d.incidentId);
      remembered(trx).set(`paused/${d.invoiceNumber}`, false);
      if (incident.category !== 'unknown') {
        remembered(trx).set(`invoice/${d.invoiceNumber}`, { incident_id: d.incidentId, debtor_tenant_id: d.debtorTenantId, lines: d.lines, ...incident });
      }
      await ledger(
        trx,
        stored,
        d.lines.map((line) => ({
          record_type: 'invoice_line' as const,
          booking_date: d.issueDate,
          document_number: d.invoiceNumber,
          invoice_number: d.invoiceNumber,
          incident_id: d.incidentId,
          debtor_tenant_id: d.debtorTenantId,
          ...incident,
          description: line.description,
          vat_code: line.vatCode,
          amount_cents: line.amountCents,
        })),
      );
      break;
    }
    case 'PaymentRegistered': {
      const d = event.data;
      await trx
        .insertInto('payments')
        .values({ invoice_number: d.invoiceNumber, payment_id: d.paymentId, amount_cents: d.amountCents, paid_on: d.paidOn, source: d.source, reference: d.reference, recorded_at: recordedAt })
        .execute();
      await updateInvoice(trx, d.invoiceNumber, { paid_cents: sql`paid_cents + ${d.amountCents}` });
      await ledgerForInvoice(trx, stored, d.invoiceNumber, [
        { record_type: 'payment', booking_date: d.paidOn, document_number: d.paymentId, description: `Betaling ${d.reference ?? ''}`.trim(), amount_cents: -d.amountCents },
      ]);
      break;
    }
    case 'InvoicePaid':
      await updateInvoice(trx, event.data.invoiceNumber, { status: 'paid', settled_on: event.data.paidOn, ...noAttention });
      break;
    case 'PaymentReminderSent':
      await updateInvoice(trx, event.data.invoiceNumber, { stage: 'reminded', pay_by_date: event.data.newDueDate });
      break;
    case 'FinalNoticeSent':
      await updateInvoice(trx, event.data.invoiceNumber, { stage: 'final_notice', pay_by_date: event.data.finalDate });
      break;
    case 'FinalDateMoved':
      await updateInvoice(trx, event.data.invoiceNumber, { pay_by_date: event.data.finalDate });
      break;
    case 'CollectionCostsAdded': {
      const d = event.data;
      await updateInvoice(trx, d.invoiceNumber, {
        collection_costs_cents: sql`collection_costs_cents + ${d.amountCents}`,
        interest_cents: sql`interest_cents + ${d.interestCents}`,
      });
      await ledgerForInvoice(trx, stored, d.invoiceNumber, [
        { record_type: 'collection_costs' as const, booking_date: d.addedOn, document_number: d.invoiceNumber, description: 'Buitengerechtelijke incassokosten', amount_cents: d.amountCents },
        { record_type: 'interest' as const, booking_date: d.addedOn, document_number: d.invoiceNumber, description: 'Wettelijke rente', amount_cents: d.interestCents },
      ].filter((row) => row.amount_cents > 0));
      break;
    }
    case 'InvoiceHandedToCollections':
      await updateInvoice(trx, event.data.invoiceNumber, { stage: 'collections', handed_to_collections_on: event.data.handedOverOn });
      break;
    case 'DunningPaused':
      remembered(trx).set(`paused/${event.data.invoiceNumber}`, true);
      await updateInvoice(trx, event.data.invoiceNumber, { dunning_paused: true });
      break;
    case 'DunningResumed':
      await updateInvoice(trx, event.data.invoiceNumber, { dunning_paused: false, pay_by_date: event.data.payByDate });
      await reportFacts.invoiceDisputeRejected(trx, event.data.incidentId, event.data.invoiceNumber);
      break;
    case 'InvoiceCredited': {
      const d = event.data;
      await reportFacts.invoiceCredited(trx, d.incidentId, d.invoiceNumber);
      // The rebuild reads events unparsed: one recorded before refundDueCents existed has none (0).
      const refundDueCents = (d.refundDueCents as number | undefined) ?? 0;
      await updateInvoice(trx, d.invoiceNumber, {
        status: 'credited',
        credited_cents: d.amountCents,
        refund_due_cents: refundDueCents,
        credit_note_number: d.creditNoteNumber,
        settled_on: d.issueDate,
        ...noAttention,
      });
      // The whole claim is credited; the part already paid moves from the debtor to what is owed back.
      await ledgerForInvoice(trx, stored, d.invoiceNumber, [
        { record_type: 'credit_note', booking_date: d.issueDate, document_number: d.creditNoteNumber, description: `Creditnota: ${withoutSealed(d.reason)}`, amount_cents: -d.amountCents },
        ...(refundDueCents > 0
          ? [{ record_type: 'refund_due' as const, booking_date: d.issueDate, document_number: d.creditNoteNumber, description: `Terug te betalen aan huurder: ${d.invoiceNumber}`, amount_cents: refundDueCents }]
          : []),
      ]);
      break;
    }
    case 'ServiceCostsAllocated':
      await trx
        .insertInto('service_cost_allocations')
        .values(
          event.data.allocations.map((a) => ({
            incident_id: incidentId ?? '',
            tenant_id: a.tenantId,
            amount_cents: a.amountCents,
            recorded_at: recordedAt,
          })),
        )
        .execute();
      await updateIncident({ service_costs_cents: event.data.totalCents });
      {
        const incident = await incidentFacts(trx, incidentId ?? '');
        const bookingDate = amsterdamDate(recordedAt);
        await ledger(
          trx,
          stored,
          event.data.allocations.map((a) => ({
            record_type: 'service_costs' as const,
            booking_date: bookingDate,
            document_number: incidentId ?? '',
            invoice_number: null,
            incident_id: incidentId ?? '',
            debtor_tenant_id: a.tenantId,
            ...incident,
            description: 'Schoonmaakkosten via servicekosten',
            // The rebuild reads events unparsed: one recorded before the code was in it has the default.
            vat_code: (event.data.vatCode as string | undefined) ?? DEFAULT_VAT_CODE,
            amount_cents: a.amountCents,
          })),
        );
      }
      break;
    case 'DuplicateReportLinked':
      await updateIncident({ duplicate_reports: sql`duplicate_reports + 1` });
      break;
    case 'AttentionRequired':
    case 'AttentionResolved': {
      const attention =
        event.type === 'AttentionRequired'
          ? { attention_step: event.data.step, attention_reason: event.data.reason, attention_since: new Date(event.data.since) }
          : noAttention;
      const invoiceNumber = invoiceNumberOfStream(stored.streamId);
      if (invoiceNumber !== null) await updateInvoice(trx, invoiceNumber, attention);
      else await updateIncident(attention);
      break;
    }
    case 'IncidentClosed':
      await updateIncident({
        status: 'closed',
        outcome: event.data.outcome,
        closed_at: new Date(event.data.closedAt),
        ...noAttention,
        ...reportFacts.closed(trx, incidentId ?? '', event.data.closedAt),
      });
      break;
    case 'LetterPosted': {
      const d = event.data;
      await trx
        .insertInto('letter_postings')
        .values({ letter_id: d.letterId, posted_on: d.postedOn, counted_from: new Date(d.countedFrom), posted_by: d.by, event_id: stored.eventId })
        .execute();
      if (incidentId !== null && incidentIdOfStream(stored.streamId) !== null) await updateIncident({});
      break;
    }
    // The team's case review: last conclusion per case wins; an agreement once made, then done.
    case 'CaseReviewConclusionRecorded': {
      const d = event.data;
      const row = { conclusion: d.conclusion, recorded_by: d.by, recorded_by_name: d.byName, recorded_at: new Date(d.recordedAt) };
      await trx
        .insertInto('case_review_conclusions')
        .values({ month: d.month, case_id: d.caseId, ...row })
        .onConflict((oc) => oc.columns(['month', 'case_id']).doUpdateSet(row))
        .execute();
      break;
    }
    case 'CaseReviewAgreementMade': {
      const d = event.data;
      await trx
        .insertInto('case_review_agreements')
        .values({
          agreement_id: d.agreementId,
          month: d.month,
          case_id: d.caseId,
          text: d.text,
          owner: d.owner,
          due_date: d.dueDate,
          made_by: d.by,
          made_by_name: d.byName,
          made_at: new Date(d.madeAt),
        })
        .execute();
      break;
    }
    case 'CaseReviewAgreementDone':
      await trx
        .updateTable('case_review_agreements')
        .set({ done_at: new Date(event.data.doneAt), done_by_name: event.data.byName, done_note: event.data.note })
        .where('agreement_id', '=', event.data.agreementId)
        .execute();
      break;
    default:
      if (isRoundEvent(event)) await projectRoundEvent(trx, event, recordedAt);
      else if (incidentId !== null && incidentIdOfStream(stored.streamId) !== null) await updateIncident({});
  }

}

/**
 * The letters of the stored events that `which` selects (a condition on `events e`), as rows of
 * `notifications`: read from the events table, so that an append and a rebuild (a page of events
 * at a time) record them by the same definition.
 */
function recordLetters(which: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    insert into notifications (letter_id, incident_id, kind, recipient_type, recipient_id, event_id, content, recorded_at)
    select l->>'letterId', l->'content'->>'incidentId', l->'content'->>'kind', l->'recipient'->>'type', l->'recipient'->>'id',
      e.event_id, l->'content', e.recorded_at
    from events e cross join lateral jsonb_array_elements(e.data->'letters') l
    where ${which}`;
}

/**
 * The incident facts the reports need (migration 2026-11-25T13-00-reports), from the events alone;
 * the report cells follow from them by trigger. Where a value depends on the row as it was (a count,
 * the report date), it is computed here when this transaction recorded the incident's report and so
 * knows the row (a rebuild), and left to SQL otherwise: both give the same value.
 */
interface ReportRow {
  reportedOn: string;
  noticed: boolean;
  deadlineExtensions: number;
}
const reportRow = (trx: Tx, incidentId: string) => remembered(trx).get(`report/${incidentId}`) as ReportRow | undefined;
const reportFacts = {
  reported: (trx: Tx, incidentId: string, reportedAt: string) => {
    const reportedOn = amsterdamDate(new Date(reportedAt));
    remembered(trx).set(`report/${incidentId}`, { reportedOn, noticed: false, deadlineExtensions: 0 } satisfies ReportRow);
    return { reported_on: reportedOn };
  },
  /** A notice after an earlier one (the polluter identified later) gives a new deadline: an extension. */
  noticed: (trx: Tx, incidentId: string) => {
    const row = reportRow(trx, incidentId);
    if (!row) return { deadline_extensions: sql<number>`deadline_extensions + (case when deadline is null then 0 else 1 end)` };
    if (row.noticed) row.deadlineExtensions++;
    row.noticed = true;
    return { deadline_extensions: row.deadlineExtensions };
  },
  closed: (trx: Tx, incidentId: string, closedAt: string) => {
    const closedOn = amsterdamDate(new Date(closedAt));
    const row = reportRow(trx, incidentId);
    // A closed incident's facts are not needed again (events after the close fall back to SQL).
    remembered(trx).delete(`report/${incidentId}`);
    remembered(trx).delete(`incident/${incidentId}`);
    return {
      closed_on: closedOn,
      close_working_days: row ? workingDaysBetween(row.reportedOn, closedOn) : sql<number>`working_days_between(reported_on, ${closedOn}::date)`,
    };
  },
  /** A rejected invoice dispute resumes the dunning with its dates moved on: an extension. */
  invoiceDisputeRejected: async (trx: Tx, incidentId: string, invoiceNumber: string) => {
    remembered(trx).set(`paused/${invoiceNumber}`, false);
    const row = reportRow(trx, incidentId);
    if (row) row.deadlineExtensions++;
    await trx
      .updateTable('incidents')
      .set({ deadline_extensions: row ? row.deadlineExtensions : sql<number>`deadline_extensions + 1` })
      .where('incident_id', '=', incidentId)
      .execute();
  },
  /** Credited while a dispute paused the dunning: the invoice dispute was upheld. */
  invoiceCredited: async (trx: Tx, incidentId: string, invoiceNumber: string) => {
    const paused = remembered(trx).get(`paused/${invoiceNumber}`) as boolean | undefined;
    if (paused === false) return;
    await trx
      .updateTable('incidents')
      .set({
        dispute_upheld: paused ?? sql<boolean>`dispute_upheld or coalesce((select dunning_paused from invoices where invoice_number = ${invoiceNumber}), false)`,
      })
      .where('incident_id', '=', incidentId)
      .execute();
  },
};

async function updateInvoice(trx: Tx, invoiceNumber: string, values: UpdateObject<Database, 'invoices'>): Promise<void> {
  await trx.updateTable('invoices').set(values).where('invoice_number', '=', invoiceNumber).execute();
}

async function incidentFacts(trx: Tx, incidentId: string): Promise<{ category: string; complex_id: string }> {
  const known = remembered(trx).get(`incident/${incidentId}`) as { category: string; complex_id: string } | undefined;
  const row = known ?? (await trx.selectFrom('incidents').select(['category', 'complex_id']).where('incident_id', '=', incidentId).executeTakeFirst());
  return { category: row?.category ?? 'unknown', complex_id: row?.complex_id ?? 'unknown' };
}

/**
 * Facts that never change once recorded (an incident's category and complex; an invoice's incident,
 * debtor and lines), remembered for the rest of the transaction that recorded them: a rebuild
 * replays every event in one transaction and reads them from here instead of from the database.
 */
const factsByTransaction = new WeakMap<Tx, Map<string, unknown>>();
const MAX_FACTS = 300_000;
function remembered(trx: Tx): Map<string, unknown> {
  let facts = factsByTransaction.get(trx);
  if (!facts) factsByTransaction.set(trx, (facts = new Map()));
  // A bound on the memory a long rebuild takes: the oldest facts (of incidents and invoices long
  // settled, as a rule) are forgotten first; what is forgotten is read again (or left to SQL).
  if (facts.size > MAX_FACTS) {
    let forget = facts.size - MAX_FACTS * 0.9;
    for (const key of facts.keys()) {
      if (forget-- <= 0) break;
      facts.delete(key);
    }
  }
  return facts;
}

type LedgerRow = Insertable<BillingLedgerTable>;

async function ledger(trx: Tx, stored: StoredEvent, rows: Omit<LedgerRow, 'entry_id' | 'position'>[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('billing_ledger')
    .values(rows.map((row, index) => ({ ...row, entry_id: `${stored.eventId}#${index + 1}`, position: stored.position })))
    .execute();
}

/** Bookings on an invoice after it was issued: debtor, category, complex and VAT code as on the invoice. */
async function ledgerForInvoice(
  trx: Tx,
  stored: StoredEvent,
  invoiceNumber: string,
  rows: Pick<LedgerRow, 'record_type' | 'booking_date' | 'document_number' | 'description' | 'amount_cents'>[],
): Promise<void> {
  const invoice =
    (remembered(trx).get(`invoice/${invoiceNumber}`) as { incident_id: string; debtor_tenant_id: string; lines: unknown; category: string | null; complex_id: string | null } | undefined) ??
    (await trx
      .selectFrom('invoices as v')
      .leftJoin('incidents as i', 'i.incident_id', 'v.incident_id')
      .select(['v.incident_id', 'v.debtor_tenant_id', 'v.lines', 'i.category', 'i.complex_id'])
      .where('v.invoice_number', '=', invoiceNumber)
      .executeTakeFirstOrThrow());
  const vatCode = (invoice.lines as { vatCode: string }[])[0]?.vatCode ?? DEFAULT_VAT_CODE;
  await ledger(
    trx,
    stored,
    rows.map((row) => ({
      ...row,
      invoice_number: invoiceNumber,
      incident_id: invoice.incident_id,
      debtor_tenant_id: invoice.debtor_tenant_id,
      category: invoice.category ?? 'unknown',
      complex_id: invoice.complex_id ?? 'unknown',
      vat_code: vatCode,
    })),
  );
}

/**
 * Drop every read model's rows and replay all events into them, in one transaction. The writes are
 * batched (db/batched-writes.ts): the read models are written by key or appended to, and read back
 * only for facts the transaction remembers. The report cells' triggers are off during the replay;
 * the cells are recomputed from the rebuilt rows at the end.
 */
export async function rebuildProjections(db: Db, stats?: BatchStats): Promise<{ events: number; seconds: number; phases: Record<string, number> }> {
  const started = process.hrtime.bigint();
  let events = 0;
  // Seconds each part took, for the benchmark: where a rebuild spends its time.
  const phases: Record<string, number> = {};
  let phaseStarted = started;
  const phaseDone = (name: string) => {
    const now = process.hrtime.bigint();
    phases[name] = Number(now - phaseStarted) / 1e9;
    phaseStarted = now;
  };
  await inBatchedTransaction(
    db,
    projectionBatchTables,
    async (trx, ahead) => {
      // Memory for the index builds and the report cells' sorts at a million incidents; the rebuild can be
      // run again, so its commit need not wait for the disk.
      await sql`set local maintenance_work_mem = '512MB'; set local work_mem = '1GB'; set local synchronous_commit = off`.execute(trx);
      await sql`truncate table ${sql.join(projectionTables.map((t) => sql.table(t)))}`.execute(trx);
      await sql`select report_cells_triggers(false)`.execute(trx);
      // Indexes are built again at the end, at once, rather than row by row: the secondary ones, and the
      // keys of the tables the replay only appends to (rebuilt keys still refuse a duplicate, at the end).
      // The keys of incidents and invoices stay: the replay updates their rows by key. Those of
      // notifications stay too: PostgreSQL keeps them while the worker is busy with the next page.
      const rebuiltKeyTables = [...projectionBatchTables.appendOnly, 'report_cells'];
      const indexedTables = projectionTables.filter((table) => table !== 'notifications');
      const { rows: keys } = await sql<{ table: string; name: string; definition: string }>`
        select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
        where connamespace = current_schema()::regnamespace and contype in ('p', 'u') and conrelid::regclass::text = any(${rebuiltKeyTables}::text[])`.execute(trx);
      const { rows: indexes } = await sql<{ name: string; definition: string }>`
        select i.indexname as name, i.indexdef as definition from pg_indexes i
        join pg_class c on c.relname = i.indexname join pg_index x on x.indexrelid = c.oid
        where i.schemaname = current_schema() and i.tablename = any(${indexedTables}::text[]) and not x.indisunique`.execute(trx);
      for (const key of keys) await sql`alter table ${sql.table(key.table)} drop constraint ${sql.id(key.name)}`.execute(trx);
      for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
      phaseDone('truncate');
      // The events as stored: they were validated when they were appended. Each page is read while
      // the one before it is projected; without its letters, which PostgreSQL records from the same
      // rows meanwhile, ahead of the batched writes (nothing else writes to notifications).
      const page = (after: number) =>
        ahead.runAhead(
          trx
            .selectFrom('events')
            .select(['position', 'stream_id', 'stream_version', 'event_id', 'type', sql<unknown>`data - 'letters'`.as('data'), 'recorded_at'])
            .where('position', '>', after)
            .orderBy('position')
            .limit(5000),
        );
      const lettersRecorded: Promise<unknown>[] = [];
      let next = page(0);
      for (let after = 0; ; ) {
        const rows = await next;
        if (rows.length === 0) break;
        const last = Number(rows[rows.length - 1]!.position);
        next = page(last);
        const letters = ahead.runAhead({ compile: () => recordLetters(sql`e.position > ${after} and e.position <= ${last}`).compile(trx) });
        letters.catch(() => {}); // awaited below, with the others
        lettersRecorded.push(letters);
        after = last;
        for (const row of rows) {
          const stored: StoredEvent = {
            position: Number(row.position),
            streamId: row.stream_id,
            streamVersion: row.stream_version,
            eventId: row.event_id,
            event: { type: row.type, data: row.data } as DomainEvent,
            metadata: {},
            recordedAt: row.recorded_at,
          };
          await project(trx, stored);
        }
        events += rows.length;
      }
      await Promise.all(lettersRecorded);
      // Offences are appended in batches during the replay (appendOnly): those the retention expired
      // (OffenceExpired, db/retention.ts) are taken out here, once, after the last page.
      await sql`delete from offences o using events e
        where e.type = 'OffenceExpired' and e.stream_id = 'incident-' || o.incident_id and e.data->>'tenantId' = o.tenant_id`.execute(trx);
      phaseDone('replay');
      await sql`select report_cells_recompute()`.execute(trx);
      phaseDone('report cells');
      for (const key of keys) await sql`alter table ${sql.table(key.table)} add constraint ${sql.id(key.name)} ${sql.raw(key.definition)}`.execute(trx);
      for (const index of indexes) await sql.raw(index.definition).execute(trx);
      await sql`select report_cells_triggers(true)`.execute(trx);
      phaseDone('keys and indexes');
    },
    stats,
  );
  phaseDone('commit');
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, phases };
}

/**
 * How the replay writes the read models: incidents and invoices by key; the others only appended
 * to; notifications not at all (recorded from the events, a page at a time).
 */
export const projectionBatchTables: BatchTables = {
  keyed: { incidents: 'incident_id', invoices: 'invoice_number' },
  appendOnly: ['offences', 'payments', 'billing_ledger', 'service_cost_allocations'],
};
