/**
 * Given/when/then on the pure processes, without Temporal or a database: a scenario carries out the
 * steps of `next` (domain/incident/process.ts) and `nextForInvoice` (domain/invoice/process.ts) the
 * way workflows/incident.ts and workflows/invoice.ts do, with a clock the test moves and a directory
 * that answers the look-ups.
 *
 *   const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-12-19T15:00:00+01:00' });
 *   s.at('2031-12-29T09:00:00+01:00');        // time passes: every timer on the way fires
 *   s.when(act.reportCleanup('tenant', 'A-2')); // a person's command, decided by the domain
 *   expect(s.types()).toEqual([...]);           // then: what was recorded, the wait, the refusals
 */
import { amsterdamDate } from '../../domain/calendar';
import type { DomainEvent, EventData, EventOf, EventType, Outcome } from '../../domain/events';
import type { Letter } from '../../domain/letters';
import { incidentPolicy, resolvePolicy, type Category, type IncidentPolicy } from '../../domain/policy';
import { incidentStreamId, invoiceStreamId } from '../../domain/streams';
import { decide, evolve, initialState, next, type Command, type IncidentState, type Compatibility, type LookedUp, type StepName } from '../../domain/incident';
import {
  creditInvoice,
  evolveInvoice,
  invoiceCredited,
  invoiceIssued,
  issuedInvoice,
  nextForInvoice,
  pauseDunning,
  registerPayment,
  requireCreditable,
  resolveAttention,
  resumeDunning,
  totalOf,
  type InvoiceLookedUp,
  type InvoiceState,
  type InvoiceStepName,
  type PaymentCommand,
} from '../../domain/invoice';

type Rest = { type: 'wait'; until: string | null } | { type: 'finished'; result: string };
const iso = (instant: string) => new Date(Date.parse(instant)).toISOString();

/** What every process scenario shares: the clock, the stream, what it recorded and where it came to rest. */
abstract class Scenario<S> {
  version = 0;
  /** Every event on the stream, with the clock when it was recorded. */
  readonly recorded: { at: string; event: DomainEvent }[] = [];
  rest: Rest | null = null;
  /** A step whose letters bounce once: the interpreter then records AttentionRequired and waits. */
  protected bounce: string | null;

  protected constructor(
    public state: S,
    public now: string,
    private readonly evolveWith: (state: S, event: DomainEvent) => S,
    bounce?: string,
  ) {
    this.bounce = bounce ?? null;
  }

  /** Events that happened before (no step is carried out). */
  given(...events: DomainEvent[]): this {
    for (const event of events) {
      this.state = this.evolveWith(this.state, event);
      this.version += 1;
      this.recorded.push({ at: this.now, event });
    }
    return this;
  }

  /** Time passes up to `instant`: the process wakes at each instant it waits for on the way. */
  at(instant: string): this {
    const target = Date.parse(instant);
    if (target < Date.parse(this.now)) throw new Error(`the clock is already at ${this.now}, past ${instant}`);
    while (this.rest?.type === 'wait' && this.rest.until !== null && Date.parse(this.rest.until) <= target) {
      this.now = iso(this.rest.until);
      this.run();
    }
    this.now = iso(instant);
    return this;
  }

  /** Ask the process what next and carry it out until it waits or is finished. */
  run(): this {
    for (let steps = 0; steps < 50; steps++) {
      const rest = this.step();
      if (rest) {
        this.rest = rest;
        return this;
      }
    }
    throw new Error('the process did not come to rest in 50 steps');
  }

  /** Carry out one step; the rest it came to, or null to ask again. */
  protected abstract step(): Rest | null;

  /** A step's events recorded; when its letters bounce, the interpreter records that it needs attention. */
  protected record(step: string, events: DomainEvent[]): void {
    this.given(...events);
    if (this.bounce === step) {
      this.bounce = null;
      this.given({ type: 'AttentionRequired', data: { step: 'deliver letters', reason: '550 5.1.1 mailbox unavailable', since: this.now } });
    }
  }

  /** The domain refuses: its error's class and message, and nothing recorded. */
  refusal(decided: () => unknown): [string, string] {
    const before = this.version;
    try {
      decided();
    } catch (error) {
      expectNothingRecorded(before, this.version);
      return [(error as Error).name, (error as Error).message];
    }
    throw new Error('the command was accepted');
  }

  types(): EventType[] {
    return this.recorded.map((r) => r.event.type);
  }

  /** The events recorded since `from` (a count of events, as `types().length` gave it). */
  typesSince(from: number): EventType[] {
    return this.types().slice(from);
  }

  all<K extends EventType>(type: K): EventData<K>[] {
    return this.recorded.filter((r) => r.event.type === type).map((r) => r.event.data as EventData<K>);
  }

  /** The one event of this type (fails when there are none or several). */
  one<K extends EventType>(type: K): EventData<K> {
    const found = this.all(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length} in ${this.types().join(', ')}`);
    return found[0]!;
  }

  /** When it was recorded, by the clock. */
  recordedAt(type: EventType): string {
    const found = this.recorded.find((r) => r.event.type === type);
    if (!found) throw new Error(`no ${type} in ${this.types().join(', ')}`);
    return found.at;
  }

  /** Where the process rests: the instant it waits for, 'a change' (null), or finished. */
  get waitingUntil(): string | null {
    if (this.rest?.type !== 'wait') throw new Error(`not waiting: ${JSON.stringify(this.rest)}`);
    return this.rest.until;
  }
}

function expectNothingRecorded(before: number, after: number): void {
  if (before !== after) throw new Error(`a refused command recorded ${after - before} events`);
}

/** "recipient: kind" of each letter an event carries. */
export function lettersTo(data: { letters: Letter[] }): string[] {
  return data.letters.map((l) => `${l.recipient.id}: ${l.content.kind}`);
}

// ---------------------------------------------------------------------------------------------
// The incident
// ---------------------------------------------------------------------------------------------

/** What the directory and the offences answer, and the invoice numbers the series hands out. */
export interface Directory {
  households: string[];
  priorOffences: number;
  contractorId: string;
  invoiceNumber: string;
}

/** Building A of complex C1: six households (as in test/support/fixtures.ts). */
export const buildingA = ['A-1', 'A-2', 'A-3', 'A-4', 'A-5', 'A-6'];

/** A command as a person gives it; the clock and the category's policy are added as the workflow adds them. */
export type Action = Command extends infer C ? (C extends unknown ? Omit<C, 'now' | 'acceptWithoutInspection' | 'fixedTariffCents'> : never) : never;

export const act = {
  reportCleanup: (by: 'tenant' | 'consultant' = 'tenant', actor = 'A-2', note: string | null = null): Action => ({ type: 'ReportCleanup', by, actor, note }),
  inspect: (result: 'clean' | 'not_clean', inspector = 'consultant-1', note: string | null = null): Action => ({ type: 'RecordInspection', result, inspector, note }),
  identify: (tenantId: string, identifiedBy = 'consultant-1'): Action => ({ type: 'IdentifyPolluter', tenantId, identifiedBy }),
  dispute: (reason: string, by: 'tenant' | 'consultant' = 'tenant', actor = 'A-2'): Action => ({ type: 'OpenDispute', by, actor, reason }),
  resolveDispute: (decision: 'upheld' | 'rejected', note: string | null = null, resolvedBy = 'consultant-1'): Action => ({ type: 'ResolveDispute', decision, resolvedBy, note }),
  complete: (costCents: number | null, contractorId = 'K-1'): Action => ({ type: 'CompleteCleanup', contractorId, costCents }),
  cancel: (reason: string, cancelledBy = 'consultant-2'): Action => ({ type: 'Cancel', reason, cancelledBy }),
  linkDuplicate: (reportId: string, reportedBy: string, description: string, named: { polluterTenantId?: string; complainantTenantId?: string } = {}): Action => ({
    type: 'LinkDuplicate',
    reportId,
    reportedBy,
    description,
    ...named,
  }),
  resolveAttention: (by = 'consultant-1', note: string | null = null): Action => ({ type: 'ResolveAttention', by, note }),
};

export interface IncidentOptions {
  at: string;
  /** Policy file overrides (validated as at start-up). */
  policy?: unknown;
  /** Rules set past the policy's validation, to test the domain's own guard. */
  unchecked?: Partial<IncidentPolicy>;
  directory?: Partial<Directory>;
  lettersBounce?: StepName;
  /** As an incident begun on earlier code goes on (the workflow's `patched`). */
  compatibility?: Compatibility;
}

export class IncidentScenario extends Scenario<IncidentState> {
  lookedUp: LookedUp = {};
  /** The facts looked up, in order. */
  readonly lookUps: string[] = [];
  /** Invoices issued (recorded on their own streams, not on the incident's). */
  readonly invoices: EventOf<'InvoiceIssued'>[] = [];
  compatibility: Compatibility | undefined;

  constructor(
    readonly incidentId: string,
    readonly policy: IncidentPolicy,
    readonly directory: Directory,
    at: string,
    bounce?: StepName,
  ) {
    super(initialState, iso(at), evolve, bounce);
  }

  /** A person's command: decided on the state as it is, recorded, and the process goes on. */
  when(action: Action): this {
    return this.accept(action).run();
  }

  /** The command decided and recorded; the process has not yet carried on (the moment between an Update and the next step). */
  accept(action: Action): this {
    return this.given(...decide(this.state, this.command(action)));
  }

  /** [error class, message] of a command the domain refuses. */
  refuses(action: Action): [string, string] {
    return this.refusal(() => decide(this.state, this.command(action)));
  }

  get outcome(): Outcome {
    if (this.rest?.type !== 'finished') throw new Error(`not finished: ${JSON.stringify(this.rest)}`);
    return this.rest.result as Outcome;
  }

  get open() {
    if (this.state.status !== 'open') throw new Error(`the incident is ${this.state.status}`);
    return this.state;
  }

  private command(a: Action): Command {
    switch (a.type) {
      case 'ReportCleanup':
        return { ...a, now: this.now, acceptWithoutInspection: this.policy.acceptCleanupReportWithoutInspection };
      case 'CompleteCleanup':
        return { ...a, now: this.now, fixedTariffCents: this.policy.fixedTariffCents };
      case 'RecordInspection':
      case 'LinkDuplicate':
      case 'ResolveAttention':
      case 'RecordPosting':
        return { ...a, now: this.now };
      default:
        return a;
    }
  }

  protected step(): Rest | null {
    const step = next(this.state, { now: this.now, streamId: incidentStreamId(this.incidentId), version: this.version }, this.policy, this.lookedUp, this.compatibility);
    switch (step.type) {
      case 'wait':
        return step;
      case 'finished':
        return { type: 'finished', result: step.outcome };
      case 'lookUp': {
        this.lookUps.push(step.fact);
        const d = this.directory;
        const fact = step.fact === 'households' ? { households: d.households } : step.fact === 'contractor' ? { contractorId: d.contractorId } : { priorOffences: d.priorOffences };
        this.lookedUp = { ...this.lookedUp, ...fact };
        return null;
      }
      case 'issueInvoice': {
        const { facts } = this.open;
        const issued = invoiceIssued(
          { eventId: `${incidentStreamId(this.incidentId)}/invoice`, incidentId: this.incidentId, category: facts.category, location: facts.location, issueDate: amsterdamDate(new Date(this.now)), ...step.draft },
          this.directory.invoiceNumber,
        );
        this.invoices.push(issued);
        const { invoiceNumber, issueDate, dueDate } = issued.data;
        this.lookedUp = { ...this.lookedUp, invoice: { invoiceNumber, issueDate, dueDate, totalCents: totalOf(step.draft.lines) } };
        return null;
      }
      case 'record':
        this.record(step.step, step.events);
        // What was looked up served this step; the invoice stays known.
        this.lookedUp = { invoice: this.lookedUp.invoice };
        return null;
    }
  }
}

/** An incident reported at `at` (its IncidentReported recorded, as the workflow records it), run until it waits. */
export function reported(report: Partial<EventData<'IncidentReported'>>, options: IncidentOptions): IncidentScenario {
  const data: EventData<'IncidentReported'> = {
    incidentId: 'i-1',
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'trappenhuis, 2e verdieping',
    description: 'afval in het trappenhuis',
    polluterTenantId: null,
    complainantTenantId: null,
    reportedBy: 'consultant-1',
    reportedAt: iso(options.at),
    ...report,
  };
  const directory = { households: buildingA, priorOffences: 0, contractorId: 'K-1', invoiceNumber: `${amsterdamDate(new Date(options.at)).slice(0, 4)}-000001`, ...options.directory };
  const policy = { ...rulesFor(data.category, options.policy), ...options.unchecked };
  const scenario = new IncidentScenario(data.incidentId, policy, directory, options.at, options.lettersBounce);
  scenario.compatibility = options.compatibility;
  return scenario.given({ type: 'IncidentReported', data }).run();
}

export function rulesFor(category: Category, overrides: unknown = {}): IncidentPolicy {
  return incidentPolicy(resolvePolicy(overrides), category);
}

// ---------------------------------------------------------------------------------------------
// The invoice
// ---------------------------------------------------------------------------------------------

export type InvoiceAction =
  | ({ type: 'RegisterPayment' } & PaymentCommand)
  | { type: 'PauseDunning'; reason: string; by: string }
  | { type: 'ResumeDunning'; by: string }
  | { type: 'CreditInvoice'; reason: string; creditedBy: string }
  | { type: 'ResolveAttention'; by: string; note: string | null };

export const pay = (paymentId: string, amountCents: number, paidOn: string): InvoiceAction => ({
  type: 'RegisterPayment',
  paymentId,
  amountCents,
  paidOn,
  source: 'manual',
  reference: null,
  registeredBy: 'finance',
});

export interface InvoiceOptions {
  at: string;
  /** The invoice's lines; default one line of EUR 187.50. */
  lines?: { description: string; amountCents: number; vatCode: string }[];
  debtorTenantId?: string;
  policy?: unknown;
  letterChannel?: 'email' | 'post';
  lettersBounce?: InvoiceStepName;
}

export class InvoiceScenario extends Scenario<InvoiceState> {
  lookedUp: InvoiceLookedUp = {};
  readonly lookUps: string[] = [];

  constructor(
    readonly issued: EventOf<'InvoiceIssued'>,
    readonly policy: IncidentPolicy,
    readonly letterChannel: 'email' | 'post',
    at: string,
    bounce?: InvoiceStepName,
  ) {
    const d = issued.data;
    const content = d.letters[0]!.content;
    if (content.kind !== 'invoice') throw new Error('an InvoiceIssued carries the invoice letter');
    const opening = { invoiceNumber: d.invoiceNumber, incidentId: d.incidentId, category: content.category, location: content.location, debtorTenantId: d.debtorTenantId, issueDate: d.issueDate, dueDate: d.dueDate, totalCents: d.totalCents };
    super(issuedInvoice(opening), iso(at), evolveInvoice, bounce);
    // InvoiceIssued is the stream's first event (recorded by the incident).
    this.version = 1;
    this.recorded.push({ at: this.now, event: issued });
  }

  get today(): string {
    return amsterdamDate(new Date(this.now));
  }

  /** What the workflow's Updates record for this command, decided by the domain on the state as it is. */
  decided(a: InvoiceAction): DomainEvent[] {
    switch (a.type) {
      case 'RegisterPayment': {
        const { type: _type, ...payment } = a;
        return registerPayment(this.state, payment);
      }
      case 'PauseDunning':
        requireCreditable(this.state);
        return pauseDunning(this.state, { reason: a.reason, by: a.by, on: this.today });
      case 'ResumeDunning':
        requireCreditable(this.state);
        return resumeDunning(this.state, { by: a.by, on: this.today });
      case 'ResolveAttention':
        return resolveAttention(this.state, { by: a.by, note: a.note, now: this.now });
      case 'CreditInvoice': {
        const credit = creditInvoice(this.state, { reason: a.reason, creditedBy: a.creditedBy, on: this.today });
        const d = this.issued.data;
        const content = d.letters[0]!.content as Extract<Letter['content'], { kind: 'invoice' }>;
        const number = `C${this.today.slice(0, 4)}-000001`;
        const eventId = `${invoiceStreamId(d.invoiceNumber)}/${this.version + 1}`;
        return [invoiceCredited({ eventId, invoiceNumber: d.invoiceNumber, incidentId: d.incidentId, category: content.category, location: content.location, debtorTenantId: d.debtorTenantId }, credit, number)];
      }
    }
  }

  when(a: InvoiceAction): this {
    this.given(...this.decided(a));
    return this.run();
  }

  refuses(a: InvoiceAction): [string, string] {
    return this.refusal(() => this.decided(a));
  }

  get result(): string {
    if (this.rest?.type !== 'finished') throw new Error(`not finished: ${JSON.stringify(this.rest)}`);
    return this.rest.result;
  }

  get open() {
    if (this.state.status !== 'open') throw new Error(`the invoice is ${this.state.status}`);
    return this.state;
  }

  protected step(): Rest | null {
    const step = nextForInvoice(this.state, { now: this.now, streamId: invoiceStreamId(this.issued.data.invoiceNumber), version: this.version }, this.policy, this.lookedUp);
    switch (step.type) {
      case 'wait':
      case 'finished':
        return step;
      case 'lookUp':
        this.lookUps.push(step.fact);
        this.lookedUp = { letterChannel: this.letterChannel };
        return null;
      case 'record':
        this.record(step.step, step.events);
        this.lookedUp = {};
        return null;
    }
  }
}

/** An invoice issued at `at` (as the incident's settle step issues it) and its process run until it waits. */
export function invoiceIssuedAt(options: InvoiceOptions): InvoiceScenario {
  const policy = rulesFor('bulk_waste', options.policy);
  const issued = invoiceIssued(
    {
      eventId: 'incident-i-1/invoice',
      incidentId: 'i-1',
      category: 'bulk_waste',
      location: 'fietsenstalling',
      debtorTenantId: options.debtorTenantId ?? 'A-2',
      issueDate: amsterdamDate(new Date(options.at)),
      paymentTermDays: policy.paymentTermDays,
      lines: options.lines ?? [{ description: 'Schoonmaak', amountCents: 18750, vatCode: 'BTW-GEEN' }],
    },
    `${amsterdamDate(new Date(options.at)).slice(0, 4)}-000001`,
  );
  return new InvoiceScenario(issued, policy, options.letterChannel ?? 'email', options.at, options.lettersBounce).run();
}
