import { type Kysely, sql } from 'kysely';

// Migrations take Kysely<any>: they are frozen in time, whatever the Database interface becomes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('position', 'bigserial', (c) => c.primaryKey())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('metadata', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('events_stream_version_unique', ['stream_id', 'stream_version'])
    .execute();
  await sql`create index events_incident_id on events ((data->>'incidentId'))`.execute(db);
  // Events are facts: the table refuses updates and deletes.
  await sql`
    create function events_are_immutable() returns trigger language plpgsql as $$
    begin raise exception 'events are immutable'; end $$`.execute(db);
  await sql`create trigger events_immutable before update or delete on events
    for each row execute function events_are_immutable()`.execute(db);

  await db.schema
    .createTable('incidents')
    .addColumn('incident_id', 'text', (c) => c.primaryKey())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('complex_id', 'text', (c) => c.notNull())
    .addColumn('building_id', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('polluter_tenant_id', 'text')
    .addColumn('complainant_tenant_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deadline', 'timestamptz')
    .addColumn('deadline_date', 'text')
    .addColumn('dispute', 'text', (c) => c.notNull())
    .addColumn('contractor_id', 'text')
    .addColumn('cost_cents', 'bigint')
    .addColumn('invoice_number', 'text')
    .addColumn('duplicate_reports', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tenancy_escalation', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('outcome', 'text')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('last_position', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_open_by_building').on('incidents').columns(['building_id', 'category', 'reported_at']).where(sql.ref('status'), '=', 'open').execute();
  await db.schema.createIndex('incidents_reported_at').on('incidents').column('reported_at').execute();

  await db.schema
    .createTable('offences')
    .addColumn('incident_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('offence_number', 'integer', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('offences_by_tenant').on('offences').columns(['tenant_id', 'recorded_at']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('letter_id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient_type', 'text', (c) => c.notNull())
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_by_incident').on('notifications').column('incident_id').execute();

  await db.schema
    .createTable('invoices')
    .addColumn('invoice_number', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('debtor_tenant_id', 'text', (c) => c.notNull())
    .addColumn('issue_date', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('total_cents', 'bigint', (c) => c.notNull())
    .addColumn('lines', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('issued'))
    .addColumn('pay_by_date', 'text', (c) => c.notNull())
    .addColumn('paid_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('collection_costs_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('interest_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('credited_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('credit_note_number', 'text')
    .addColumn('dunning_paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('handed_to_collections_on', 'text')
    .addColumn('settled_on', 'text')
    .execute();
  await db.schema.createIndex('invoices_open_by_due_date').on('invoices').columns(['status', 'due_date']).execute();

  await db.schema
    .createTable('payments')
    .addColumn('invoice_number', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('paid_on', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('payments_pk', ['invoice_number', 'payment_id'])
    .execute();
  await db.schema.createIndex('payments_by_date').on('payments').column('paid_on').execute();

  // One row per booking finance exports: claims positive, payments and credits negative.
  await db.schema
    .createTable('billing_ledger')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('booking_date', 'text', (c) => c.notNull())
    .addColumn('document_number', 'text', (c) => c.notNull())
    .addColumn('invoice_number', 'text')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('debtor_tenant_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('complex_id', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('vat_code', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('billing_ledger_by_date').on('billing_ledger').columns(['booking_date', 'position']).execute();

  await db.schema
    .createTable('service_cost_allocations')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_cost_allocations_pk', ['incident_id', 'tenant_id'])
    .execute();

  await db.schema
    .createTable('invoice_number_series')
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_number_series_pk', ['series', 'year'])
    .execute();

  await db.schema
    .createTable('letter_deliveries')
    .addColumn('letter_id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('message_id', 'text')
    .addColumn('delivered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('tenants')
    .addColumn('contract_number', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('street', 'text', (c) => c.notNull())
    .addColumn('house_number', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('complex_id', 'text', (c) => c.notNull())
    .addColumn('building_id', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('tenants_by_building').on('tenants').column('building_id').execute();

  await db.schema
    .createTable('contractors')
    .addColumn('contractor_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('categories', sql`text[]`, (c) => c.notNull())
    .addColumn('complexes', sql`text[]`, (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Bank statement lines that could not be matched to exactly one open invoice: for finance to book by hand.
  await db.schema
    .createTable('unmatched_payments')
    .addColumn('entry_reference', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('booking_date', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('debtor_name', 'text')
    .addColumn('debtor_iban', 'text')
    .addColumn('remittance', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The API's register of the incidents it started, so that a report arriving while the previous
  // one's workflow has not yet recorded anything is still linked to it as a duplicate.
  await db.schema
    .createTable('incident_reports')
    .addColumn('incident_id', 'text', (c) => c.primaryKey())
    .addColumn('building_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_reports_by_space').on('incident_reports').columns(['building_id', 'category', 'reported_at']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('linked_as_duplicate', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'idempotency_keys', 'unmatched_payments', 'incident_reports', 'contractors', 'tenants', 'letter_deliveries', 'invoice_number_series',
    'service_cost_allocations', 'billing_ledger', 'payments', 'invoices', 'notifications', 'offences', 'incidents', 'events',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function events_are_immutable`.execute(db);
}
