import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import type { Db } from '../db/connection';
import { appendToStream, appendWithin, type EventMetadata, type ExpectedVersion, type NewEvent } from '../db/event-store';
import { categoryPolicy, type Category, type CategoryPolicy, type Policy } from '../domain/policy';
import type { InvoiceLine, Letter, LetterContent } from '../domain/letters';
import { addCalendarDays, amsterdamDate } from '../domain/calendar';
import { renderLetter, type RecipientDetails } from './letters';
import { signTenantLink, tenantLinkUrl } from './links';
import type { Mailer } from './mailer';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  policy: Policy;
  publicUrl: string;
  linkSecret: string;
  corporationName: string;
}

/** What the incident workflow needs to know of the policy, fixed when the incident starts. */
export interface IncidentPolicy extends CategoryPolicy {
  repeatOffenceWindowMonths: number;
  tenancyEscalationFromOffence: number;
  neighboursNoticeMinimumHouseholds: number;
  tenantLinkValidityDays: number;
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
}

export function createActivities(deps: ActivityDeps) {
  const { db } = deps;

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

  return {
    async incidentPolicy(category: Category): Promise<IncidentPolicy> {
      const { categories: _categories, ...general } = deps.policy;
      return { ...categoryPolicy(deps.policy, category), ...general };
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

    /** Offences of this tenant recorded within the window before `before`, other than this incident. */
    async countPriorOffences(input: { tenantId: string; before: string; windowMonths: number; incidentId: string }): Promise<number> {
      const since = new Date(input.before);
      since.setUTCMonth(since.getUTCMonth() - input.windowMonths);
      const row = await db
        .selectFrom('offences')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('tenant_id', '=', input.tenantId)
        .where('incident_id', '!=', input.incidentId)
        .where('recorded_at', '>=', since)
        .where('recorded_at', '<', new Date(input.before))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async appendEvents(input: { streamId: string; expectedVersion: ExpectedVersion; events: NewEvent[]; metadata: EventMetadata }): Promise<number> {
      const result = await appendToStream(db, input.streamId, input.expectedVersion, input.events, input.metadata);
      return result.streamVersion;
    },

    /**
     * Take the next number of the year's gapless series and record InvoiceIssued, in one
     * transaction: a retry finds its event and returns the same number; a failure takes no number.
     */
    async issueInvoice(input: IssueInvoiceInput): Promise<{ invoiceNumber: string; letters: Letter[] }> {
      const issueDate = amsterdamDate(new Date(input.issuedAt));
      const year = Number(issueDate.slice(0, 4));
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('events').select(['data']).where('event_id', '=', input.eventId).executeTakeFirst();
        if (existing) {
          const data = existing.data as { invoiceNumber: string; letters: Letter[] };
          return { invoiceNumber: data.invoiceNumber, letters: data.letters };
        }
        const { last_number } = await trx
          .insertInto('invoice_number_series')
          .values({ series: 'invoice', year, last_number: 1 })
          .onConflict((oc) => oc.columns(['series', 'year']).doUpdateSet({ last_number: sql`invoice_number_series.last_number + 1` }))
          .returning('last_number')
          .executeTakeFirstOrThrow();
        const invoiceNumber = `${year}-${String(last_number).padStart(6, '0')}`;
        const totalCents = input.lines.reduce((sum, line) => sum + line.amountCents, 0);
        const dueDate = addCalendarDays(issueDate, input.paymentTermDays);
        const letters: Letter[] = [
          {
            letterId: `${input.eventId}/invoice`,
            recipient: { type: 'tenant', id: input.debtorTenantId },
            content: {
              kind: 'invoice',
              incidentId: input.incidentId,
              category: input.category,
              location: input.location,
              invoiceNumber,
              issueDate,
              dueDate,
              lines: input.lines,
              totalCents,
            },
          },
        ];
        await appendWithin(
          trx,
          `invoice-${invoiceNumber}`,
          'no_stream',
          [
            {
              eventId: input.eventId,
              event: {
                type: 'InvoiceIssued',
                data: { invoiceNumber, incidentId: input.incidentId, debtorTenantId: input.debtorTenantId, issueDate, dueDate, lines: input.lines, totalCents, letters },
              },
            },
          ],
          input.metadata,
        );
        return { invoiceNumber, letters };
      });
    },

    /**
     * Send each letter by e-mail, or queue it for print when the recipient has no e-mail address.
     * A letter already delivered is skipped, so a retried activity sends nothing twice.
     */
    async deliverLetters(letters: Letter[]): Promise<DeliveryReport> {
      const report: DeliveryReport = { emailed: [], queuedForPrint: [], alreadyDelivered: [] };
      for (const letter of letters) {
        const delivered = await db.selectFrom('letter_deliveries').select('letter_id').where('letter_id', '=', letter.letterId).executeTakeFirst();
        if (delivered) {
          report.alreadyDelivered.push(letter.letterId);
          continue;
        }
        const recipient = await recipientDetails(letter.recipient);
        if (!recipient?.email) {
          await db
            .insertInto('letter_deliveries')
            .values({ letter_id: letter.letterId, channel: 'print', address: null, message_id: null })
            .onConflict((oc) => oc.column('letter_id').doNothing())
            .execute();
          report.queuedForPrint.push(letter.letterId);
          continue;
        }
        const rendered = renderLetter(letter.content, recipient, {
          tenantLinkUrl: linkFor(letter.content, letter.recipient),
          corporationName: deps.corporationName,
        });
        const messageId = `<${letter.letterId.replace(/[^A-Za-z0-9._-]/g, '.')}@polluter-pays>`;
        await deps.mailer.send({ messageId, to: recipient.email, subject: rendered.subject, text: rendered.text, html: rendered.html });
        await db
          .insertInto('letter_deliveries')
          .values({ letter_id: letter.letterId, channel: 'email', address: recipient.email, message_id: messageId })
          .onConflict((oc) => oc.column('letter_id').doNothing())
          .execute();
        report.emailed.push(letter.letterId);
      }
      return report;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
