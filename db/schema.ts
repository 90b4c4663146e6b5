import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

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
  // For the reports (migration 2026-11-25T13-00-reports).
  /** The Amsterdam date of the report: the incident's period in every report. DATE columns read as a Date at local midnight: select them `::text`. */
  reported_on: ColumnType<Date, string, string>;
  closed_on: ColumnType<Date | null, string | null | undefined, string | null>;
  /** Working days after the report day up to and including the closing day. */
  close_working_days: ColumnType<number | null, number | null | undefined, number | null>;
  /** Later deadlines than the first: a new notice after an earlier one, or dunning resumed after a rejected invoice dispute. */
  deadline_extensions: ColumnType<number, number | undefined, number>;
  /** A dispute was upheld: on the incident (dismissed), or on its invoice (credited while the dispute paused the dunning). */
  dispute_upheld: ColumnType<boolean, boolean | undefined, boolean>;
  /** The polluter's offence number in the warning; 2 and up is a repeat offence. */
  offence_number: ColumnType<number | null, number | null | undefined, number | null>;
  service_costs_cents: ColumnType<number | null, number | null | undefined, number | null>;
  cleanup_reported_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  cleanup_ordered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Set while a step waits for a person (migration 2026-12-05T09-00-needs-attention). */
  attention_step: ColumnType<string | null, string | null | undefined, string | null>;
  attention_reason: ColumnType<string | null, string | null | undefined, string | null>;
  attention_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The short number people use (2026-00123); null for incidents reported before numbers existed. */
  incident_number: ColumnType<string | null, string | null | undefined, string | null>;
  /** How it came in: 'complaint' or 'supervision' (a round's finding; migration 2026-12-05T20-00-rounds). */
  source: ColumnType<string, string | undefined, string>;
  round_id: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** Paid on an invoice that was then credited in full: owed back to the tenant (migration 2026-12-05T10-00-finance-worklist). */
  refund_due_cents: BigIntColumn;
  /** Generated: what is still owed on an open invoice, 0 otherwise (mirrors domain/invoice openCents). */
  open_cents: ColumnType<number, never, never>;
  credit_note_number: string | null;
  dunning_paused: ColumnType<boolean, boolean | undefined, boolean>;
  handed_to_collections_on: string | null;
  settled_on: string | null;
  attention_step: ColumnType<string | null, string | null | undefined, string | null>;
  attention_reason: ColumnType<string | null, string | null | undefined, string | null>;
  attention_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
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
  record_type: 'invoice_line' | 'credit_note' | 'collection_costs' | 'interest' | 'payment' | 'service_costs' | 'refund_due';
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

/** Finance's export batches: not a read model (a rebuild must not forget what was exported). */
export interface BillingExportBatchesTable {
  batch_id: string;
  created_at: Timestamp;
  row_count: number;
  sha256: string;
  /** The batch's CSV, byte for byte as first downloaded. */
  content: Buffer;
}

/** Which batch each exported ledger entry went out in: an entry is in at most one. */
export interface BillingExportBatchEntriesTable {
  entry_id: string;
  batch_id: string;
}

export interface ServiceCostAllocationsTable {
  incident_id: string;
  tenant_id: string;
  amount_cents: number;
  recorded_at: Date;
}

/**
 * The summary figures pre-aggregated per cell: (category, day), (complex, day | dekad | month),
 * (building, month); kept in step with incidents and invoices by triggers (migration 2026-11-25T13-00-reports).
 */
export interface ReportCellsTable {
  dimension: 'category' | 'complex' | 'building';
  grain: 'day' | 'dekad' | 'month' | 'quarter';
  /** The day, or the first day of the dekad or month, the incidents were reported in (DATE: select it `::text`). */
  period: ColumnType<Date, string, string>;
  key: string;
  reported: number;
  open: number;
  returned: number;
  self_resolved: number;
  charged: number;
  service_cost: number;
  own_cost: number;
  dismissed: number;
  cancelled: number;
  repeat_offences: number;
  tenancy_escalations: number;
  taken_up: number;
  cost_cents: BigIntColumn;
  service_costs_cents: BigIntColumn;
  invoiced_cents: BigIntColumn;
  credited_cents: BigIntColumn;
  recovered_cents: BigIntColumn;
  outstanding_cents: BigIntColumn;
  /** Handled incidents by working days to close: element d + 1 counts those closed in d working days, d = 0..30. */
  close_days: ColumnType<number[], number[] | undefined, number[]>;
  /** The same for more than 30 working days, by the number of days: {"45": 2}. */
  close_days_over: ColumnType<Record<string, number>, string | undefined, string>;
}

export interface WorkingDayCalendarTable {
  day: ColumnType<Date, string, string>;
  working_day_number: number;
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
  /** `sending`: claimed, handed to the relay, not yet confirmed; `sent` (or queued for print). */
  status: ColumnType<'sending' | 'sent', 'sending' | 'sent' | undefined, 'sending' | 'sent'>;
  attempts: ColumnType<number, number | undefined, number>;
  /** The content as sent, where a late letter's dates moved (domain/sending.ts); null: as its event recorded it. */
  sent_content: ColumnType<unknown, string | null | undefined, string | null>;
}

/** Read model of LetterPosted: the day a letter that went by post was posted. */
export interface LetterPostingsTable {
  letter_id: string;
  /** YYYY-MM-DD (Europe/Amsterdam), as text like the invoices' dates. */
  posted_on: string;
  counted_from: Date;
  posted_by: string;
  event_id: string;
}

export interface PeopleTable {
  subject: string;
  display_name: string;
  email: string | null;
  roles: string[];
  first_seen_at: Generated<Date>;
  last_seen_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  subject: string;
  roles: string[];
  csrf_token: string;
  id_token: string | null;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface PhotosTable {
  photo_id: string;
  incident_id: string | null;
  content_type: string;
  byte_size: number;
  sha256: string;
  bytes: Buffer;
  uploaded_by: string;
  uploaded_at: Generated<Date>;
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

/** Households per building and per complex, kept from `tenants` by its triggers (migration 2026-12-04T19-00-households). */
export interface HouseholdsTable {
  dimension: 'complex' | 'building';
  key: string;
  complex_id: string;
  households: number;
}

/** Where a building is, for the contractor's work order (migration 2026-12-05T18-00-buildings). */
export interface BuildingsTable {
  building_id: string;
  complex_id: string;
  street: string;
  house_numbers: string;
  postal_code: string;
  city: string;
  access_notes: string | null;
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
  // How finance resolved the line (migration 2026-12-05T10-00-finance-worklist); all null while it is listed.
  /** booked (to resolved_invoice_number, with the line's reference as payment id), not_ours, or refunded to the payer. */
  resolution: ColumnType<'booked' | 'not_ours' | 'refunded' | null, 'booked' | 'not_ours' | 'refunded' | null | undefined, 'booked' | 'not_ours' | 'refunded' | null>;
  resolved_invoice_number: ColumnType<string | null, string | null | undefined, string | null>;
  resolved_by: ColumnType<string | null, string | null | undefined, string | null>;
  resolved_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  resolution_note: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface IdempotencyKeysTable {
  key: string;
  request_hash: string;
  incident_id: string;
  linked_as_duplicate: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  incident_number: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The conclusion the team recorded on a case of a month's review (stream review-<month>). */
export interface CaseReviewConclusionsTable {
  month: string;
  case_id: string;
  conclusion: string;
  recorded_by: string;
  recorded_by_name: string;
  recorded_at: Date;
}

/** An agreement made in a case review: what, who acts, by when; done or not. */
export interface CaseReviewAgreementsTable {
  agreement_id: string;
  month: string;
  case_id: string | null;
  text: string;
  owner: string;
  /** DATE: select it `::text`. */
  due_date: ColumnType<Date, string, string>;
  made_by: string;
  made_by_name: string;
  made_at: Date;
  done_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  done_by_name: ColumnType<string | null, string | null | undefined, string | null>;
  done_note: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A subject's data key (db/subject-keys.ts): wrapped with the master key; destroyed on erasure or at the end of its retention. */
export interface SubjectKeysTable {
  key_id: string;
  subject: string;
  wrapped_key: string | null;
  created_at: Generated<Date>;
  destroyed_at: Date | null;
  destroyed_because: string | null;
}

/** What billing keeps of an erased tenant for the tax authority (name and address on the invoice copies), until keep_until. */
export interface BillingAddresseesTable {
  contract_number: string;
  name: string;
  street: string;
  house_number: string;
  postal_code: string;
  city: string;
  /** DATE: select it `::text`. */
  keep_until: ColumnType<Date, string, string>;
}

export interface RetentionRunsTable {
  run_id: string;
  ran_at: Timestamp;
  narratives_removed: number;
  photos_removed: number;
  offences_removed: number;
  sessions_removed: number;
  billing_addressees_removed: number;
}

export interface Database {
  events: EventsTable;
  incidents: IncidentsTable;
  offences: OffencesTable;
  notifications: NotificationsTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  billing_ledger: BillingLedgerTable;
  billing_export_batches: BillingExportBatchesTable;
  billing_export_batch_entries: BillingExportBatchEntriesTable;
  service_cost_allocations: ServiceCostAllocationsTable;
  invoice_number_series: InvoiceNumberSeriesTable;
  letter_deliveries: LetterDeliveriesTable;
  letter_postings: LetterPostingsTable;
  tenants: TenantsTable;
  people: PeopleTable;
  sessions: SessionsTable;
  photos: PhotosTable;
  households: HouseholdsTable;
  contractors: ContractorsTable;
  buildings: BuildingsTable;
  idempotency_keys: IdempotencyKeysTable;
  incident_reports: IncidentReportsTable;
  unmatched_payments: UnmatchedPaymentsTable;
  report_cells: ReportCellsTable;
  working_day_calendar: WorkingDayCalendarTable;
  case_review_conclusions: CaseReviewConclusionsTable;
  case_review_agreements: CaseReviewAgreementsTable;
  round_plans: RoundPlansTable;
  rounds: RoundsTable;
  round_spaces: RoundSpacesTable;
  round_findings: RoundFindingsTable;
  subject_keys: SubjectKeysTable;
  billing_addressees: BillingAddresseesTable;
  retention_runs: RetentionRunsTable;
}

/** A complex's plan of supervision rounds (directory data: domain/round.ts roundPlanSchema). */
export interface RoundPlansTable {
  complex_id: string;
  consultant: string;
  interval_weeks: number;
  due_within_working_days: number;
  first_date: ColumnType<string, string, string>;
  buildings: ColumnType<{ buildingId: string; spaces: string[] }[], string, string>;
  updated_at: Timestamp;
  updated_by: string;
}

/** Read model of the rounds (projection of the Round* events). */
export interface RoundsTable {
  round_id: string;
  complex_id: string;
  consultant: string;
  planned_date: ColumnType<string, string, string>;
  due_date: ColumnType<string, string, string>;
  due_at: Timestamp;
  status: 'open' | 'paused' | 'completed';
  overdue: boolean;
  spaces_total: number;
  spaces_in_order: number;
  spaces_with_findings: number;
  findings: number;
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  on_time: boolean | null;
  scheduled_at: Timestamp;
}

export interface RoundSpacesTable {
  round_id: string;
  building_id: string;
  position: number;
  /** The space's place in the whole walk (buildings in the plan's order, each building's spaces in theirs). */
  walk_order: number;
  name: string;
  result: 'in_order' | 'finding' | null;
  marked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface RoundFindingsTable {
  finding_id: string;
  round_id: string;
  building_id: string;
  position: number;
  category: string;
  incident_id: string;
  polluter_known: boolean;
  recorded_by: string;
  recorded_at: Timestamp;
}

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type TenantRow = Selectable<TenantsTable>;
export type ContractorRow = Selectable<ContractorsTable>;
/** The read models that `projections:rebuild` drops and replays. */
export const projectionTables = ['incidents', 'offences', 'notifications', 'invoices', 'service_cost_allocations', 'payments', 'billing_ledger', 'report_cells', 'case_review_conclusions', 'case_review_agreements', 'letter_postings', 'rounds', 'round_spaces', 'round_findings'] as const;
