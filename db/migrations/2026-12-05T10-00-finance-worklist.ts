import { type Kysely, sql } from 'kysely';

/**
 * Finance's worklist and refunds.
 *
 * - `unmatched_payments` records how finance resolved a line (booked to an invoice, not ours, refunded
 *   to the payer), who did and when, with a note; open lines are those without a resolution. Lines
 *   already booked under their own reference (by hand, before resolutions existed) are marked booked.
 * - `invoices.refund_due_cents`: what a tenant had paid on an invoice that was then credited in full,
 *   and is owed back (the InvoiceCredited event's refundDueCents; 0 for events recorded before it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invoices add column refund_due_cents bigint not null default 0`.execute(db);

  await sql`alter table unmatched_payments
    add column resolution text,
    add column resolved_invoice_number text,
    add column resolved_by text,
    add column resolved_at timestamptz,
    add column resolution_note text,
    add constraint unmatched_payments_resolution check (resolution in ('booked', 'not_ours', 'refunded')),
    add constraint unmatched_payments_resolved_fully check (
      (resolution is null and resolved_by is null and resolved_at is null and resolved_invoice_number is null)
      or (resolution is not null and resolved_by is not null and resolved_at is not null
          and (resolution = 'booked') = (resolved_invoice_number is not null)))`.execute(db);
  await sql`create index unmatched_payments_open on unmatched_payments (booking_date, entry_reference) where resolution is null`.execute(db);

  await sql`update unmatched_payments u
    set resolution = 'booked', resolved_invoice_number = p.invoice_number, resolved_by = 'system', resolved_at = now(),
        resolution_note = 'booked under its own reference before resolutions were recorded'
    from (select distinct on (payment_id) payment_id, invoice_number from payments order by payment_id, recorded_at) p
    where p.payment_id = u.entry_reference and u.resolution is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index unmatched_payments_open`.execute(db);
  await sql`alter table unmatched_payments
    drop constraint unmatched_payments_resolved_fully,
    drop constraint unmatched_payments_resolution,
    drop column resolution_note,
    drop column resolved_at,
    drop column resolved_by,
    drop column resolved_invoice_number,
    drop column resolution`.execute(db);
  await sql`alter table invoices drop column refund_due_cents`.execute(db);
}
