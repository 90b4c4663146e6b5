import type { EventOf } from '../events';
import type { InvoiceLine } from '../letters';
import { addCalendarDays, type LocalDate } from '../calendar';
import type { Category } from '../policy';
import type { CreditDraft } from './decide';

export const totalOf = (lines: InvoiceLine[]) => lines.reduce((sum, line) => sum + line.amountCents, 0);

/** The gapless series: `2026-000123` for invoices, `C2026-000001` for credit notes. */
export const invoiceNumberOf = (year: number, n: number) => `${year}-${String(n).padStart(6, '0')}`;
export const creditNoteNumberOf = (year: number, n: number) => `C${year}-${String(n).padStart(6, '0')}`;

export interface InvoiceToIssue {
  /** The incident's id for the invoice: a retried issue finds it and its number. */
  eventId: string;
  incidentId: string;
  category: Category;
  location: string;
  debtorTenantId: string;
  issueDate: LocalDate;
  paymentTermDays: number;
  lines: InvoiceLine[];
}

/** The InvoiceIssued event of an invoice that has been given its number: due after the payment term, with the invoice letter. */
export function invoiceIssued(invoice: InvoiceToIssue, invoiceNumber: string): EventOf<'InvoiceIssued'> {
  const totalCents = totalOf(invoice.lines);
  const dueDate = addCalendarDays(invoice.issueDate, invoice.paymentTermDays);
  const { incidentId, category, location, debtorTenantId, issueDate, lines } = invoice;
  return {
    type: 'InvoiceIssued',
    data: {
      invoiceNumber,
      incidentId,
      debtorTenantId,
      issueDate,
      dueDate,
      lines,
      totalCents,
      letters: [
        {
          letterId: `${invoice.eventId}/invoice`,
          recipient: { type: 'tenant', id: debtorTenantId },
          content: { kind: 'invoice', incidentId, category, location, invoiceNumber, issueDate, dueDate, lines, totalCents },
        },
      ],
    },
  };
}

export interface InvoiceToCredit {
  eventId: string;
  invoiceNumber: string;
  incidentId: string;
  category: Category;
  location: string;
  debtorTenantId: string;
}

/** The InvoiceCredited event of a credit note that has been given its number, with the credit-note letter. */
export function invoiceCredited(invoice: InvoiceToCredit, credit: CreditDraft, creditNoteNumber: string): EventOf<'InvoiceCredited'> {
  const { invoiceNumber, incidentId, category, location, debtorTenantId } = invoice;
  return {
    type: 'InvoiceCredited',
    data: {
      invoiceNumber,
      incidentId,
      creditNoteNumber,
      issueDate: credit.issueDate,
      amountCents: credit.amountCents,
      refundDueCents: credit.refundDueCents,
      reason: credit.reason,
      creditedBy: credit.creditedBy,
      letters: [
        {
          letterId: `${invoice.eventId}/${debtorTenantId}`,
          recipient: { type: 'tenant', id: debtorTenantId },
          content: {
            kind: 'credit_note',
            incidentId,
            category,
            location,
            creditNoteNumber,
            invoiceNumber,
            issueDate: credit.issueDate,
            amountCents: credit.amountCents,
            refundDueCents: credit.refundDueCents,
            reason: credit.reason,
          },
        },
      ],
    },
  };
}
