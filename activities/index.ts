import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { ZodError } from 'zod';
import type { Db } from '../db/connection';
import {
  appendToStream,
  appendWithin,
  isUniqueViolation,
  EventIdConflictError,
  type EventMetadata,
  type ExpectedVersion,
  type NewEvent,
  type Tx,
} from '../db/event-store';
import { UnknownEventError } from '../domain/events';
import { STALE_OFFENCE_COUNT, ValidationError, type DataFailureType } from '../domain/errors';
import { incidentPolicy, type Category, type IncidentPolicy, type Policy } from '../domain/policy';
import { creditNoteNumberOf, invoiceCredited, invoiceIssued, invoiceNumberOf } from '../domain/invoice';
import { invoiceStreamId } from '../domain/streams';
import { letterContentSchema, type InvoiceLine, type Letter, type LetterContent } from '../domain/letters';
import { asSentAt, laterDeadline } from '../domain/sending';
import { amsterdamDate } from '../domain/calendar';
import { renderLetter, type RecipientDetails } from '../documents/letters';
import { buildingDetails } from '../db/directory';
import { subjectKeysOf } from '../db/subject-keys';
import { applyRetention, type RetentionRun } from '../db/retention';
import { renderFinancialPdf, toFinancialLetter } from '../documents/pdf';
import type { DomainEvent } from '../domain/events';
import { signTenantLink, tenantLinkUrl } from '../documents/links';
import type { Mailer } from './mailer';
import { corporationOf, type CorporationContact } from '../config/config';
import { roundActivities } from './rounds';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  policy: Policy;
  publicUrl: string;
  linkSecret: string;
  corporationName: string;
  /** Shown on invoices and letters as where to pay. */
  corporationIban: string;
  corporationAddress: string;
  /** Phone, e-mail, addresses, opening hours, KvK, BIC (absent: the configuration's defaults). */
  corporationContact?: CorporationContact;
  /** Opens the sealed texts a letter quotes (db/subject-keys.ts); absent: the development key (tests, scripts). */
  subjectKeysMasterKey?: Buffer;
  subjectKeysPreviousMasterKey?: Buffer;
}

export interface IssueCreditNoteInput {
  eventId: string;
  streamId: string;
  expectedVersion: number;
  invoiceNumber: string;
  incidentId: string;
  category: Category;
  location: string;
  debtorTenantId: string;
  amountCents: number;
  /** Paid on the invoice before it was credited: owed back to the tenant (absent: nothing was paid). */
  refundDueCents?: number;
  reason: string;
  creditedBy: string;
  /** The credit note's date as the domain decided it (absent in attempts scheduled before it did: the date of issuedAt). */
  issueDate?: string;
  issuedAt: string;
  metadata: EventMetadata;
}


export interface IssueInvoiceInput {
  eventId: string;
  incidentId: string;
  category: Category;
  location: string;
  debtorTenantId: string;
  issuedAt: string;
  paymentTermDays: number;
  lines: InvoiceLine[];
  metadata: EventMetadata;
}

export interface DeliveryReport {
  emailed: string[];
  queuedForPrint: string[];
  alreadyDelivered: string[];
  /** The latest deadline the batch's notices gave as they went out (domain/sending.ts); absent without notices. */
  deadline?: { deadline: string; deadlineDate: string };
  /** The final date the batch's 14-day letter gave as it went out. */
  finalDate?: string;
}

export function createActivities(deps: ActivityDeps) {
  const { db } = deps;
  const corporation = corporationOf(deps);
  const keys = subjectKeysOf(db, deps);

  async function recipientDetails(recipient: Letter['recipient']): Promise<(RecipientDetails & { email: string | null }) | null> {
    if (recipient.type === 'tenant') {
      const tenant = await db.selectFrom('tenants').selectAll().where('contract_number', '=', recipient.id).executeTakeFirst();
      if (!tenant) return null;
      return {
        name: tenant.name,
        email: tenant.email,
        address: { street: tenant.street, houseNumber: tenant.house_number, postalCode: tenant.postal_code, city: tenant.city },
      };
    }
    const contractor = await db.selectFrom('contractors').selectAll().where('contractor_id', '=', recipient.id).executeTakeFirst();
    return contractor ? { name: contractor.name, email: contractor.email, address: null } : null;
  }

  function linkFor(content: LetterContent, recipient: Letter['recipient']): string | null {
    const expiresAt = 'linkExpiresAt' in content ? content.linkExpiresAt : null;
    if (!expiresAt || recipient.type !== 'tenant') return null;
    const token = signTenantLink({ incidentId: content.incidentId, tenantId: recipient.id, expiresAt: new Date(expiresAt) }, deps.linkSecret);
    return tenantLinkUrl(deps.publicUrl, token);
  }

  /** Invoices, reminders, 14-day letters and credit notes go out with the document as PDF. */
  async function financialPdf(content: LetterContent, recipient: RecipientDetails): Promise<{ filename: string; content: Buffer } | null> {
    const letter = toFinancialLetter(content);
    if (!letter) return null;
    const pdf = await renderFinancialPdf(letter, recipient, corporation);
    const document = 'creditNoteNumber' in letter ? letter.creditNoteNumber : letter.invoiceNumber;
    return { filename: `${letter.kind}-${document}.pdf`, content: pdf };
  }

  return failingAtOnceOnData({
    ...roundActivities(db),
    renderPdf: financialPdf,
    async incidentPolicy(category: Category): Promise<IncidentPolicy> {
      return incidentPolicy(deps.policy, category);
    },

    /** The retention policy's run (db/retention.ts), once per run id: what it removed, in figures only. */
    async applyRetention(input: { runId: string; at: string }): Promise<RetentionRun> {
      return applyRetention(db, keys, deps.policy, input.runId, new Date(input.at));
    },

    /** Every household that can use the shared space, as contract numbers in a stable order. */
    async householdsOf(buildingId: string): Promise<string[]> {
      const rows = await db.selectFrom('tenants').select('contract_number').where('building_id', '=', buildingId).orderBy('contract_number').execute();
      return rows.map((r) => r.contract_number);
    },

    async chooseContractor(input: { category: Category; complexId: string }): Promise<string> {
      const rows = await db
        .selectFrom('contractors')
        .select('contractor_id')
        .where(sql<boolean>`(cardinality(categories) = 0 or ${input.category} = any(categories))`)
        .where(sql<boolean>`(cardinality(complexes) = 0 or ${input.complexId} = any(complexes))`)
        .orderBy(sql`cardinality(complexes) = 0`)
        .orderBy(sql`cardinality(categories) = 0`)
        .orderBy('contractor_id')
        .limit(1)
        .execute();
      const chosen = rows[0];
      // Retried with back-off: the order goes out as soon as the directory has a contractor.
      if (!chosen) throw ApplicationFailure.retryable(`no contractor in the directory for ${input.category} in complex ${input.complexId}`, 'NoContractor');
      return chosen.contractor_id;
    },

    /** Offences of this tenant recorded since the window before `before` began, other than this incident. */
    async countPriorOffences(input: { tenantId: string; before: string; windowMonths: number; incidentId: string }): Promise<number> {
      return offencesSince(db, input.tenantId, input.incidentId, offenceWindowStart(input.before, input.windowMonths));
    },

    /**
     * Append to a stream. A warning's offence number is checked against the tenant's offences in the
     * same transaction, under a lock per tenant: two incidents of one tenant settling at once cannot
     * both be the first offence; the later one is told to count again.
     */
    async appendEvents(input: { streamId: string; expectedVersion: ExpectedVersion; events: NewEvent[]; metadata: EventMetadata }): Promise<number> {
      const result = await appendToStream(db, input.streamId, input.expectedVersion, input.events, input.metadata, (trx, events) =>
        checkOffenceNumbers(trx, input.streamId, events, deps.policy.repeatOffenceWindowMonths),
      );
      return result.streamVersion;
    },

    /**
     * Take the next number of the year's gapless series and record InvoiceIssued, in one
     * transaction: a retry finds its event and returns the same number; a failure takes no number.
     */
    async issueInvoice(input: IssueInvoiceInput): Promise<{ invoiceNumber: string; issueDate: string; dueDate: string; letters: Letter[] }> {
      const issueDate = amsterdamDate(new Date(input.issuedAt));
      const year = Number(issueDate.slice(0, 4));
      const issuedBefore = async (q: Db) => {
        const existing = await q.selectFrom('events').select(['data']).where('event_id', '=', input.eventId).executeTakeFirst();
        if (!existing) return null;
        const data = existing.data as { invoiceNumber: string; issueDate: string; dueDate: string; letters: Letter[] };
        return { invoiceNumber: data.invoiceNumber, issueDate: data.issueDate, dueDate: data.dueDate, letters: data.letters };
      };
      const issuedConcurrently = new Error(`invoice ${input.eventId} was issued by a concurrent attempt`);
      return db.transaction().execute(async (trx) => {
        const existing = await issuedBefore(trx);
        if (existing) return existing;
        const { last_number } = await trx
          .insertInto('invoice_number_series')
          .values({ series: 'invoice', year, last_number: 1 })
          .onConflict((oc) => oc.columns(['series', 'year']).doUpdateSet({ last_number: sql`invoice_number_series.last_number + 1` }))
          .returning('last_number')
          .executeTakeFirstOrThrow();
        const issued = invoiceIssued({ ...input, issueDate }, invoiceNumberOf(year, last_number));
        const appended = await appendWithin(trx, invoiceStreamId(issued.data.invoiceNumber), 'no_stream', [{ eventId: input.eventId, event: issued }], input.metadata);
        // Another attempt of this activity committed the invoice while this one waited for the series: roll
        // back, giving the number just taken back, and answer with the invoice's own number (below).
        if (appended.alreadyAppended) throw issuedConcurrently;
        const { invoiceNumber, dueDate, letters } = issued.data;
        return { invoiceNumber, issueDate, dueDate, letters };
      }).catch(async (error: unknown) => {
        const existing = error === issuedConcurrently || isUniqueViolation(error) ? await issuedBefore(db) : null;
        if (existing) return existing;
        throw error;
      });
    },

    /** By e-mail when the directory has an address, else on paper: decides when a letter counts as received. */
    async letterChannel(tenantId: string): Promise<'email' | 'post'> {
      const tenant = await db.selectFrom('tenants').select('email').where('contract_number', '=', tenantId).executeTakeFirst();
      return tenant?.email ? 'email' : 'post';
    },

    /**
     * Take the next credit-note number (its own gapless series per year) and record InvoiceCredited
     * on the invoice's stream, in one transaction; a retry finds its event and returns it.
     */
    async issueCreditNote(input: IssueCreditNoteInput): Promise<{ creditNoteNumber: string; event: DomainEvent }> {
      const issueDate = input.issueDate ?? amsterdamDate(new Date(input.issuedAt));
      const year = Number(issueDate.slice(0, 4));
      const existing = async (q: Db) => {
        const row = await q.selectFrom('events').select(['type', 'data']).where('event_id', '=', input.eventId).executeTakeFirst();
        if (!row) return null;
        const event = { type: 'InvoiceCredited', data: row.data } as DomainEvent;
        return { creditNoteNumber: (row.data as { creditNoteNumber: string }).creditNoteNumber, event };
      };
      const before = await existing(db);
      if (before) return before;
      const creditedConcurrently = new Error(`credit note ${input.eventId} was issued by a concurrent attempt`);
      try {
        return await db.transaction().execute(async (trx) => {
          const { last_number } = await trx
            .insertInto('invoice_number_series')
            .values({ series: 'credit', year, last_number: 1 })
            .onConflict((oc) => oc.columns(['series', 'year']).doUpdateSet({ last_number: sql`invoice_number_series.last_number + 1` }))
            .returning('last_number')
            .executeTakeFirstOrThrow();
          const creditNoteNumber = creditNoteNumberOf(year, last_number);
          const credit = { amountCents: input.amountCents, refundDueCents: input.refundDueCents ?? 0, reason: input.reason, creditedBy: input.creditedBy, issueDate };
          const event = invoiceCredited(input, credit, creditNoteNumber);
          const appended = await appendWithin(trx, input.streamId, input.expectedVersion, [{ eventId: input.eventId, event }], input.metadata);
          // A concurrent attempt committed this credit note while we waited for the series: roll back our number.
          if (appended.alreadyAppended) throw creditedConcurrently;
          return { creditNoteNumber, event };
        });
      } catch (error) {
        // A concurrent attempt of this same activity committed first: its note stands, this one took no number.
        const after = error === creditedConcurrently || isUniqueViolation(error) ? await existing(db) : null;
        if (after) return after;
        throw error;
      }
    },

    /**
     * Send each letter by e-mail, or queue it for print when the recipient has no e-mail address.
     * A letter already delivered is skipped, so a retried activity sends nothing twice. Each e-mail is
     * claimed (`sending`) before it goes to the relay and settled (`sent`) after; once the relay has
     * it, the settle waits out a database outage instead of failing the batch (which would send it
     * again). Only a worker that dies between the relay's answer and the settle leaves a claim behind:
     * the retry sends that letter again, with the same Message-ID, and counts the attempt.
     */
    async deliverLetters(letters: Letter[]): Promise<DeliveryReport> {
      const report: DeliveryReport = { emailed: [], queuedForPrint: [], alreadyDelivered: [] };
      // One moment for the batch: every notice in it gives the same deadline.
      const sentAt = sendingTime();
      const note = (content: LetterContent) => {
        if (content.kind === 'formal_notice' || content.kind === 'collective_notice') {
          report.deadline = laterDeadline(report.deadline ?? null, { deadline: content.deadline, deadlineDate: content.deadlineDate }) ?? undefined;
        }
        if (content.kind === 'final_notice' && (!report.finalDate || content.finalDate > report.finalDate)) report.finalDate = content.finalDate;
      };
      for (const letter of letters) {
        heartbeat();
        const delivered = await db.selectFrom('letter_deliveries').select(['status', 'sent_content']).where('letter_id', '=', letter.letterId).executeTakeFirst();
        // Dates as of this moment, unless an earlier attempt already decided (and maybe sent) them.
        const content = delivered?.sent_content ? letterContentSchema.parse(delivered.sent_content) : asSentAt(letter.content, sentAt).content;
        const sentContent = JSON.stringify(content) === JSON.stringify(letter.content) ? null : JSON.stringify(content);
        note(content);
        if (delivered?.status === 'sent') {
          report.alreadyDelivered.push(letter.letterId);
          continue;
        }
        const recipient = await recipientDetails(letter.recipient);
        if (!recipient?.email) {
          await db
            .insertInto('letter_deliveries')
            .values({ letter_id: letter.letterId, channel: 'print', address: null, message_id: null, status: 'sent', sent_content: sentContent })
            .onConflict((oc) => oc.column('letter_id').doNothing())
            .execute();
          report.queuedForPrint.push(letter.letterId);
          continue;
        }
        // A quoted note (a ruling's words on a credit note) is opened for the letter only; it stays sealed in what is stored.
        const readable = await keys.reveal(content);
        const rendered = renderLetter(readable, recipient, {
          tenantLinkUrl: linkFor(content, letter.recipient),
          corporation,
          letterDate: amsterdamDate(sentAt),
          building: content.kind === 'work_order' ? await buildingDetails(db, content.buildingId) : null,
        });
        const messageId = `<${letter.letterId.replace(/[^A-Za-z0-9._-]/g, '.')}@polluter-pays>`;
        const pdf = await financialPdf(readable, recipient);
        await db
          .insertInto('letter_deliveries')
          .values({ letter_id: letter.letterId, channel: 'email', address: recipient.email, message_id: messageId, status: 'sending', sent_content: sentContent })
          .onConflict((oc) => oc.column('letter_id').doUpdateSet({ attempts: sql`letter_deliveries.attempts + 1`, address: recipient.email }))
          .execute();
        await whileHeartbeating(() =>
          deps.mailer.send({
            messageId,
            to: recipient.email!,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            attachments: pdf ? [{ filename: pdf.filename, content: pdf.content, contentType: 'application/pdf' }] : undefined,
          }),
        ).catch((error: unknown) => {
          // A refusal goes into the event (AttentionRequired) and Temporal's history: it names the
          // recipient by reference, never by address, so that an erasure leaves no address there.
          if (dataFailureTypeOf(error) !== 'UndeliverableLetter' || !(error instanceof Error)) throw error;
          const who = `${letter.recipient.type === 'tenant' ? 'huurder' : 'aannemer'} ${letter.recipient.id}`;
          throw ApplicationFailure.create({ type: 'UndeliverableLetter', message: error.message.split(recipient.email!).join(`<e-mailadres van ${who}>`), nonRetryable: true });
        });
        await untilStored(() =>
          db.updateTable('letter_deliveries').set({ status: 'sent', delivered_at: new Date() }).where('letter_id', '=', letter.letterId).execute(),
        );
        report.emailed.push(letter.letterId);
      }
      return report;
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;

/** The start of the repeat-offence window that counts for an offence at `at`. */
function offenceWindowStart(at: string, windowMonths: number): Date {
  const since = new Date(at);
  since.setUTCMonth(since.getUTCMonth() - windowMonths);
  return since;
}

async function offencesSince(db: Db | Tx, tenantId: string, incidentId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('offences')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('incident_id', '!=', incidentId)
    .where('recorded_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function checkOffenceNumbers(trx: Tx, streamId: string, events: NewEvent[], windowMonths: number): Promise<void> {
  for (const { eventId, event } of events) {
    if (event.type !== 'WarningIssued') continue;
    // A retried append of a warning already stored is not a new offence.
    const stored = await trx.selectFrom('events').select('event_id').where('event_id', '=', eventId).executeTakeFirst();
    if (stored) continue;
    await sql`select pg_advisory_xact_lock(hashtext(${`offences/${event.data.tenantId}`}))`.execute(trx);
    const incidentId = streamId.replace(/^incident-/, '');
    const prior = await offencesSince(trx, event.data.tenantId, incidentId, offenceWindowStart(event.data.issuedAt, windowMonths));
    if (prior !== event.data.offenceNumber - 1) {
      throw ApplicationFailure.nonRetryable(
        `tenant ${event.data.tenantId} has ${prior} earlier offences in the window, not ${event.data.offenceNumber - 1}: count again`,
        STALE_OFFENCE_COUNT,
      );
    }
  }
}

/**
 * Now, for a letter going out: the wall clock, or the moment the activity's attempt was scheduled
 * when that is later (on Temporal's time-skipping test server the workflow's time runs ahead).
 */
function sendingTime(): Date {
  let scheduled = 0;
  try {
    scheduled = Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    /* not in an activity */
  }
  return new Date(Math.max(Date.now(), scheduled));
}

function heartbeat(): void {
  // Outside a Temporal activity (a script, a test calling it directly) there is nobody to tell.
  try {
    Context.current().heartbeat();
  } catch {
    /* not in an activity */
  }
}

/** Heartbeat every few seconds while a slow call (the SMTP relay) is under way. */
async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const timer = setInterval(heartbeat, 5_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Retry a database write until it succeeds (the database restarting), heartbeating meanwhile; the
 * activity's own limits bound it. Tried every second at most: a letter's settle waits here while
 * the relay has it, and a worker that dies in that time sends the letter again, so the write must
 * not sleep on for seconds after the database is back (`npm run chaos` saw a kill 0.4 s after a
 * restart catch five letters whose next try was 3 s away).
 */
async function untilStored<T>(write: () => Promise<T>): Promise<T> {
  for (let wait = 250; ; wait = Math.min(wait * 2, 1_000)) {
    try {
      return await write();
    } catch (error) {
      if (dataFailureTypeOf(error) !== null) throw error;
      heartbeat();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Whether an error is about the data itself, which no retry can mend; null for errors worth retrying. */
export function dataFailureTypeOf(error: unknown): DataFailureType | null {
  if (error instanceof ZodError || error instanceof ValidationError || error instanceof UnknownEventError || error instanceof EventIdConflictError) {
    return 'UnstorableData';
  }
  if (typeof error !== 'object' || error === null) return null;
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  // SQLSTATE class 22 (data exception) and 23 (integrity constraint violation).
  if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return 'UnstorableData';
  // The relay refused the recipient for good: a bad address, a mailbox that does not exist.
  if (code === 'EENVELOPE' && typeof responseCode === 'number' && responseCode >= 500) return 'UndeliverableLetter';
  return null;
}

/** Each activity fails at once, without retries, when it fails on its data: the workflow then asks a person. */
function failingAtOnceOnData<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (error) {
        const type = dataFailureTypeOf(error);
        if (type === null || error instanceof ApplicationFailure) throw error;
        throw ApplicationFailure.create({ type, message: error instanceof Error ? error.message : String(error), nonRetryable: true, cause: error instanceof Error ? error : undefined });
      }
    };
  }
  return wrapped as T;
}

