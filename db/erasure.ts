import { sql } from 'kysely';
import type { Db } from './connection';
import { appendWithin, type Tx } from './event-store';
import { incidentSubject, type SubjectKeys } from './subject-keys';
import { IllegalStateError, NotFoundError } from '../domain/errors';
import { tenantStreamId } from '../domain/streams';

/**
 * The right to erasure (AVG art. 17) for one tenant, without rewriting history: the events stay,
 * and hold the tenant only by contract number (a reference that, once the directory row is gone,
 * points at nobody) and their words only sealed (domain/sealed.ts), whose keys are destroyed here.
 *
 * Erased: the directory row (name, e-mail, address); the narrative of every incident that names
 * the tenant (as polluter, complainant, or in a duplicate report, or that they acted on through
 * their link): its data key and its photos; the e-mail addresses their letters went to.
 * Kept, because the law requires it (art. 52 AWR: 7 years): for a tenant who was invoiced, the name
 * and address the invoices and credit notes were made out to (billing_addressees), until the end of
 * the seventh year after the last invoice; the billing records themselves (amounts, numbers, dates).
 *
 * Refused while the tenant has an open incident or an open invoice: the claim (art. 17(3)(e)) and
 * the process still need them; erase once they are settled.
 */
export interface ErasureReport {
  tenantId: string;
  erasedAt: string;
  incidentIds: string[];
  keysDestroyed: number;
  photosRemoved: number;
  letterAddressesRemoved: number;
  directoryRowRemoved: boolean;
  billing: { invoicesKept: string[]; keptUntil: string | null };
}

/** Incidents that name the tenant: in any of their events, or acted on with the tenant's link. */
export async function incidentsNaming(db: Db | Tx, tenantId: string): Promise<string[]> {
  const { rows } = await sql<{ incident_id: string }>`
    select distinct coalesce(data->>'incidentId', substr(stream_id, ${'incident-'.length + 1})) as incident_id
    from events
    where (stream_id like 'incident-%' or stream_id like 'invoice-%')
      and (data->>'polluterTenantId' = ${tenantId} or data->>'complainantTenantId' = ${tenantId}
        or data->>'tenantId' = ${tenantId} or data->>'debtorTenantId' = ${tenantId}
        or metadata->>'actor' = ${`tenant:${tenantId}`} or data->>'actor' = ${`tenant:${tenantId}`})
    order by 1`.execute(db);
  return rows.map((r) => r.incident_id);
}

/** 31 December of the seventh year after the year of the last invoice (fiscale bewaarplicht). */
export function billingKeptUntil(lastIssueDate: string, years: number): string {
  return `${Number(lastIssueDate.slice(0, 4)) + years}-12-31`;
}

export async function eraseTenant(
  db: Db,
  keys: SubjectKeys,
  input: { tenantId: string; erasedBy: string; now: Date; billingRetentionYears: number },
): Promise<ErasureReport> {
  const { tenantId } = input;
  return db.transaction().execute(async (trx) => {
    // One erasure of a tenant at a time, and none while a directory upload writes the row.
    await sql`select pg_advisory_xact_lock(hashtext(${`erasure/${tenantId}`}))`.execute(trx);
    const directory = await trx.selectFrom('tenants').selectAll().where('contract_number', '=', tenantId).forUpdate().executeTakeFirst();
    const incidentIds = await incidentsNaming(trx, tenantId);
    if (!directory && incidentIds.length === 0) throw new NotFoundError(`no tenant ${tenantId} in the directory or in any incident`);

    const open = await trx.selectFrom('incidents').select('incident_id').where('incident_id', 'in', incidentIds.length > 0 ? incidentIds : ['']).where('status', '=', 'open').execute();
    const invoices = await trx.selectFrom('invoices').select(['invoice_number', 'issue_date', 'status']).where('debtor_tenant_id', '=', tenantId).orderBy('issue_date').execute();
    const openInvoices = invoices.filter((i) => i.status === 'open');
    if (open.length > 0 || openInvoices.length > 0) {
      const what = [
        ...open.map((i) => `incident ${i.incident_id} is open`),
        ...openInvoices.map((i) => `invoice ${i.invoice_number} is open`),
      ];
      throw new IllegalStateError(`tenant ${tenantId} cannot be erased yet: ${what.join('; ')}`);
    }

    // The narrative: destroying the key erases every copy (events, Temporal's histories, backups).
    const subjects = incidentIds.map(incidentSubject);
    const scoped = keys.within(trx);
    const keysDestroyed = await scoped.destroy(subjects, `erasure of tenant ${tenantId}`);
    await scoped.refuseFromNowOn(subjects, `erasure of tenant ${tenantId}`);
    const photos = await trx
      .deleteFrom('photos')
      .where((eb) => eb.or([eb('incident_id', 'in', incidentIds.length > 0 ? incidentIds : ['']), eb('uploaded_by', '=', `tenant:${tenantId}`)]))
      .executeTakeFirst();
    const addresses = await trx
      .updateTable('letter_deliveries')
      .set({ address: null })
      .where('address', 'is not', null)
      .where('letter_id', 'in', (eb) => eb.selectFrom('notifications').select('letter_id').where('recipient_type', '=', 'tenant').where('recipient_id', '=', tenantId))
      .executeTakeFirst();

    // Billing keeps the addressee of its invoices for the tax authority; nothing else of the directory.
    const lastInvoice = invoices[invoices.length - 1];
    const keptUntil = lastInvoice ? billingKeptUntil(lastInvoice.issue_date, input.billingRetentionYears) : null;
    if (directory && keptUntil) {
      await trx
        .insertInto('billing_addressees')
        .values({
          contract_number: tenantId,
          name: directory.name,
          street: directory.street,
          house_number: directory.house_number,
          postal_code: directory.postal_code,
          city: directory.city,
          keep_until: keptUntil,
        })
        .onConflict((oc) => oc.column('contract_number').doUpdateSet({ keep_until: keptUntil }))
        .execute();
    }
    if (directory) await trx.deleteFrom('tenants').where('contract_number', '=', tenantId).execute();

    const erasedAt = input.now.toISOString();
    const invoicesKept = invoices.map((i) => i.invoice_number);
    const streamId = tenantStreamId(tenantId);
    await appendWithin(
      trx,
      streamId,
      'any',
      [{ eventId: `${streamId}/erased/${erasedAt}`, event: { type: 'TenantErased', data: { tenantId, erasedBy: input.erasedBy, erasedAt, incidentIds, invoicesKept, billingKeptUntil: keptUntil } } }],
      { actor: input.erasedBy },
    );
    return {
      tenantId,
      erasedAt,
      incidentIds,
      keysDestroyed,
      photosRemoved: Number(photos.numDeletedRows),
      letterAddressesRemoved: Number(addresses.numUpdatedRows),
      directoryRowRemoved: Boolean(directory),
      billing: { invoicesKept, keptUntil },
    };
  });
}
