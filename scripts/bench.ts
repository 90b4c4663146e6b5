/**
 * `npm run bench [-- --sizes 10000,100000]`: the performance baseline.
 * `npm run bench -- --lifecycle [--rate 15 --seconds 45 --workers 1,2]`: the workers' capacity (scripts/bench-lifecycle.ts).
 *
 * For each size (incidents; ~10 events each) it creates a database, seeds it by appending events
 * through the event store (many streams per transaction), and measures: the report queries (p50/p95),
 * the projection rebuild (events/s), event appends (single and 100-event batches) beside a bare
 * INSERT, and, once, incident starts and Updates through the API beside raw Temporal client calls on
 * a dev server of its own. It prints one table and drops what it created.
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest, type Db } from '../db/connection';
import { appendToStream, appendToStreamsWithin, type NewEvent, type StreamAppend } from '../db/event-store';
import { projectionTables } from '../db/schema';
import { projectionBatchTables, rebuildProjections } from '../db/projections';
import { inBatchedTransaction } from '../db/batched-writes';
import { upsertContractors, upsertTenants, type Tenant } from '../db/directory';
import { addCalendarDays, addWorkingDays, amsterdamDate, amsterdamInstant, endOfDay, subtractWorkingDays } from '../domain/calendar';
import type { DomainEvent } from '../domain/events';
import type { Letter, LetterContent } from '../domain/letters';
import { categoryLabels, defaultPolicy, resolvePolicy, type Category } from '../domain/policy';
import { splitToTheCent } from '../domain/money';
import { buildApp } from '../api/app';
import { SESSION_COOKIE, startSession } from '../api/sessions';
import { workspaceScriptBytes } from '../web/assets';
import { createActivities } from '../activities';
import { incidentWorkflowId, recordInspectionUpdate, type IncidentInput } from '../workflows/messages';
import { defaultDatabaseUrl, type Role } from '../config/config';
import { temporalCliPath } from './temporal-binaries';
import { developmentPayloadEncryption, temporalDataConverter } from '../config/payload-codec';
import { searchAttributesForCli } from '../worker/search-attributes';
import { freePort } from './ports';
import { eventIdAt, incidentStreamId, invoiceStreamId } from '../domain/streams';
import { warningFor } from '../domain/incident';
import { benchLifecycle } from './bench-lifecycle';

// ---------------------------------------------------------------------------------------------
// The corporation and its incidents: deterministic, so that every run seeds the same data.
// ---------------------------------------------------------------------------------------------

/** A large corporation: 1,000 complexes of 5 entrances of 8 households: 40,000 households. */
export const shape = { complexes: 1000, buildingsPerComplex: 5, householdsPerBuilding: 8, contractors: 20 };
/** Incidents are reported over these three years (Amsterdam dates); the reports ask for the last of them. */
export const span = { from: '2023-11-01', to: '2026-10-31' };

const complexId = (c: number) => `CX-${String(c).padStart(4, '0')}`;
const buildingId = (c: number, b: number) => `${complexId(c)}-${String.fromCharCode(65 + b)}`;
const householdId = (c: number, b: number, h: number) => `${buildingId(c, b)}-${h + 1}`;

export function directory(): { tenants: Tenant[]; contractors: { contractorId: string; name: string; email: string; categories: []; complexes: [] }[] } {
  const tenants: Tenant[] = [];
  for (let c = 0; c < shape.complexes; c++) {
    for (let b = 0; b < shape.buildingsPerComplex; b++) {
      for (let h = 0; h < shape.householdsPerBuilding; h++) {
        tenants.push({
          contractNumber: householdId(c, b, h),
          name: `Huishouden ${householdId(c, b, h)}`,
          email: h % 7 === 6 ? null : `${householdId(c, b, h).toLowerCase()}@bewoners.test`,
          street: `Straat ${c}`,
          houseNumber: String(b * 100 + h + 1),
          postalCode: '1234 AB',
          city: 'Utrecht',
          complexId: complexId(c),
          buildingId: buildingId(c, b),
          unit: String(h + 1),
        });
      }
    }
  }
  const contractors = Array.from({ length: shape.contractors }, (_, k) => ({
    contractorId: `K-${String(k + 1).padStart(2, '0')}`,
    name: `Schoonmaak ${k + 1}`,
    email: `k${k + 1}@schoon.test`,
    categories: [] as [],
    complexes: [] as [],
  }));
  return { tenants, contractors };
}

/** mulberry32: a small, fast, seedable generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: [T, number][]): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

const noticeDays: Record<Category, number> = {
  fouled_stairwell: 2,
  bulk_waste: 5,
  neglected_garden: 10,
  vandalism: 5,
  living_noise: 0,
  children_playing: 0,
  parking: 0,
};

/** Events of one stream appended together, at the moment the system would append them. */
export interface Append {
  streamId: string;
  events: DomainEvent[];
  /** When (ms since the epoch). */
  at: number;
}

export interface SeededIncident {
  incidentId: string;
  reportedAt: number;
  /** The month of the report (YYYY-MM): the seeding partitions by it. */
  month: string;
  /** In the order of `at`; an incident's invoice stream is interleaved with its incident stream. */
  appends: Append[];
}

type Outcome = 'returned_to_complainant' | 'self_cleaned' | 'cleaned_and_charged' | 'cleaned_at_service_cost' | 'cleaned_at_corporation_cost' | 'dismissed' | 'cancelled';

/**
 * The incidents of a run: `count` incidents spread evenly over the span, each with a history drawn
 * from what a corporation sees (self-cleaned, cleaned and charged, service costs, own cost, returned
 * to the complainant, dismissed, cancelled, still open at some step), with reminders, disputes,
 * polluters identified later, duplicate reports, repeat offenders, and invoices that are paid,
 * reminded, handed to collections or credited. Events of one stream within an hour of each other
 * are one append, as the workflow would make them.
 */
export function* generateIncidents(count: number, seed = 20261125): Generator<SeededIncident> {
  const random = rng(seed);
  const start = amsterdamInstant(span.from, '00:00').getTime();
  const end = amsterdamInstant(addCalendarDays(span.to, 1), '00:00').getTime();
  const step = (end - start) / count;
  const offences = new Map<string, number[]>();
  const invoiceCounters = new Map<string, number>();
  const minute = 60_000;
  const iso = (t: number) => new Date(t).toISOString();
  const on = (date: string, time = '10:00') => amsterdamInstant(date, time).getTime();
  const workingDayAt = (from: number, days: number, time: string) => on(addWorkingDays(amsterdamDate(new Date(from)), days), time);

  for (let i = 0; i < count; i++) {
    const incidentId = `bench-${String(i).padStart(7, '0')}`;
    const streamId = incidentStreamId(incidentId);
    const day = amsterdamDate(new Date(start + i * step));
    const reportedAt = on(day, `${String(8 + Math.floor(random() * 9)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}`);
    // Incidents cluster: a tenth of the complexes get a third of them.
    const c = random() < 0.33 ? Math.floor(random() * (shape.complexes / 10)) : Math.floor(random() * shape.complexes);
    const b = Math.floor(random() * shape.buildingsPerComplex);
    const households = Array.from({ length: shape.householdsPerBuilding }, (_, h) => householdId(c, b, h));
    const category = pick<Category>(random, [
      ['fouled_stairwell', 34],
      ['bulk_waste', 30],
      ['neglected_garden', 12],
      ['vandalism', 6],
      ['living_noise', 8],
      ['children_playing', 5],
      ['parking', 5],
    ]);
    const common = { incidentId, category, location: 'gemeenschappelijke ruimte' };
    const complainant = random() < 0.6 ? households[1 + Math.floor(random() * (households.length - 1))]! : null;
    // A building's first household is its usual suspect: repeat offenders.
    const suspect = random() < 0.35 ? households[0]! : households[Math.floor(random() * households.length)]!;
    const knownAtReport = random() < 0.5;

    // Every event with its stream and time; the ids of letters follow the stream versions.
    const timeline: { streamId: string; event: DomainEvent; at: number }[] = [];
    const versions = new Map<string, number>();
    let t = reportedAt;
    const nextId = (stream = streamId) => `${stream}/${(versions.get(stream) ?? 0) + 1}`;
    const push = (event: DomainEvent, stream = streamId, at = t) => {
      timeline.push({ streamId: stream, event, at });
      versions.set(stream, (versions.get(stream) ?? 0) + 1);
    };
    const letter = (id: string, tenantId: string, content: LetterContent): Letter => ({ letterId: `${id}/${tenantId}`, recipient: { type: 'tenant', id: tenantId }, content });
    const close = (outcome: Outcome) => {
      t += minute;
      push({ type: 'IncidentClosed', data: { outcome, closedAt: iso(t) } });
    };
    const done = (): SeededIncident => {
      const appends: Append[] = [];
      for (const entry of [...timeline].sort((x, y) => x.at - y.at)) {
        const last = appends[appends.length - 1];
        if (last && last.streamId === entry.streamId && entry.at - last.at <= 3_600_000) {
          last.events.push(entry.event);
          last.at = entry.at;
        } else {
          appends.push({ streamId: entry.streamId, events: [entry.event], at: entry.at });
        }
      }
      return { incidentId, reportedAt, month: day.slice(0, 7), appends };
    };

    push({
      type: 'IncidentReported',
      data: {
        incidentId,
        category,
        complexId: complexId(c),
        buildingId: buildingId(c, b),
        location: common.location,
        description: `melding ${i}`,
        polluterTenantId: knownAtReport ? suspect : null,
        complainantTenantId: complainant,
        reportedBy: 'consultant:bench',
        reportedAt: iso(reportedAt),
      },
    });
    t += minute;
    if (noticeDays[category] === 0) {
      push({
        type: 'ReportReturnedToComplainant',
        data: { reason: `${categoryLabels[category]} is not taken up by the corporation`, letters: complainant ? [letter(nextId(), complainant, { kind: 'complainant_advice', ...common })] : [] },
      });
      close('returned_to_complainant');
      yield done();
      continue;
    }
    if (complainant) push({ type: 'ComplainantAcknowledged', data: { letters: [letter(nextId(), complainant, { kind: 'complainant_acknowledgement', ...common })] } });

    let polluter: string | null = knownAtReport ? suspect : null;
    let notice = { deadline: '', deadlineDate: '' };
    const notify = () => {
      t += minute;
      const deadlineDate = addWorkingDays(amsterdamDate(new Date(t)), noticeDays[category]);
      const deadline = iso(endOfDay(deadlineDate).getTime());
      const reminderAt = iso(on(subtractWorkingDays(deadlineDate, 1), '09:00'));
      const id = nextId();
      notice = { deadline, deadlineDate };
      if (polluter) {
        const linkExpiresAt = iso(Date.parse(deadline) + 30 * 86_400_000);
        push({
          type: 'PolluterNotified',
          data: { tenantId: polluter, deadline, deadlineDate, reminderAt, letters: [letter(id, polluter, { kind: 'formal_notice', ...common, deadline, deadlineDate, tariffCents: null, linkExpiresAt })] },
        });
      } else {
        push({
          type: 'CollectiveNoticeSent',
          data: { households, deadline, deadlineDate, reminderAt, letters: households.map((h) => letter(id, h, { kind: 'collective_notice', ...common, deadline, deadlineDate })) },
        });
      }
    };
    const remind = () => {
      const at = on(subtractWorkingDays(notice.deadlineDate, 1), '09:00');
      if (at <= t) return;
      t = at;
      const id = nextId();
      const recipients = polluter ? [polluter] : households;
      const linkExpiresAt = polluter ? iso(Date.parse(notice.deadline) + 30 * 86_400_000) : null;
      push({
        type: 'ReminderSent',
        data: { letters: recipients.map((h) => letter(id, h, { kind: 'reminder', ...common, ...notice, collective: polluter === null, linkExpiresAt })) },
      });
    };
    notify();
    if (random() < 0.1) {
      push({ type: 'DuplicateReportLinked', data: { reportId: `${incidentId}-dup`, reportedBy: 'consultant:bench', description: 'nog een melding', reportedAt: iso(t + 90 * minute) } }, streamId, t + 90 * minute);
    }
    // The polluter identified later: a second notice, with a new deadline.
    if (!polluter && random() < 0.15) {
      t = workingDayAt(t, 1, '10:00');
      polluter = suspect;
      push({ type: 'PolluterIdentified', data: { tenantId: polluter, identifiedBy: 'consultant:bench' } });
      notify();
    }
    const recent = reportedAt > end - 20 * 86_400_000;
    const fate = recent
      ? pick(random, [['open', 70], ['self', 30]] as ['open' | 'self', number][])
      : pick(random, [
          ['self', 56],
          ['corporation', 36],
          ['dismissed', 4],
          ['cancelled', 2],
          ['open', 2],
        ] as ['self' | 'corporation' | 'dismissed' | 'cancelled' | 'open', number][]);
    if (fate !== 'cancelled' && random() < 0.7) remind();
    if (fate === 'open') {
      // Still open: waiting for the cleanup, for an inspection, or for the contractor.
      const where = random();
      if (where < 0.3) {
        t = workingDayAt(t, 1, '17:00');
        push({ type: 'CleanupReported', data: { by: 'consultant', actor: 'consultant:bench', note: null, reportedAt: iso(t) } });
      } else if (where < 0.55) {
        t = endOfDay(notice.deadlineDate).getTime() + 9 * 3_600_000;
        const contractorId = `K-${String(1 + (c % shape.contractors)).padStart(2, '0')}`;
        const id = nextId();
        push({
          type: 'CleanupOrdered',
          data: {
            contractorId,
            workOrderNumber: `WO-${incidentId}`,
            orderedAt: iso(t),
            letters: [{ letterId: `${id}/${contractorId}`, recipient: { type: 'contractor', id: contractorId }, content: { kind: 'work_order', ...common, workOrderNumber: `WO-${incidentId}`, buildingId: buildingId(c, b) } }],
          },
        });
      }
      yield done();
      continue;
    }
    if (fate === 'cancelled') {
      t = workingDayAt(t, 1, '11:00');
      push({ type: 'IncidentCancelled', data: { reason: 'melding ingetrokken', cancelledBy: 'consultant:bench' } });
      close('cancelled');
      yield done();
      continue;
    }
    if (polluter && (fate === 'dismissed' || random() < 0.05)) {
      t = workingDayAt(t, 1, '11:00');
      push({ type: 'DisputeOpened', data: { by: 'tenant', actor: `tenant:${polluter}`, reason: 'ik was het niet' } });
      t = workingDayAt(t, 2, '14:00');
      push({ type: 'DisputeResolved', data: { decision: fate === 'dismissed' ? 'upheld' : 'rejected', resolvedBy: 'consultant:bench', note: null } });
    }
    if (fate === 'dismissed') {
      close(polluter ? 'dismissed' : 'cancelled');
      yield done();
      continue;
    }

    let outcome: Outcome = 'self_cleaned';
    let invoice: { number: string; totalCents: number; issueDate: string; dueDate: string } | null = null;
    if (fate === 'self') {
      t = Math.max(t + minute, workingDayAt(reportedAt, Math.floor(random() * (noticeDays[category] + 1)), '17:30'));
      push({ type: 'CleanupReported', data: { by: polluter ? 'tenant' : 'consultant', actor: polluter ? `tenant:${polluter}` : 'consultant:bench', note: null, reportedAt: iso(t) } });
      if (random() < 0.1) {
        t = workingDayAt(t, 1, '10:00');
        push({ type: 'InspectionRecorded', data: { result: 'not_clean', inspector: 'consultant:bench', note: 'nog vuil', inspectedAt: iso(t), acceptedFromReport: false } });
        t = workingDayAt(t, 1, '16:00');
        push({ type: 'CleanupReported', data: { by: 'consultant', actor: 'consultant:bench', note: null, reportedAt: iso(t) } });
      }
      t = workingDayAt(t, 1 + Math.floor(random() * 2), '10:00');
      push({ type: 'InspectionRecorded', data: { result: 'clean', inspector: 'consultant:bench', note: null, inspectedAt: iso(t), acceptedFromReport: false } });
    } else {
      t = Math.max(t + minute, endOfDay(notice.deadlineDate).getTime() + 9 * 3_600_000);
      const contractorId = `K-${String(1 + (c % shape.contractors)).padStart(2, '0')}`;
      const id = nextId();
      push({
        type: 'CleanupOrdered',
        data: {
          contractorId,
          workOrderNumber: `WO-${incidentId}`,
          orderedAt: iso(t),
          letters: [{ letterId: `${id}/${contractorId}`, recipient: { type: 'contractor', id: contractorId }, content: { kind: 'work_order', ...common, workOrderNumber: `WO-${incidentId}`, buildingId: buildingId(c, b) } }],
        },
      });
      t = workingDayAt(t, 1 + Math.floor(random() * 4), '15:00');
      const cost = 5_000 + Math.floor(random() * 40) * 500;
      push({ type: 'CleanupCompleted', data: { contractorId, reportedCostCents: cost, costCents: cost, tariffApplied: false, completedAt: iso(t) } });
      t += minute;
      if (polluter) {
        outcome = 'cleaned_and_charged';
        const issueDate = amsterdamDate(new Date(t));
        const year = issueDate.slice(0, 4);
        const n = (invoiceCounters.get(year) ?? 0) + 1;
        invoiceCounters.set(year, n);
        const number = `${year}-${String(n).padStart(6, '0')}`;
        const lines = [{ description: `Schoonmaak: ${categoryLabels[category]}`, amountCents: cost, vatCode: 'BTW-GEEN' }];
        const dueDate = addCalendarDays(issueDate, 14);
        invoice = { number, totalCents: cost, issueDate, dueDate };
        push(
          {
            type: 'InvoiceIssued',
            data: {
              invoiceNumber: number,
              incidentId,
              debtorTenantId: polluter,
              issueDate,
              dueDate,
              lines,
              totalCents: cost,
              letters: [letter(`${streamId}/invoice/invoice`, polluter, { kind: 'invoice', ...common, invoiceNumber: number, issueDate, dueDate, lines, totalCents: cost })],
            },
          },
          invoiceStreamId(number),
        );
      } else if (category === 'bulk_waste' && random() < 0.6) {
        outcome = 'cleaned_at_service_cost';
        const shares = splitToTheCent(cost, households.length);
        const allocations = households.map((tenantId, k) => ({ tenantId, amountCents: shares[k] ?? 0 }));
        const id = nextId();
        push({
          type: 'ServiceCostsAllocated',
          data: {
            totalCents: cost,
            vatCode: 'BTW-GEEN',
            allocations,
            letters: allocations.map((a) => letter(id, a.tenantId, { kind: 'service_cost_notice', ...common, totalCents: cost, shareCents: a.amountCents, households: households.length })),
          },
        });
      } else {
        outcome = 'cleaned_at_corporation_cost';
        push({ type: 'CostBorneByCorporation', data: { costCents: cost } });
      }
    }
    // Consequences: a warning to a known polluter, sharper for a repeat offence.
    t += minute;
    if (polluter) {
      const history = (offences.get(polluter) ?? []).filter((when) => when > t - 365 * 86_400_000);
      const { offenceNumber, severity, flagForTenancyEscalation } = warningFor(history.length, defaultPolicy.tenancyEscalationFromOffence);
      offences.set(polluter, [...history, t]);
      push({
        type: 'WarningIssued',
        data: {
          tenantId: polluter,
          offenceNumber,
          severity,
          issuedAt: iso(t),
          letters: [
            letter(nextId(), polluter, { kind: 'warning', ...common, offenceNumber, severity, cleanedBy: outcome === 'self_cleaned' ? 'tenant' : 'corporation', invoiceNumber: invoice?.number ?? null, totalCents: invoice?.totalCents ?? null }),
          ],
        },
      });
      if (flagForTenancyEscalation) push({ type: 'TenancyEscalationFlagged', data: { tenantId: polluter, offenceNumber } });
    }
    const neighbours = households.filter((h) => h !== polluter);
    const neighboursId = nextId();
    push({
      type: 'NeighboursInformed',
      data: { households: neighbours.length, letters: neighbours.map((h) => letter(neighboursId, h, { kind: 'neighbours_notice', ...common, outcome: outcome as 'self_cleaned', polluterKnown: polluter !== null })) },
    });
    close(outcome);

    if (invoice && polluter) {
      const v = invoice;
      const debtor = polluter;
      const stream = invoiceStreamId(v.number);
      const inv = { invoiceNumber: v.number, incidentId };
      const course = pick(random, [
        ['paid', 60],
        ['late', 15],
        ['collections', 12],
        ['credited', 5],
        ['open', 8],
      ] as ['paid' | 'late' | 'collections' | 'credited' | 'open', number][]);
      const reminder = () => {
        const newDueDate = addCalendarDays(v.dueDate, 14);
        const letterDate = addCalendarDays(v.dueDate, 1);
        push(
          {
            type: 'PaymentReminderSent',
            data: {
              ...inv,
              newDueDate,
              openCents: v.totalCents,
              letters: [letter(nextId(stream), debtor, { kind: 'payment_reminder', ...common, invoiceNumber: v.number, letterDate, issueDate: v.issueDate, dueDate: v.dueDate, openCents: v.totalCents, newDueDate })],
            },
          },
          stream,
          on(letterDate, '07:00'),
        );
      };
      const pay = (k: number, amountCents: number, paidOn: string) =>
        push(
          { type: 'PaymentRegistered', data: { ...inv, paymentId: `${v.number}-p${k}`, amountCents, paidOn, source: 'camt053', reference: v.number, registeredBy: 'finance:bench' } },
          stream,
          on(paidOn, '11:00'),
        );
      const paid = (paidOn: string) => push({ type: 'InvoicePaid', data: { ...inv, paidOn, overpaidCents: 0 } }, stream, on(paidOn, '11:00'));
      if (course === 'paid') {
        const paidOn = addCalendarDays(v.issueDate, 3 + Math.floor(random() * 10));
        pay(1, v.totalCents, paidOn);
        paid(paidOn);
      } else if (course === 'late') {
        const part = Math.floor(v.totalCents / 2);
        reminder();
        pay(1, part, addCalendarDays(v.dueDate, 5));
        pay(2, v.totalCents - part, addCalendarDays(v.dueDate, 20));
        paid(addCalendarDays(v.dueDate, 20));
      } else if (course === 'collections') {
        reminder();
        const letterDate = addCalendarDays(v.dueDate, 15);
        const receivedDate = addCalendarDays(letterDate, 2);
        const finalDate = addCalendarDays(receivedDate, 15);
        push(
          {
            type: 'FinalNoticeSent',
            data: {
              ...inv,
              letterDate,
              receivedDate,
              finalDate,
              openCents: v.totalCents,
              collectionCostsCents: 4_000,
              interestCents: null,
              letters: [letter(nextId(stream), debtor, { kind: 'final_notice', ...common, invoiceNumber: v.number, letterDate, openCents: v.totalCents, finalDate, collectionCostsCents: 4_000, interestCents: null })],
            },
          },
          stream,
          on(letterDate, '07:00'),
        );
        const after = addCalendarDays(finalDate, 1);
        push({ type: 'CollectionCostsAdded', data: { ...inv, amountCents: 4_000, interestCents: 0, addedOn: after } }, stream, on(after, '07:00'));
        push({ type: 'InvoiceHandedToCollections', data: { ...inv, openCents: v.totalCents + 4_000, handedOverOn: after } }, stream, on(after, '07:00'));
      } else if (course === 'credited') {
        const pausedOn = addCalendarDays(v.issueDate, 2);
        push({ type: 'DunningPaused', data: { ...inv, reason: 'bezwaar', by: `tenant:${debtor}`, pausedOn } }, stream, on(pausedOn, '12:00'));
        const creditedOn = addCalendarDays(v.issueDate, 9);
        push(
          {
            type: 'InvoiceCredited',
            data: { ...inv, creditNoteNumber: `C${v.number}`, issueDate: creditedOn, amountCents: v.totalCents, refundDueCents: 0, reason: 'bezwaar gegrond', creditedBy: 'consultant:bench', letters: [] },
          },
          stream,
          on(creditedOn, '12:00'),
        );
      } else {
        reminder();
      }
    }
    yield done();
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding: through the event store, many appends per transaction, one connection per partition.
// ---------------------------------------------------------------------------------------------

export interface SeedResult {
  incidents: number;
  events: number;
  appends: number;
  seconds: number;
}

/** A binary min-heap of appends by time (and by the order they were generated, for equal times). */
class AppendQueue {
  private items: { at: number; seq: number; append: Append; partition: number }[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  peek(): number {
    return this.items[0]?.at ?? Infinity;
  }
  push(append: Append, partition: number): void {
    const item = { at: append.at, seq: this.seq++, append, partition };
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): { append: Append; partition: number } {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l]!, items[m]!)) m = l;
        if (r < items.length && this.less(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
  private less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

/**
 * Append the generated incidents' events with `appendToStreamsWithin`, a transaction at a time (validation, expected-version check,
 * inline projections, the report cells' triggers at commit), in the order of their times, so that
 * the event log interleaves incidents as a live system's does; `batch` appends per transaction.
 * Partitioned by month of report, one connection each: every read-model row but the quarters'
 * report cells belongs to one month of report, so two partitions never write the same row before
 * their commits, which take turns.
 */
/** The advisory lock the partitions' commits take turns on (any number no one else uses). */
const reportCellsTurn = 730_001;

export async function seed(
  db: Db,
  count: number,
  options: { partitions?: number; batch?: number; progress?: (events: number) => void } = {},
): Promise<SeedResult> {
  const partitions = options.partitions ?? 2;
  const batch = options.batch ?? 1000;
  const started = performance.now();
  const { tenants, contractors } = directory();
  await upsertTenants(db, tenants);
  await upsertContractors(db, contractors);

  const queue = new AppendQueue();
  const waiting: Append[][] = Array.from({ length: partitions }, () => []);
  const chains: Promise<void>[] = Array.from({ length: partitions }, () => Promise.resolve());
  const versions = new Map<string, { version: number; left: number }>();
  let events = 0;
  let appends = 0;
  let inFlight = 0;

  async function write(work: Append[]): Promise<void> {
    await inBatchedTransaction(db, projectionBatchTables, async (trx) => {
      const appends: StreamAppend[] = work.map((append) => {
        const stream = versions.get(append.streamId)!;
        const events: NewEvent[] = append.events.map((event, k) => ({ eventId: `${append.streamId}/${stream.version + k + 1}`, event }));
        const expectedVersion = stream.version === 0 ? 'no_stream' : stream.version;
        stream.version += append.events.length;
        if (--stream.left === 0) versions.delete(append.streamId);
        return { streamId: append.streamId, expectedVersion, events, metadata: { actor: 'bench', workflowId: append.streamId } };
      });
      await appendToStreamsWithin(trx, appends);
      // A quarter's report cells are shared by its three months, which are three partitions: the
      // cells' triggers run at the commit, and two commits updating the same cells in different
      // orders would deadlock. The partitions take turns from here to the commit.
      await sql`select pg_advisory_xact_lock(${reportCellsTurn})`.execute(trx);
    });
    for (const append of work) events += append.events.length;
    appends += work.length;
    inFlight -= work.length;
    options.progress?.(events);
  }
  async function send(partition: number, force = false): Promise<void> {
    const ready = waiting[partition]!;
    if (ready.length === 0 || (!force && ready.length < batch)) return;
    waiting[partition] = [];
    inFlight += ready.length;
    chains[partition] = chains[partition]!.then(() => write(ready));
    // The generator waits when it runs too far ahead of the writers.
    if (inFlight > batch * partitions * 3) await chains[partition];
  }
  const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7));
  for (const incident of generateIncidents(count)) {
    const partition = monthIndex(incident.month) % partitions;
    for (const append of incident.appends) {
      queue.push(append, partition);
      const stream = versions.get(append.streamId) ?? { version: 0, left: 0 };
      stream.left++;
      versions.set(append.streamId, stream);
    }
    // Everything due before this report has been generated: append it.
    while (queue.peek() <= incident.reportedAt) {
      const { append, partition: p } = queue.pop();
      waiting[p]!.push(append);
      await send(p);
    }
  }
  while (queue.size > 0) {
    const { append, partition: p } = queue.pop();
    waiting[p]!.push(append);
    await send(p);
  }
  for (let p = 0; p < partitions; p++) await send(p, true);
  await Promise.all(chains);
  return { incidents: count, events, appends, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The nearest-rank percentile of samples (ms). */
function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
const latency = (samples: number[]) => `p50 ${ms(percentile(samples, 50))} / p95 ${ms(percentile(samples, 95))} ms`;

async function timed(runs: number, warmup: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Run `count` calls, `concurrency` at a time: per-call latencies and the calls per second over the whole. */
async function concurrently(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<{ samples: number[]; perSecond: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        samples.push(performance.now() - t);
      }
    }),
  );
  return { samples, perSecond: count / ((performance.now() - started) / 1000) };
}

const keys = { consultant: 'bench-consultant-key', admin: 'bench-admin-key', contractor: 'bench-contractor-key', finance: 'bench-finance-key' };
function apiConfig(taskQueue: string, address: string) {
  return {
    apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
    linkSecret: 'bench-link-secret-0123456789',
    policy: resolvePolicy(),
    publicUrl: 'http://polluter-pays.bench',
    corporationName: 'Woonstichting Bench',
    corporationIban: 'NL00BENC0123456789',
    corporationAddress: 'Benchstraat 1, 1234 AB Utrecht',
    temporal: { address, namespace: 'default', taskQueue, tls: undefined, apiKey: undefined },
  };
}
const consultant = { authorization: `Bearer ${keys.consultant}` };

/** The report requests, over the last year of the span unless said otherwise. */
const reportRequests: [string, string][] = [
  ['summary, a year, total', '/reports/summary?from=2025-11-01&to=2026-10-31'],
  ['summary, a year, by category', '/reports/summary?from=2025-11-01&to=2026-10-31&groupBy=category'],
  ['summary, a year, by month', '/reports/summary?from=2025-11-01&to=2026-10-31&groupBy=month'],
  ['summary, a year, by complex (1,000)', '/reports/summary?from=2025-11-01&to=2026-10-31&groupBy=complex'],
  ['summary, 15 Nov-20 Oct, by complex', '/reports/summary?from=2025-11-15&to=2026-10-20&groupBy=complex'],
  ['summary, a year, by category, CSV', '/reports/summary?from=2025-11-01&to=2026-10-31&groupBy=category&format=csv'],
  ['summary, three years, by month', `/reports/summary?from=${span.from}&to=${span.to}&groupBy=month`],
  ['case review, a month, 50 with timelines', '/reports/case-review?from=2026-10-01&to=2026-10-31&limit=50'],
  ['hot spots, 3 months vs 3 before', '/reports/hotspots?from=2026-08&to=2026-10'],
  ['hot spots, 12 months vs 12 before', '/reports/hotspots?from=2025-11&to=2026-10'],
  ['overdue lists', '/reports/overdue?asOf=2026-10-31'],
];

type Row = { label: string; values: Map<string, string> };

/** The server a run creates its databases on. */
const serverUrl = () => new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? defaultDatabaseUrl('postgres'));

/** The incidents in a database a run kept. */
async function incidentsIn(database: string): Promise<number> {
  const url = serverUrl();
  url.pathname = `/${database}`;
  const db = createDb(url.toString(), 1);
  try {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from events where type = 'IncidentReported'`.execute(db);
    return rows[0]!.n;
  } finally {
    await db.destroy();
  }
}

async function benchSize(size: number, table: Map<string, Row>, options: { runs: number; keep: boolean; partitions: number; reuse?: string }): Promise<void> {
  const column = `${thousands(size)} incidents`;
  const put = (label: string, value: string) => {
    const row = table.get(label) ?? { label, values: new Map() };
    row.values.set(column, value);
    table.set(label, row);
  };
  const url = serverUrl();
  url.pathname = `/${options.reuse ?? `pp_bench_${size}_${randomUUID().slice(0, 8)}`}`;
  const databaseUrl = url.toString();
  if (!options.reuse) await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, 8);
  async function seedSize(): Promise<void> {
    log(`[${column}] seeding through the event store into ${url.pathname.slice(1)}`);
    let lastLog = performance.now();
    const seeded = await seed(db, size, {
      partitions: options.partitions,
      progress: (events) => {
        if (performance.now() - lastLog > 15_000) {
          lastLog = performance.now();
          log(`[${column}]   ${thousands(events)} events appended`);
        }
      },
    });
    put('seed: events appended through the event store', `${thousands(seeded.events)} events, ${thousands(seeded.events / seeded.seconds)}/s`);
    log(`[${column}] seeded ${thousands(seeded.events)} events (${thousands(seeded.appends)} appends) in ${seeded.seconds.toFixed(1)} s`);
  }
  try {
    await migrateToLatest(db);
    if (options.reuse) log(`[${column}] measuring ${options.reuse} as it is (migrated to the latest schema)`);
    else await seedSize();
    log(`[${column}] vacuum analyze`);
    await sql`vacuum analyze`.execute(db);
    const app = await buildApp({ db, temporal: {} as Client, config: apiConfig('unused', 'unused:7233') });
    for (const [label, path] of reportRequests) {
      const samples = await timed(options.runs, 3, async () => {
        const response = await app.inject({ method: 'GET', url: path, headers: consultant });
        if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      });
      put(`report: ${label}`, latency(samples));
      log(`[${column}] ${label}: ${latency(samples)}`);
    }
    await benchPages(db, app, put, options.runs, column);
    await app.close();

    log(`[${column}] rebuilding the projections`);
    const live = await fingerprint(db);
    const stats = { statements: 0, sent: 0, roundTrips: 0, batchMs: 0 };
    const rebuilt = await rebuildProjections(db, stats);
    const same = JSON.stringify(await fingerprint(db)) === JSON.stringify(live);
    put('projection rebuild', `${thousands(rebuilt.events / rebuilt.seconds)} events/s (${rebuilt.seconds.toFixed(1)} s), ${same ? 'rows equal to those before' : 'ROWS DIFFER FROM THOSE BEFORE'}`);
    log(`[${column}] rebuilt ${thousands(rebuilt.events)} events in ${rebuilt.seconds.toFixed(1)} s: ${thousands(stats.statements)} statements sent as ${thousands(stats.sent)} in ${thousands(stats.roundTrips)} round trips; ${Object.entries(rebuilt.phases).map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`).join(', ')}`);

    await benchAppends(db, put, options.runs * 4);
  } finally {
    await db.destroy();
    if (!options.keep && !options.reuse) await dropDatabase(databaseUrl);
    else log(`[${column}] kept ${url.pathname.slice(1)}`);
  }
}

/**
 * The workspace's pages as a signed-in person asks for them (issue 13: every page's data in p95 <=
 * 150 ms at 100k incidents): the whole page, rendered from the API's answers, through app.inject
 * with a real session. The detail pages take an incident, an invoice and a debtor from the data.
 */
async function benchPages(db: Db, app: Awaited<ReturnType<typeof buildApp>>, put: (label: string, value: string) => void, runs: number, column: string): Promise<void> {
  const roles: Role[] = ['consultant', 'finance', 'manager', 'admin'];
  const staff = await startSession(db, { subject: 'bench-staff', name: 'Bench Medewerker', email: 'bench@corporatie.test', roles }, null);
  const contractor = await startSession(db, { subject: 'bench-contractor', name: 'Schoonmaak 1', email: 'k1@schoon.test', roles: ['contractor'] }, null);
  const openIncident = await db.selectFrom('incidents').select(['incident_id', 'building_id']).where('status', '=', 'open').orderBy('reported_at', 'desc').limit(1).executeTakeFirst();
  const invoice = await db.selectFrom('invoices').select(['invoice_number', 'debtor_tenant_id']).orderBy('issue_date', 'desc').limit(1).executeTakeFirst();
  const pages: [string, string, { id: string }][] = [
    ['work queue', '/app/werk', staff],
    ['incidents, newest first', '/app/meldingen', staff],
    ['incidents, open, one category', '/app/meldingen?status=open&category=bulk_waste', staff],
    ['incidents, search by building', `/app/meldingen?q=${encodeURIComponent(openIncident?.building_id ?? 'CX-0001-A')}`, staff],
    ['incident page with timeline', `/app/meldingen/${openIncident?.incident_id ?? 'none'}`, staff],
    ['report form', '/app/meldingen/nieuw', staff],
    ['invoices', '/app/facturen', staff],
    ['invoice page', `/app/facturen/${invoice?.invoice_number ?? 'none'}`, staff],
    ["debtor's account", `/app/debiteuren/${invoice?.debtor_tenant_id ?? 'none'}`, staff],
    ['payments and unmatched lines', '/app/betalingen', staff],
    ['export batches', '/app/exports', staff],
    ['case review, a month', '/app/casusoverleg?maand=2026-10', staff],
    ['reports with lasting solutions', '/app/rapportages', staff],
    ['directory', '/app/adresboek', staff],
    ['policy', '/app/beleid', staff],
    ["contractor's work orders", '/app/werkorders', contractor],
  ];
  for (const [label, path, session] of pages) {
    const samples = await timed(runs, 3, async () => {
      const response = await app.inject({ method: 'GET', url: path, headers: { cookie: `${SESSION_COOKIE}=${session.id}`, accept: 'text/html' } });
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    });
    put(`page: ${label}`, latency(samples));
    log(`[${column}] page ${label}: ${latency(samples)}`);
  }
  put('page: first load, script gzipped', `${(workspaceScriptBytes().gzipped / 1024).toFixed(1)} kB (of ${(workspaceScriptBytes().plain / 1024).toFixed(1)} kB)`);
}

/** Per read model, its row count and an order-independent hash of its rows: equal when the rows are. */
async function fingerprint(db: Db): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of projectionTables) {
    const { rows } = await sql<{ n: number; h: string }>`select count(*)::int as n, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text as h from ${sql.table(table)} t`.execute(db);
    result[table] = `${rows[0]!.n}:${rows[0]!.h}`;
  }
  return result;
}

/** Appends through the event store (a new incident: projection and report cells) beside a bare INSERT of the same data. */
async function benchAppends(db: Db, put: (label: string, value: string) => void, runs: number): Promise<void> {
  const reported = (incidentId: string): DomainEvent => ({
    type: 'IncidentReported',
    data: {
      incidentId,
      category: 'fouled_stairwell',
      complexId: complexId(7),
      buildingId: buildingId(7, 1),
      location: 'trappenhuis',
      description: 'append benchmark',
      polluterTenantId: null,
      complainantTenantId: null,
      reportedBy: 'consultant:bench',
      reportedAt: new Date().toISOString(),
    },
  });
  const duplicate = (k: number): DomainEvent => ({
    type: 'DuplicateReportLinked',
    data: { reportId: `dup-${k}`, reportedBy: 'consultant:bench', description: 'nog een melding', reportedAt: new Date().toISOString() },
  });
  const run = randomUUID().slice(0, 8);
  const single = await timed(runs, 5, async (i) => {
    const id = `append-${run}-${i}`;
    await appendToStream(db, incidentStreamId(id), 'no_stream', [{ eventId: eventIdAt(incidentStreamId(id), 1), event: reported(id) }], { actor: 'bench' });
  });
  const batchRuns = Math.max(10, Math.round(runs / 10));
  const batch = await timed(batchRuns, 2, async (i) => {
    const id = `append100-${run}-${i}`;
    const events = [reported(id), ...Array.from({ length: 99 }, (_, k) => duplicate(k))].map((event, k) => ({ eventId: eventIdAt(incidentStreamId(id), k + 1), event }));
    await appendToStream(db, incidentStreamId(id), 'no_stream', events, { actor: 'bench' });
  });
  await sql`create table if not exists bench_bare_insert (id bigserial primary key, stream_id text not null, data jsonb not null, recorded_at timestamptz not null default now())`.execute(db);
  const payload = JSON.stringify(reported('bare').data);
  const bare = await timed(runs, 5, async (i) => {
    await sql`insert into bench_bare_insert (stream_id, data) values (${`bare-${run}-${i}`}, ${payload}::jsonb)`.execute(db);
  });
  const bareBatch = await timed(batchRuns, 2, async (i) => {
    await sql`insert into bench_bare_insert (stream_id, data) select ${`bare100-${run}-${i}`}, ${payload}::jsonb from generate_series(1, 100)`.execute(db);
  });
  const perSecond = (samples: number[], events: number) => `${thousands((events * samples.length) / (samples.reduce((a, b) => a + b, 0) / 1000))} events/s`;
  put('append 1 event (appendToStream, new incident)', `${latency(single)}; ${perSecond(single, 1)}`);
  put('bare INSERT, 1 row, same data', `${latency(bare)}; ${perSecond(bare, 1)}`);
  put('append 100 events (one appendToStream)', `${latency(batch)}; ${perSecond(batch, 100)}`);
  put('bare INSERT, 100 rows in one statement', `${latency(bareBatch)}; ${perSecond(bareBatch, 100)}`);
  await sql`drop table bench_bare_insert`.execute(db);
}


/**
 * Starts and Updates through the API beside the raw Temporal client, on one dev server and one
 * worker, in this run. The incident workflow takes Updates, not signals: an inspection
 * (`POST /incidents/:id/inspections`, `not_clean`) beside the same Update sent with
 * `handle.executeUpdate`.
 */
async function benchTemporal(table: Map<string, Row>, column: string, options: { starts: number; concurrency: number; updates: number }): Promise<void> {
  const put = (label: string, value: string) => table.set(label, { label, values: new Map([[column, value]]) });
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const cli = await temporalCliPath();
  log(`[temporal] dev server on 127.0.0.1:${port}`);
  const server: ChildProcess = spawn(
    cli,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--metrics-port', String(metricsPort), '--headless', '--log-level', 'error', ...searchAttributesForCli().flatMap((pair) => ['--search-attribute', pair])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? defaultDatabaseUrl('postgres'));
  url.pathname = `/pp_bench_temporal_${randomUUID().slice(0, 8)}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, 20);
  const address = `127.0.0.1:${port}`;
  let connection: Connection | null = null;
  let native: NativeConnection | null = null;
  let worker: Worker | null = null;
  let running: Promise<void> | null = null;
  try {
    await migrateToLatest(db);
    const { tenants, contractors } = directory();
    await upsertTenants(db, tenants);
    await upsertContractors(db, contractors);
    for (const deadline = Date.now() + 30_000; ; ) {
      try {
        connection = await Connection.connect({ address });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(250);
      }
    }
    // Encrypted as in production: the figures include the codec's cost.
    const dataConverter = temporalDataConverter(developmentPayloadEncryption);
    const client = new Client({ connection, namespace: 'default', dataConverter });
    const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
    native = await NativeConnection.connect({ address });
    log('[temporal] bundling the workflows and starting a worker');
    worker = await Worker.create({
      connection: native,
      namespace: 'default',
      taskQueue,
      workflowsPath: require.resolve('../workflows'),
      dataConverter,
      activities: createActivities({
        db,
        mailer: { send: async () => {}, close: () => {} },
        policy: resolvePolicy(),
        publicUrl: 'http://polluter-pays.bench',
        linkSecret: 'bench-link-secret-0123456789',
        corporationName: 'Woonstichting Bench',
        corporationIban: 'NL91ABNA0417164300',
        corporationAddress: 'Benchstraat 1, 1234 AB Utrecht',
      }),
    });
    running = worker.run();
    const app = await buildApp({ db, temporal: client, config: apiConfig(taskQueue, address) });

    // Each start on a building of its own: a second report on a building would be linked to the first.
    const body = (n: number) => ({
      category: 'fouled_stairwell',
      complexId: complexId(Math.floor(n / shape.buildingsPerComplex) % shape.complexes),
      buildingId: buildingId(Math.floor(n / shape.buildingsPerComplex) % shape.complexes, n % shape.buildingsPerComplex),
      location: 'trappenhuis',
      description: 'benchmark',
      polluterTenantId: householdId(Math.floor(n / shape.buildingsPerComplex) % shape.complexes, n % shape.buildingsPerComplex, 0),
    });
    const apiIds: string[] = [];
    log(`[temporal] ${options.starts} starts through the API, ${options.concurrency} at a time`);
    const api = await concurrently(options.starts, options.concurrency, async (i) => {
      const response = await app.inject({ method: 'POST', url: '/incidents', headers: consultant, payload: body(i) });
      if (response.statusCode !== 201) throw new Error(`POST /incidents: ${response.statusCode} ${response.body}`);
      apiIds.push(response.json().incidentId);
    });
    await settle(db, apiIds.length);
    log(`[temporal] ${options.starts} raw starts, ${options.concurrency} at a time`);
    const raw = await concurrently(options.starts, options.concurrency, async (i) => {
      const n = options.starts + i;
      const incidentId = randomUUID();
      const input: IncidentInput = { ...body(n), category: 'fouled_stairwell', incidentId, complainantTenantId: null, reportedBy: 'consultant:bench', reportedAt: new Date().toISOString() };
      await client.workflow.start('incidentWorkflow', { taskQueue, workflowId: incidentWorkflowId(incidentId), args: [input] });
    });
    await settle(db, options.starts * 2);
    put(`start incident: POST /incidents (API), ${options.concurrency} at a time`, `${thousands(api.perSecond)} starts/s; ${latency(api.samples)}`);
    put(`start incident: raw client.workflow.start, ${options.concurrency} at a time`, `${thousands(raw.perSecond)} starts/s; ${latency(raw.samples)}`);

    // Updates (the workflow has no signals): an inspection, one at a time, on incidents awaiting their cleanup.
    const targets = apiIds.slice(0, 20);
    const viaApi = await timed(options.updates, 5, async (i) => {
      const id = targets[Math.abs(i) % targets.length]!;
      const response = await app.inject({ method: 'POST', url: `/incidents/${id}/inspections`, headers: consultant, payload: { result: 'not_clean', note: null } });
      if (response.statusCode !== 200) throw new Error(`POST /incidents/${id}/inspections: ${response.statusCode} ${response.body}`);
    });
    const viaClient = await timed(options.updates, 5, async (i) => {
      const id = targets[Math.abs(i) % targets.length]!;
      await client.workflow.getHandle(incidentWorkflowId(id)).executeUpdate(recordInspectionUpdate, { args: [{ result: 'not_clean', inspector: 'consultant:bench', note: null }] });
    });
    put('update (no signals): POST /incidents/:id/inspections (API)', latency(viaApi));
    put('update (no signals): raw handle.executeUpdate', latency(viaClient));
    await app.close();
  } finally {
    worker?.shutdown();
    await running?.catch(() => {});
    await native?.close();
    await connection?.close();
    await db.destroy();
    await dropDatabase(databaseUrl);
    server.kill('SIGTERM');
  }
}

/** Wait until the started workflows have notified their polluters (the worker is idle again). */
async function settle(db: Db, incidents: number): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const row = await db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where('phase', '=', 'awaiting_cleanup').executeTakeFirstOrThrow();
    if (Number(row.n) >= incidents) return;
    await sleep(250);
  }
  log('[temporal] the worker did not catch up within two minutes');
}

function printTable(table: Map<string, Row>, columns: string[], header: string[]): void {
  const rows = [...table.values()];
  const widths = [Math.max(11, ...rows.map((r) => r.label.length)), ...columns.map((c) => Math.max(c.length, ...rows.map((r) => (r.values.get(c) ?? '').length)))];
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [...header, '', line(['measurement', ...columns]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const row of rows) out.push(line([row.label, ...columns.map((c) => row.values.get(c) ?? '')]));
  process.stdout.write(`${out.join('\n')}\n`);
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0) return process.argv[at + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  // --lifecycle: the workers' capacity instead (scripts/bench-lifecycle.ts), with options of its own.
  if (process.argv.includes('--lifecycle')) return benchLifecycle(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // --reuse <database>: measure again a database a run kept (--keep), without seeding it anew.
  const reuse = argument('reuse');
  const sizes = reuse ? [await incidentsIn(reuse)] : (argument('sizes') ?? '10000,100000').split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error('--sizes: whole numbers of incidents, at least 100, separated by commas (e.g. --sizes 10000,100000)');
  // A hundred runs: the p95 of thirty is their second slowest, one stray pause on a busy machine.
  const runs = Number(argument('runs') ?? 100);
  if (!Number.isInteger(runs) || runs < 20) throw new Error('--runs: a whole number of timed runs per measurement, at least 20');
  const partitions = Number(argument('partitions') ?? 3);
  const keep = process.argv.includes('--keep');
  const withTemporal = !process.argv.includes('--no-temporal');
  const started = new Date();
  const table = new Map<string, Row>();
  const columns = sizes.map((n) => `${thousands(n)} incidents`);
  for (const size of sizes) await benchSize(size, table, { runs, keep, partitions, reuse });
  if (withTemporal) await benchTemporal(table, columns[0]!, { starts: 200, concurrency: 16, updates: runs * 2 });
  const { rows } = await sql<{ version: string }>`select current_setting('server_version') as version`.execute(createDbOnce());
  printTable(table, columns, [
    `polluter-pays benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: node ${process.version}, PostgreSQL ${rows[0]?.version ?? '?'}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
    `reports through the API in-process (app.inject), ${runs} runs after 3 warm-ups; a year = 2025-11-01..2026-10-31 of ${span.from}..${span.to};`,
    `Temporal rows measured once, on a dev server of their own with one worker (default policy), on an empty database.`,
  ]);
  await closeDbOnce();
}

let serverInfoDb: Db | null = null;
function createDbOnce(): Db {
  serverInfoDb ??= createDb(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? defaultDatabaseUrl('postgres'), 1);
  return serverInfoDb;
}
async function closeDbOnce(): Promise<void> {
  await serverInfoDb?.destroy();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
