import type { ColumnType, Insertable, Selectable } from 'kysely';

/** BIGINT is parsed to a JavaScript number once, in db/connection.ts: positions and cents stay far below 2^53. */
type BigIntColumn = ColumnType<number, number | undefined, number>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface EventsTable {
  position: ColumnType<number, never, never>;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: Json;
  metadata: Json;
  recorded_at: Timestamp;
}

export interface IncidentsTable {
  incident_id: string;
  category: string;
  complex_id: string;
  building_id: string;
  location: string;
  polluter_tenant_id: string | null;
  complainant_tenant_id: string | null;
  status: 'open' | 'closed';
  phase: string;
  reported_at: Date;
  deadline: Date | null;
  deadline_date: string | null;
  dispute: string;
  contractor_id: string | null;
  cost_cents: number | null;
  invoice_number: string | null;
  duplicate_reports: number;
  tenancy_escalation: boolean;
  outcome: string | null;
  closed_at: Date | null;
  last_position: BigIntColumn;
}

export interface OffencesTable {
  incident_id: string;
  tenant_id: string;
  offence_number: number;
  severity: string;
  recorded_at: Date;
}

export interface NotificationsTable {
  letter_id: string;
  incident_id: string;
  kind: string;
  recipient_type: string;
  recipient_id: string;
  event_id: string;
  content: Json;
  recorded_at: Date;
}

export interface InvoicesTable {
  invoice_number: string;
  incident_id: string;
  debtor_tenant_id: string;
  issue_date: string;
  due_date: string;
  total_cents: number;
  lines: Json;
  recorded_at: Date;
  status: ColumnType<'open' | 'paid' | 'credited', 'open' | 'paid' | 'credited' | undefined, 'open' | 'paid' | 'credited'>;
  stage: ColumnType<string, string | undefined, string>;
  pay_by_date: string;
  paid_cents: BigIntColumn;
  collection_costs_cents: BigIntColumn;
  interest_cents: BigIntColumn;
  credited_cents: BigIntColumn;
  credit_note_number: string | null;
  dunning_paused: ColumnType<boolean, boolean | undefined, boolean>;
  handed_to_collections_on: string | null;
  settled_on: string | null;
}

export interface PaymentsTable {
  invoice_number: string;
  payment_id: string;
  amount_cents: number;
  paid_on: string;
  source: string;
  reference: string | null;
  recorded_at: Date;
}

export interface BillingLedgerTable {
  entry_id: string;
  position: number;
  record_type: 'invoice_line' | 'credit_note' | 'collection_costs' | 'interest' | 'payment' | 'service_costs';
  booking_date: string;
  document_number: string;
  invoice_number: string | null;
  incident_id: string;
  debtor_tenant_id: string;
  category: string;
  complex_id: string;
  description: string;
  vat_code: string;
  amount_cents: number;
}

export interface ServiceCostAllocationsTable {
  incident_id: string;
  tenant_id: string;
  amount_cents: number;
  recorded_at: Date;
}

export interface InvoiceNumberSeriesTable {
  series: string;
  year: number;
  last_number: number;
}

export interface LetterDeliveriesTable {
  letter_id: string;
  channel: 'email' | 'print';
  address: string | null;
  message_id: string | null;
  delivered_at: Timestamp;
}

export interface TenantsTable {
  contract_number: string;
  name: string;
  email: string | null;
  street: string;
  house_number: string;
  postal_code: string;
  city: string;
  complex_id: string;
  building_id: string;
  unit: string;
  updated_at: Timestamp;
}

export interface ContractorsTable {
  contractor_id: string;
  name: string;
  email: string;
  categories: ColumnType<string[], string[], string[]>;
  complexes: ColumnType<string[], string[], string[]>;
  updated_at: Timestamp;
}

export interface IncidentReportsTable {
  incident_id: string;
  building_id: string;
  category: string;
  reported_at: Date;
}

export interface UnmatchedPaymentsTable {
  entry_reference: string;
  source: string;
  booking_date: string;
  amount_cents: number;
  debtor_name: string | null;
  debtor_iban: string | null;
  remittance: string;
  reason: string;
  imported_at: Timestamp;
}

export interface IdempotencyKeysTable {
  key: string;
  request_hash: string;
  incident_id: string;
  linked_as_duplicate: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
}

export interface Database {
  events: EventsTable;
  incidents: IncidentsTable;
  offences: OffencesTable;
  notifications: NotificationsTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  billing_ledger: BillingLedgerTable;
  service_cost_allocations: ServiceCostAllocationsTable;
  invoice_number_series: InvoiceNumberSeriesTable;
  letter_deliveries: LetterDeliveriesTable;
  tenants: TenantsTable;
  contractors: ContractorsTable;
  idempotency_keys: IdempotencyKeysTable;
  incident_reports: IncidentReportsTable;
  unmatched_payments: UnmatchedPaymentsTable;
}

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type TenantRow = Selectable<TenantsTable>;
export type ContractorRow = Selectable<ContractorsTable>;
/** The read models that `projections:rebuild` drops and replays. */
export const projectionTables = ['incidents', 'offences', 'notifications', 'invoices', 'service_cost_allocations', 'payments', 'billing_ledger'] as const;
