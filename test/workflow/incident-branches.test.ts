/**
 * Every branch of the incident workflow beyond the two main lines in incident-lifecycle.test.ts.
 *
 * Each scenario starts its own time-skipping server at a fixed instant (2031 and later, dates
 * chosen so that weekends and Dutch public holidays move the deadlines); all scenarios share one
 * database and one loopback SMTP server, so assertions select an incident's own mails (its
 * reference is in every letter) and polluters are spread over tenants and years so that no
 * scenario's offences fall within another's twelve-month window. The last test rebuilds the read
 * models from everything the file appended.
 *
 * With RECORD_HISTORIES=1 the main scenarios save their workflow histories for replay.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Client, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { readIncidentTimeline } from '../../db/event-store';
import { rebuildProjections } from '../../db/projections';
import type { DomainEvent, EventData, EventType } from '../../domain/events';
import { resolvePolicy } from '../../domain/policy';
import { incidentWorkflow } from '../../workflows';
import {
  cancelUpdate,
  completeCleanupUpdate,
  identifyPolluterUpdate,
  incidentStateQuery,
  linkDuplicateUpdate,
  openDisputeUpdate,
  recordInspectionUpdate,
  reportCleanupUpdate,
  resolveDisputeUpdate,
  type IncidentInput,
} from '../../workflows/messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { createWorker, recordHistory, testActivities } from '../support/harness';
import { startTestSmtpServer, type CaughtMail, type TestSmtpServer } from '../support/smtp';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment | undefined;
let database: TestDatabase;
let smtp: TestSmtpServer;
let worker: Worker;
const taskQueue = 'branches';

beforeAll(async () => {
  database = await createTestDatabase('branches');
  smtp = await startTestSmtpServer();
  await seedDirectory(database.db);
});

afterAll(async () => {
  await smtp?.close();
  await database?.drop();
});

afterEach(async () => {
  await env?.teardown();
  env = undefined;
});

/** Every append the workflows asked for, with the test server's clock when the activity was scheduled. */
const appends: { streamId: string; types: string[]; scheduledAt: number }[] = [];

type Wrap = (real: Activities) => Activities;

/** A time-skipping server of its own, its clock moved to `iso`; a worker with this policy (and, optionally, wrapped activities). */
async function startingAt(iso: string, policyOverrides: unknown = {}, wrap: Wrap = (a) => a): Promise<void> {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } },
  });
  const real = testActivities(database.db, smtp.url, resolvePolicy(policyOverrides));
  const logged: Activities = {
    ...real,
    async appendEvents(input) {
      appends.push({
        streamId: input.streamId,
        types: input.events.map((e) => e.event.type),
        scheduledAt: Context.current().info.currentAttemptScheduledTimestampMs,
      });
      return real.appendEvents(input);
    },
  };
  worker = await createWorker(env, taskQueue, wrap(logged));
  await advanceTo(iso);
}

function testEnv(): TestWorkflowEnvironment {
  if (!env) throw new Error('no test server: call startingAt first');
  return env;
}

/** Let the test server's clock run to `iso`, firing every timer on the way. */
async function advanceTo(iso: string): Promise<void> {
  const target = Date.parse(iso);
  const now = await testEnv().currentTimeMs();
  if (now > target) throw new Error(`the test server is already past ${iso} (${new Date(now).toISOString()})`);
  if (target > now) await testEnv().sleep(target - now);
}

type Handle = WorkflowHandle<typeof incidentWorkflow>;

/** A client of the test server that leaves its clock alone (env.client skips time while it waits for a result). */
function plainClient(): Client {
  return new Client({ connection: testEnv().connection, namespace: testEnv().namespace ?? 'default' });
}

/** Report an incident now (by the test server's clock) and start its workflow. */
async function report(label: string, overrides: Partial<IncidentInput> = {}): Promise<{ id: string; handle: Handle }> {
  const id = `${label}-${randomBytes(4).toString('hex')}`;
  const input: IncidentInput = {
    incidentId: id,
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'trappenhuis, 2e verdieping',
    description: 'afval in het trappenhuis',
    polluterTenantId: null,
    complainantTenantId: null,
    reportedBy: 'consultant-1',
    reportedAt: new Date(await testEnv().currentTimeMs()).toISOString(),
    ...overrides,
  };
  const handle = await testEnv().client.workflow.start(incidentWorkflow, { taskQueue, workflowId: `incident-${id}`, args: [input] });
  return { id, handle };
}

/**
 * The incident's timeline up to its close. An invoice lives on in a workflow of its own, and once
 * the incident's result is in, the test server may skip ahead to that workflow's reminders.
 */
async function events(incidentId: string): Promise<DomainEvent[]> {
  const all = (await readIncidentTimeline(database.db, incidentId)).map((stored) => stored.event);
  const closed = all.findIndex((event) => event.type === 'IncidentClosed');
  return closed === -1 ? all : all.slice(0, closed + 1);
}

const typesOf = (evs: DomainEvent[]) => evs.map((e) => e.type);

function dataOf<K extends EventType>(evs: DomainEvent[], type: K): EventData<K>[] {
  return evs.filter((e) => e.type === type).map((e) => e.data as EventData<K>);
}

function one<K extends EventType>(evs: DomainEvent[], type: K): EventData<K> {
  const found = dataOf(evs, type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The mails about one incident (every letter carries its reference), in the order they arrived. */
function mailsAbout(incidentId: string): CaughtMail[] {
  return smtp.mails.filter((m) => m.text.includes(incidentId));
}

/** "address | subject" for each mail about the incident. */
function sent(incidentId: string): string[] {
  return mailsAbout(incidentId).map((m) => `${m.envelopeTo.join(',')} | ${m.subject}`);
}

function mailTo(incidentId: string, address: string, subjectStart: string): CaughtMail {
  const found = mailsAbout(incidentId).filter((m) => m.envelopeTo.includes(address) && m.subject.startsWith(subjectStart));
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function deliveries(incidentId: string) {
  return database.db
    .selectFrom('letter_deliveries')
    .select(['letter_id', 'channel', 'address'])
    .where('letter_id', 'like', `incident-${incidentId}/%`)
    .orderBy('letter_id')
    .execute();
}

async function incidentRow(incidentId: string) {
  return database.db.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
}

/** An Update the workflow refused: its ApplicationFailure's type and message. */
async function refusal(update: Promise<unknown>): Promise<{ type: string | undefined | null; message: string }> {
  const error = await update.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: (cause as ApplicationFailure).type, message: (cause as ApplicationFailure).message };
}

/** The last number taken from a year's invoice series (0: none yet). */
async function lastInvoiceNumber(year: number): Promise<number> {
  const row = await database.db
    .selectFrom('invoice_number_series')
    .select('last_number')
    .where('series', '=', 'invoice')
    .where('year', '=', year)
    .executeTakeFirst();
  return row?.last_number ?? 0;
}

const invoiceNumber = (year: number, n: number) => `${year}-${String(n).padStart(6, '0')}`;

const neighboursA = (except: string) =>
  ['a2', 'a3', 'a4', 'a5', 'a6'].filter((a) => a !== except).map((a) => `${a}@bewoners.test`);

test('the reminder goes out at 09:00 Amsterdam time one working day before the deadline, the Christmas holidays skipped', async () => {
  // Friday 19 December 2031, 15:00 in Amsterdam. Five working days skip the weekend and 25 and 26
  // December: the deadline is Tuesday 30 December, the reminder Monday 29 December at 09:00 CET.
  await startingAt('2031-12-19T14:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('reminder', { category: 'bulk_waste', location: 'bergingsgang, kelder', polluterTenantId: 'A-2' });
    id = started.id;
    await testEnv().sleep('1 minute');
    expect(sent(id)).toEqual(['a2@bewoners.test | Ingebrekestelling: grofvuil in een gemeenschappelijke ruimte, uiterlijk dinsdag 30 december 2031']);
    const notice = mailsAbout(id)[0]!;
    expect(notice.text).toContain('Wij sommeren u uiterlijk op dinsdag 30 december 2031 het grofvuil te verwijderen.');
    // The signed link lives 30 days past the deadline.
    expect(notice.text).toContain('Deze link is persoonlijk en geldig tot en met 29 januari 2032.');

    await advanceTo('2031-12-29T07:59:00Z'); // Monday 29 December, 08:59 in Amsterdam
    expect(sent(id)).toHaveLength(1);
    await advanceTo('2031-12-29T08:00:30Z'); // 09:00:30
    expect(sent(id)).toEqual([
      'a2@bewoners.test | Ingebrekestelling: grofvuil in een gemeenschappelijke ruimte, uiterlijk dinsdag 30 december 2031',
      'a2@bewoners.test | Herinnering: grofvuil in een gemeenschappelijke ruimte, uiterlijk dinsdag 30 december 2031',
    ]);
    const reminderAppend = appends.find((a) => a.streamId === `incident-${id}` && a.types.includes('ReminderSent'));
    expect(reminderAppend).toBeDefined();
    expect(reminderAppend!.scheduledAt).toBeGreaterThanOrEqual(Date.parse('2031-12-29T08:00:00Z'));
    expect(reminderAppend!.scheduledAt).toBeLessThan(Date.parse('2031-12-29T08:00:30Z'));
    expect(mailsAbout(id)[1]!.text).toContain('Met deze brief herinneren wij u eraan dat u uiterlijk op dinsdag 30 december 2031 het grofvuil moet verwijderen.');

    await started.handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'A-2', note: null }] });
    await started.handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] });
    expect(await started.handle.result()).toBe('self_cleaned');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'ReminderSent',
    'CleanupReported',
    'InspectionRecorded',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'PolluterNotified')).toMatchObject({
    tenantId: 'A-2',
    deadlineDate: '2031-12-30',
    deadline: '2031-12-30T23:00:00.000Z',
    reminderAt: '2031-12-29T08:00:00.000Z',
  });
  expect(one(evs, 'ReminderSent').letters).toEqual([
    expect.objectContaining({
      recipient: { type: 'tenant', id: 'A-2' },
      content: expect.objectContaining({ kind: 'reminder', deadlineDate: '2031-12-30', collective: false }),
    }),
  ]);
  expect(one(evs, 'WarningIssued')).toMatchObject({ tenantId: 'A-2', offenceNumber: 1, severity: 'standard' });
  expect(one(evs, 'IncidentClosed').outcome).toBe('self_cleaned');
});

test('a complaint the corporation does not take up (living noise) returns advice to the complainant and mails nobody else', async () => {
  await startingAt('2032-01-15T09:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('noise', {
      category: 'living_noise',
      buildingId: 'C1-B',
      location: 'Kerkweg 2',
      description: 'harde muziek in de avond',
      polluterTenantId: 'B-2',
      complainantTenantId: 'B-1',
    });
    id = started.id;
    expect(await started.handle.result()).toBe('returned_to_complainant');
    await recordHistory('returned-to-complainant', started.handle);
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual(['IncidentReported', 'ReportReturnedToComplainant', 'IncidentClosed']);
  expect(one(evs, 'ReportReturnedToComplainant')).toEqual({
    reason: 'leefgeluid is not taken up by the corporation',
    letters: [
      {
        letterId: `incident-${id}/2/B-1`,
        recipient: { type: 'tenant', id: 'B-1' },
        content: { kind: 'complainant_advice', incidentId: id, category: 'living_noise', location: 'Kerkweg 2' },
      },
    ],
  });
  expect(one(evs, 'IncidentClosed')).toMatchObject({ outcome: 'returned_to_complainant', closedAt: expect.stringMatching(/^2032-01-15T09:00/) });
  expect(sent(id)).toEqual(['b1@bewoners.test | Uw melding over leefgeluid']);
  const advice = mailsAbout(id)[0]!;
  expect(advice.text).toContain('Bewoner B1\n');
  expect(advice.text).toContain('Geachte heer, mevrouw,');
  expect(advice.text).toContain('buurtbemiddeling');
  expect(await deliveries(id)).toEqual([{ letter_id: `incident-${id}/2/B-1`, channel: 'email', address: 'b1@bewoners.test' }]);
  expect(await incidentRow(id)).toMatchObject({ status: 'closed', outcome: 'returned_to_complainant' });
});

test('a handled complaint is acknowledged to the complainant before the polluter is notified', async () => {
  // Thursday 5 February 2032: two working days skip the weekend, deadline Monday 9 February.
  await startingAt('2032-02-05T09:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('acknowledged', { polluterTenantId: 'A-3', complainantTenantId: 'A-6' });
    id = started.id;
    await testEnv().sleep('1 minute');
    expect(sent(id)).toEqual([
      'a6@bewoners.test | Ontvangstbevestiging: uw melding over een vervuild trappenhuis',
      'a3@bewoners.test | Ingebrekestelling: vervuild trappenhuis, uiterlijk maandag 9 februari 2032',
    ]);
    await started.handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'A-3', note: null }] });
    await started.handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] });
    expect(await started.handle.result()).toBe('self_cleaned');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'ComplainantAcknowledged',
    'PolluterNotified',
    'CleanupReported',
    'InspectionRecorded',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'ComplainantAcknowledged').letters).toEqual([
    {
      letterId: `incident-${id}/2/A-6`,
      recipient: { type: 'tenant', id: 'A-6' },
      content: { kind: 'complainant_acknowledgement', incidentId: id, category: 'fouled_stairwell', location: 'trappenhuis, 2e verdieping' },
    },
  ]);
  expect(one(evs, 'PolluterNotified')).toMatchObject({ tenantId: 'A-3', deadlineDate: '2032-02-09' });
  const acknowledgement = mailTo(id, 'a6@bewoners.test', 'Ontvangstbevestiging');
  expect(acknowledgement.text).toContain(`vermeld daarbij ons kenmerk ${id}`);
  expect(acknowledgement.text).not.toContain('Bewoner A3');
  // The complainant is a neighbour too: besides the acknowledgement, only the anonymous notice.
  expect(mailsAbout(id).filter((m) => m.envelopeTo.includes('a6@bewoners.test')).map((m) => m.subject)).toEqual([
    'Ontvangstbevestiging: uw melding over een vervuild trappenhuis',
    'Afgehandeld: vervuild trappenhuis',
  ]);
});

test('an unknown polluter: every household is asked to clean (on paper where there is no e-mail); not cleaned, the corporation bears the cost', async () => {
  // Thursday 25 March 2032, 10:00 CET. Easter Monday (29 March) is skipped: deadline Tuesday 30
  // March, reminder Friday 26 March at 09:00 CET. Summer time starts in between (28 March).
  await startingAt('2032-03-25T09:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('collective', { location: 'trappenhuis, 1e verdieping' });
    id = started.id;
    await testEnv().sleep('1 minute');
    const notice = 'Verzoek aan alle bewoners: vervuild trappenhuis, uiterlijk dinsdag 30 maart 2032';
    expect(sent(id)).toEqual(neighboursA('').map((a) => `${a} | ${notice}`));
    expect(mailTo(id, 'a4@bewoners.test', 'Verzoek').text).toContain('Wij weten niet wie dit heeft veroorzaakt.');

    await advanceTo('2032-03-26T08:00:30Z');
    const reminder = 'Herinnering: vervuild trappenhuis, uiterlijk dinsdag 30 maart 2032';
    expect(sent(id).slice(5)).toEqual(neighboursA('').map((a) => `${a} | ${reminder}`));

    await advanceTo('2032-03-31T06:00:00Z'); // Wednesday 08:00 CEST, the deadline passed at midnight
    const state = await started.handle.query(incidentStateQuery);
    expect(state.status === 'open' && state.phase).toBe('cleanup_ordered');
    expect(sent(id).slice(10)).toEqual([`orders@schoon.test | Werkopdracht WO-${id}: vervuild trappenhuis`]);

    await started.handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 12345 }] });
    expect(await started.handle.result()).toBe('cleaned_at_corporation_cost');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'CollectiveNoticeSent',
    'ReminderSent',
    'CleanupOrdered',
    'CleanupCompleted',
    'CostBorneByCorporation',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'CollectiveNoticeSent')).toMatchObject({
    households: ['A-1', 'A-2', 'A-3', 'A-4', 'A-5', 'A-6'],
    deadlineDate: '2032-03-30',
    deadline: '2032-03-30T22:00:00.000Z',
    reminderAt: '2032-03-26T08:00:00.000Z',
  });
  expect(one(evs, 'ReminderSent').letters.map((l) => [l.recipient.id, l.content.kind === 'reminder' && l.content.collective])).toEqual(
    ['A-1', 'A-2', 'A-3', 'A-4', 'A-5', 'A-6'].map((t) => [t, true]),
  );
  expect(one(evs, 'CleanupOrdered')).toMatchObject({ contractorId: 'K-1', workOrderNumber: `WO-${id}`, orderedAt: expect.stringMatching(/^2032-03-30T22:00/) });
  expect(one(evs, 'CostBorneByCorporation')).toEqual({ costCents: 12345 });
  expect(one(evs, 'NeighboursInformed').households).toBe(6);
  expect(dataOf(evs, 'WarningIssued')).toEqual([]);

  const neighbours = mailsAbout(id).filter((m) => m.subject === 'Afgehandeld: vervuild trappenhuis');
  expect(neighbours.map((m) => m.envelopeTo[0])).toEqual(neighboursA(''));
  for (const mail of neighbours) {
    expect(mail.text).toContain('Wij hebben het werk laten uitvoeren.');
    expect(mail.text).not.toContain('veroorzaker is hierop aangesproken');
  }
  expect(mailsAbout(id).filter((m) => /factuur|servicekosten/i.test(m.subject))).toEqual([]);
  // A-1 has no e-mail address: the notice, the reminder and the neighbours' notice wait for print.
  const print = (await deliveries(id)).filter((d) => d.channel === 'print');
  const eventId = (type: EventType) => `incident-${id}/${typesOf(evs).indexOf(type) + 1}`;
  expect(print).toEqual(
    [`${eventId('CollectiveNoticeSent')}/A-1`, `${eventId('ReminderSent')}/A-1`, `${eventId('NeighboursInformed')}/A-1`]
      .sort()
      .map((letterId) => ({ letter_id: letterId, channel: 'print', address: null })),
  );
});

test('where policy allows it, an unknown polluter\'s cleanup goes to the service costs of the six households, split to the cent', async () => {
  // Monday 3 May 2032, 10:00 CEST. Five working days skip Liberation Day (Wednesday 5 May) and
  // Ascension Day (Thursday 6 May): deadline Wednesday 12 May.
  await startingAt('2032-05-03T08:00:00Z', { categories: { bulk_waste: { serviceCostsForUnknownPolluter: true } } });
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('service-cost', { category: 'bulk_waste', location: 'fietsenberging' });
    id = started.id;
    await testEnv().sleep('1 minute');
    expect(sent(id)).toEqual(
      neighboursA('').map((a) => `${a} | Verzoek aan alle bewoners: grofvuil in een gemeenschappelijke ruimte, uiterlijk woensdag 12 mei 2032`),
    );
    await advanceTo('2032-05-13T07:00:00Z'); // Thursday 13 May, 09:00
    await started.handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 10001 }] });
    expect(await started.handle.result()).toBe('cleaned_at_service_cost');
    await recordHistory('collective-service-cost', started.handle);
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'CollectiveNoticeSent',
    'ReminderSent',
    'CleanupOrdered',
    'CleanupCompleted',
    'ServiceCostsAllocated',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'CollectiveNoticeSent')).toMatchObject({ deadlineDate: '2032-05-12', reminderAt: '2032-05-11T07:00:00.000Z' });
  const allocated = one(evs, 'ServiceCostsAllocated');
  expect(allocated.totalCents).toBe(10001);
  expect(allocated.allocations).toEqual([
    { tenantId: 'A-1', amountCents: 1667 },
    { tenantId: 'A-2', amountCents: 1667 },
    { tenantId: 'A-3', amountCents: 1667 },
    { tenantId: 'A-4', amountCents: 1667 },
    { tenantId: 'A-5', amountCents: 1667 },
    { tenantId: 'A-6', amountCents: 1666 },
  ]);
  expect(allocated.allocations.reduce((sum, a) => sum + a.amountCents, 0)).toBe(10001);
  const rows = await database.db
    .selectFrom('service_cost_allocations')
    .select(['tenant_id', 'amount_cents'])
    .where('incident_id', '=', id)
    .orderBy('tenant_id')
    .execute();
  expect(rows).toEqual(allocated.allocations.map((a) => ({ tenant_id: a.tenantId, amount_cents: a.amountCents })));

  const shares = mailsAbout(id).filter((m) => m.subject.startsWith('Servicekosten'));
  expect(shares.map((m) => `${m.envelopeTo[0]} | ${m.subject}`)).toEqual([
    'a2@bewoners.test | Servicekosten: grofvuil in een gemeenschappelijke ruimte, uw aandeel € 16,67',
    'a3@bewoners.test | Servicekosten: grofvuil in een gemeenschappelijke ruimte, uw aandeel € 16,67',
    'a4@bewoners.test | Servicekosten: grofvuil in een gemeenschappelijke ruimte, uw aandeel € 16,67',
    'a5@bewoners.test | Servicekosten: grofvuil in een gemeenschappelijke ruimte, uw aandeel € 16,67',
    'a6@bewoners.test | Servicekosten: grofvuil in een gemeenschappelijke ruimte, uw aandeel € 16,66',
  ]);
  for (const mail of shares) {
    expect(mail.text).toContain('De kosten bedragen in totaal € 100,01. Wij verdelen deze kosten over de 6 huishoudens');
    expect(mail.text).toContain('één cent verschillen');
  }
  const allocationEvent = `incident-${id}/${typesOf(evs).indexOf('ServiceCostsAllocated') + 1}`;
  expect((await deliveries(id)).filter((d) => d.letter_id === `${allocationEvent}/A-1`)).toEqual([
    { letter_id: `${allocationEvent}/A-1`, channel: 'print', address: null },
  ]);
  expect(mailTo(id, 'a3@bewoners.test', 'Afgehandeld').text).toContain('De kosten worden verdeeld via de servicekosten');
});

test('a polluter identified while the collective notice runs gets a formal notice with a deadline of their own', async () => {
  // Monday 7 June 2032: the collective deadline is Monday 14 June. Identified on Wednesday 9 June,
  // the tenant has five working days from then: Wednesday 16 June.
  await startingAt('2032-06-07T08:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('identified', { category: 'bulk_waste', location: 'kelderbox 4' });
    id = started.id;
    await testEnv().sleep('1 minute');
    expect(sent(id)).toHaveLength(5);

    await advanceTo('2032-06-09T12:00:00Z');
    await started.handle.executeUpdate(identifyPolluterUpdate, { args: [{ tenantId: 'A-5', identifiedBy: 'consultant-1' }] });
    await testEnv().sleep('1 minute');
    expect(sent(id).slice(5)).toEqual(['a5@bewoners.test | Ingebrekestelling: grofvuil in een gemeenschappelijke ruimte, uiterlijk woensdag 16 juni 2032']);

    // Past the collective reminder (Friday 11 June) and the collective deadline (Monday 14 June).
    await advanceTo('2032-06-15T08:00:00Z');
    const state = await started.handle.query(incidentStateQuery);
    expect(state.status === 'open' && [state.phase, state.notifiedTenantId, state.deadlineDate]).toEqual(['awaiting_cleanup', 'A-5', '2032-06-16']);
    expect(sent(id).slice(6)).toEqual(['a5@bewoners.test | Herinnering: grofvuil in een gemeenschappelijke ruimte, uiterlijk woensdag 16 juni 2032']);

    await started.handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'A-5', note: 'opgeruimd' }] });
    await started.handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] });
    expect(await started.handle.result()).toBe('self_cleaned');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'CollectiveNoticeSent',
    'PolluterIdentified',
    'PolluterNotified',
    'ReminderSent',
    'CleanupReported',
    'InspectionRecorded',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'CollectiveNoticeSent')).toMatchObject({ deadlineDate: '2032-06-14' });
  expect(one(evs, 'PolluterIdentified')).toEqual({ tenantId: 'A-5', identifiedBy: 'consultant-1' });
  expect(one(evs, 'PolluterNotified')).toMatchObject({ tenantId: 'A-5', deadlineDate: '2032-06-16', reminderAt: '2032-06-15T07:00:00.000Z' });
  expect(one(evs, 'ReminderSent').letters.map((l) => l.recipient.id)).toEqual(['A-5']);
  expect(one(evs, 'WarningIssued')).toMatchObject({ tenantId: 'A-5', offenceNumber: 1, severity: 'standard' });
  expect(one(evs, 'NeighboursInformed').households).toBe(5);
  expect(mailTo(id, 'a2@bewoners.test', 'Afgehandeld').text).toContain('De veroorzaker is hierop aangesproken.');
  expect((await incidentRow(id)).polluter_tenant_id).toBe('A-5');
});

test('a dispute opened before the deadline holds the escalation; upheld, the incident is dismissed without consequences', async () => {
  // Friday 2 July 2032: deadline Tuesday 6 July, reminder Monday 5 July 09:00.
  await startingAt('2032-07-02T08:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('dispute-upheld', { polluterTenantId: 'A-4' });
    id = started.id;
    await advanceTo('2032-07-05T08:00:00Z'); // Monday 10:00, after the reminder
    await started.handle.executeUpdate(openDisputeUpdate, {
      args: [{ by: 'tenant', actor: 'A-4', reason: 'Ik woon op de derde verdieping; dit afval is niet van mij.' }],
    });

    await advanceTo('2032-07-08T08:00:00Z'); // Thursday: the deadline passed a day and a half ago
    const state = await started.handle.query(incidentStateQuery);
    expect(state.status === 'open' && [state.phase, state.dispute]).toEqual(['awaiting_cleanup', 'open']);
    expect(sent(id).filter((s) => s.startsWith('orders@'))).toEqual([]);

    await started.handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ decision: 'upheld', resolvedBy: 'consultant-1', note: 'Camerabeelden tonen een andere bewoner.' }],
    });
    expect(await started.handle.result()).toBe('dismissed');
    await recordHistory('dispute-upheld', started.handle);
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual(['IncidentReported', 'PolluterNotified', 'ReminderSent', 'DisputeOpened', 'DisputeResolved', 'IncidentClosed']);
  expect(one(evs, 'DisputeOpened')).toEqual({ by: 'tenant', actor: 'A-4', reason: 'Ik woon op de derde verdieping; dit afval is niet van mij.' });
  expect(one(evs, 'DisputeResolved')).toEqual({ decision: 'upheld', resolvedBy: 'consultant-1', note: 'Camerabeelden tonen een andere bewoner.' });
  expect(one(evs, 'IncidentClosed')).toMatchObject({ outcome: 'dismissed', closedAt: expect.stringMatching(/^2032-07-08T08:00/) });
  expect(sent(id)).toEqual([
    'a4@bewoners.test | Ingebrekestelling: vervuild trappenhuis, uiterlijk dinsdag 6 juli 2032',
    'a4@bewoners.test | Herinnering: vervuild trappenhuis, uiterlijk dinsdag 6 juli 2032',
  ]);
  expect(await incidentRow(id)).toMatchObject({ status: 'closed', outcome: 'dismissed', dispute: 'upheld' });
});

test('a dispute rejected after the deadline has passed orders the cleanup at once', async () => {
  // Friday 6 August 2032: deadline Tuesday 10 August.
  await startingAt('2032-08-06T08:00:00Z');
  let id = '';
  const before = await lastInvoiceNumber(2032);
  await worker.runUntil(async () => {
    const started = await report('dispute-rejected', { polluterTenantId: 'A-4' });
    id = started.id;
    await advanceTo('2032-08-09T08:00:00Z');
    await started.handle.executeUpdate(openDisputeUpdate, { args: [{ by: 'consultant', actor: 'consultant-2', reason: 'De huurder betwist de melding telefonisch.' }] });
    await advanceTo('2032-08-12T07:00:00Z'); // Thursday 09:00, two days past the deadline
    expect(typesOf(await events(id))).not.toContain('CleanupOrdered');

    await started.handle.executeUpdate(resolveDisputeUpdate, { args: [{ decision: 'rejected', resolvedBy: 'consultant-1', note: null }] });
    await testEnv().sleep('1 minute');
    const state = await started.handle.query(incidentStateQuery);
    expect(state.status === 'open' && [state.phase, state.dispute]).toEqual(['cleanup_ordered', 'rejected']);
    expect(sent(id).filter((s) => s.startsWith('orders@'))).toEqual([`orders@schoon.test | Werkopdracht WO-${id}: vervuild trappenhuis`]);

    // The contractor has the order: an inspection is no longer the way to close it.
    expect(await refusal(started.handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] }))).toEqual({
      type: 'illegal_state',
      message: 'cannot record an inspection: the cleanup has been ordered from the contractor',
    });
    await started.handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 9900 }] });
    expect(await started.handle.result()).toBe('cleaned_and_charged');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'ReminderSent',
    'DisputeOpened',
    'DisputeResolved',
    'CleanupOrdered',
    'CleanupCompleted',
    'InvoiceIssued',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'DisputeResolved').decision).toBe('rejected');
  expect(one(evs, 'CleanupOrdered').orderedAt).toMatch(/^2032-08-12T07:00/);
  expect(one(evs, 'InvoiceIssued')).toMatchObject({
    invoiceNumber: invoiceNumber(2032, before + 1),
    debtorTenantId: 'A-4',
    issueDate: '2032-08-12',
    dueDate: '2032-08-26',
    totalCents: 9900,
  });
  const invoice = mailTo(id, 'a4@bewoners.test', 'Factuur');
  expect(invoice.text).toContain('Wilt u € 99,00 uiterlijk op donderdag 26 augustus 2032 overmaken');
  expect(one(evs, 'WarningIssued')).toMatchObject({ tenantId: 'A-4', offenceNumber: 1, severity: 'standard' });
});

test('a cancellation with a reason closes the incident as cancelled without a neighbours notice; without a reason, or out of turn, updates are refused', async () => {
  await startingAt('2032-09-10T08:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('cancelled', { polluterTenantId: 'A-2' });
    id = started.id;
    const { handle } = started;
    await testEnv().sleep('1 minute');

    expect(await refusal(handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 5000 }] }))).toEqual({
      type: 'illegal_state',
      message: 'no cleanup has been ordered for this incident',
    });
    expect(await refusal(handle.executeUpdate(resolveDisputeUpdate, { args: [{ decision: 'upheld', resolvedBy: 'consultant-1', note: null }] }))).toEqual({
      type: 'illegal_state',
      message: 'there is no open dispute',
    });
    for (const reason of ['', '   ']) {
      expect(await refusal(handle.executeUpdate(cancelUpdate, { args: [{ reason, cancelledBy: 'consultant-2' }] }))).toEqual({
        type: 'validation',
        message: 'a cancellation needs a reason',
      });
    }

    await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'De melding bleek op een misverstand te berusten.', cancelledBy: 'consultant-2' }] });
    expect(await handle.result()).toBe('cancelled');
    await recordHistory('cancelled', handle);
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual(['IncidentReported', 'PolluterNotified', 'IncidentCancelled', 'IncidentClosed']);
  expect(one(evs, 'IncidentCancelled')).toEqual({ reason: 'De melding bleek op een misverstand te berusten.', cancelledBy: 'consultant-2' });
  expect(one(evs, 'IncidentClosed').outcome).toBe('cancelled');
  expect(sent(id)).toEqual(['a2@bewoners.test | Ingebrekestelling: vervuild trappenhuis, uiterlijk dinsdag 14 september 2032']);
  expect(await incidentRow(id)).toMatchObject({ status: 'closed', outcome: 'cancelled' });
});

test('a repeat offender within twelve months gets a sharp warning, and from the third offence the case is flagged for tenancy escalation', async () => {
  await startingAt('2032-10-14T07:00:00Z');
  const ids: string[] = [];
  await worker.runUntil(async () => {
    async function selfCleaned(at: string): Promise<Handle> {
      await advanceTo(at);
      const started = await report(`repeat-${ids.length + 1}`, { polluterTenantId: 'A-6' });
      ids.push(started.id);
      await testEnv().sleep('1 minute');
      await started.handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'A-6', note: null }] });
      await started.handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] });
      // Waited for through a plain client: the time-skipping client's result() unlocks time skipping,
      // and the test server may then jump to a ten-year timer it keeps for the finished workflow
      // before the lock is taken again, past the next incident's date.
      expect(await plainClient().workflow.getHandle(started.handle.workflowId).result()).toBe('self_cleaned');
      return started.handle;
    }
    await selfCleaned('2032-10-14T08:00:00Z');
    await selfCleaned('2033-11-17T09:00:00Z'); // thirteen months later: the first no longer counts
    await selfCleaned('2034-01-12T09:00:00Z');
    const last = await selfCleaned('2034-03-09T09:00:00Z');
    await recordHistory('repeat-offender', last);
  });

  const timelines = await Promise.all(ids.map((id) => events(id)));
  expect(timelines.map((evs) => one(evs, 'WarningIssued')).map((w) => [w.tenantId, w.offenceNumber, w.severity])).toEqual([
    ['A-6', 1, 'standard'],
    ['A-6', 1, 'standard'],
    ['A-6', 2, 'sharp'],
    ['A-6', 3, 'sharp'],
  ]);
  expect(timelines.map((evs) => dataOf(evs, 'TenancyEscalationFlagged'))).toEqual([[], [], [], [{ tenantId: 'A-6', offenceNumber: 3 }]]);
  expect(typesOf(timelines[3]!)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'CleanupReported',
    'InspectionRecorded',
    'WarningIssued',
    'TenancyEscalationFlagged',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(ids.map((id) => mailTo(id, 'a6@bewoners.test', ids.indexOf(id) < 2 ? 'Waarschuwing' : 'Ernstige waarschuwing').subject)).toEqual([
    'Waarschuwing: vervuild trappenhuis',
    'Waarschuwing: vervuild trappenhuis',
    'Ernstige waarschuwing (herhaling): vervuild trappenhuis',
    'Ernstige waarschuwing (herhaling): vervuild trappenhuis',
  ]);
  const third = mailTo(ids[3]!, 'a6@bewoners.test', 'Ernstige waarschuwing');
  expect(third.text).toContain('Dit is de 3e overtreding die wij bij u hebben vastgelegd.');
  expect(third.text).toContain('verdere herhaling gevolgen kan hebben voor uw huurovereenkomst');

  const offences = await database.db
    .selectFrom('offences')
    .select(['incident_id', 'offence_number', 'severity'])
    .where('tenant_id', '=', 'A-6')
    .orderBy('recorded_at')
    .execute();
  expect(offences).toEqual([
    { incident_id: ids[0], offence_number: 1, severity: 'standard' },
    { incident_id: ids[1], offence_number: 1, severity: 'standard' },
    { incident_id: ids[2], offence_number: 2, severity: 'sharp' },
    { incident_id: ids[3], offence_number: 3, severity: 'sharp' },
  ]);
  expect(await Promise.all(ids.map(async (id) => (await incidentRow(id)).tenancy_escalation))).toEqual([false, false, false, true]);
});

test('in a building of three households no neighbours notice goes out: it would point at one household', async () => {
  // Tuesday 25 April 2034: King's Day (Thursday 27 April) is skipped, deadline Friday 28 April.
  await startingAt('2034-04-25T08:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('small-building', { buildingId: 'C1-B', location: 'portiek Kerkweg 1-3' });
    id = started.id;
    await testEnv().sleep('1 minute');
    await started.handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'consultant', actor: 'consultant-1', note: 'bewoners hebben samen opgeruimd' }] });
    await started.handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] });
    expect(await started.handle.result()).toBe('self_cleaned');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'CollectiveNoticeSent',
    'CleanupReported',
    'InspectionRecorded',
    'NeighboursNoticeSuppressed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'CollectiveNoticeSent')).toMatchObject({ households: ['B-1', 'B-2', 'B-3'], deadlineDate: '2034-04-28' });
  expect(one(evs, 'NeighboursNoticeSuppressed')).toEqual({ households: 3, minimum: 4 });
  expect(sent(id)).toEqual(
    ['b1', 'b2', 'b3'].map((b) => `${b}@bewoners.test | Verzoek aan alle bewoners: vervuild trappenhuis, uiterlijk vrijdag 28 april 2034`),
  );
});

test('a fixed tariff replaces the contractor\'s reported cost on the invoice', async () => {
  // Friday 3 October 2031: deadline Tuesday 7 October.
  const before = await lastInvoiceNumber(2031);
  await startingAt('2031-10-03T08:00:00Z', { categories: { fouled_stairwell: { fixedTariffCents: 15000 } } });
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('tariff', { buildingId: 'C1-B', location: 'portiek Kerkweg 1-3', polluterTenantId: 'B-1' });
    id = started.id;
    await testEnv().sleep('1 minute');
    expect(mailTo(id, 'b1@bewoners.test', 'Ingebrekestelling').text).toContain('Wij brengen u dan het vaste tarief van € 150,00 in rekening.');
    await advanceTo('2031-10-09T08:00:00Z'); // Thursday 9 October, 10:00
    await started.handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 23456 }] });
    expect(await started.handle.result()).toBe('cleaned_and_charged');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'ReminderSent',
    'CleanupOrdered',
    'CleanupCompleted',
    'InvoiceIssued',
    'WarningIssued',
    'NeighboursNoticeSuppressed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'CleanupCompleted')).toMatchObject({ contractorId: 'K-1', reportedCostCents: 23456, costCents: 15000, tariffApplied: true });
  const number = invoiceNumber(2031, before + 1);
  expect(one(evs, 'InvoiceIssued')).toMatchObject({
    invoiceNumber: number,
    incidentId: id,
    debtorTenantId: 'B-1',
    issueDate: '2031-10-09',
    dueDate: '2031-10-23',
    lines: [{ description: 'Schoonmaak: vervuild trappenhuis, portiek Kerkweg 1-3', amountCents: 15000, vatCode: 'BTW-GEEN' }],
    totalCents: 15000,
  });
  const invoice = mailTo(id, 'b1@bewoners.test', 'Factuur');
  expect(invoice.subject).toBe(`Factuur ${number}: vervuild trappenhuis`);
  expect(invoice.text).toMatch(/Vervaldatum:\s+23 oktober 2031/);
  expect(invoice.text).toContain('Wilt u € 150,00 uiterlijk op donderdag 23 oktober 2031 overmaken');
  expect(invoice.text).not.toContain('234,56');
  expect(mailTo(id, 'b1@bewoners.test', 'Waarschuwing').text).toContain(`De kosten, in totaal € 150,00, brengen wij bij u in rekening met factuur ${number}.`);
  expect(one(evs, 'NeighboursNoticeSuppressed')).toEqual({ households: 2, minimum: 4 });
});

test('an administration fee adds a second invoice line, and the year\'s invoice numbers run on without a gap', async () => {
  // Friday 7 November 2031: deadline Tuesday 11 November.
  const before = await lastInvoiceNumber(2031);
  await startingAt('2031-11-07T09:00:00Z', { categories: { fouled_stairwell: { administrationFeeCents: 2500 } } });
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('admin-fee', { buildingId: 'C1-B', location: 'portiek Kerkweg 1-3', polluterTenantId: 'B-2' });
    id = started.id;
    await advanceTo('2031-11-13T09:00:00Z'); // Thursday 13 November, 10:00
    await started.handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 18000 }] });
    expect(await started.handle.result()).toBe('cleaned_and_charged');
  });

  const evs = await events(id);
  expect(one(evs, 'CleanupCompleted')).toMatchObject({ reportedCostCents: 18000, costCents: 18000, tariffApplied: false });
  const number = invoiceNumber(2031, before + 1);
  expect(one(evs, 'InvoiceIssued')).toMatchObject({
    invoiceNumber: number,
    debtorTenantId: 'B-2',
    issueDate: '2031-11-13',
    dueDate: '2031-11-27',
    lines: [
      { description: 'Schoonmaak: vervuild trappenhuis, portiek Kerkweg 1-3', amountCents: 18000, vatCode: 'BTW-GEEN' },
      { description: 'Administratiekosten', amountCents: 2500, vatCode: 'BTW-GEEN' },
    ],
    totalCents: 20500,
  });
  const invoice = mailTo(id, 'b2@bewoners.test', 'Factuur');
  expect(invoice.text).toMatch(/Administratiekosten\s+€ 25,00\s+BTW-GEEN/);
  expect(invoice.text).toMatch(/Totaal\s+€ 205,00/);
  expect(invoice.text).toContain('uiterlijk op donderdag 27 november 2031 overmaken');

  // Gapless: the year's numbers are 1..n, each taken once.
  const numbers = (await database.db.selectFrom('invoices').select('invoice_number').where('invoice_number', 'like', '2031-%').orderBy('invoice_number').execute()).map(
    (r) => r.invoice_number,
  );
  expect(numbers).toEqual(Array.from({ length: before + 1 }, (_, i) => invoiceNumber(2031, i + 1)));
  expect(await lastInvoiceNumber(2031)).toBe(before + 1);
});

test('where policy accepts the report without inspection, the tenant\'s report closes the incident as self-cleaned', async () => {
  await startingAt('2034-06-08T08:00:00Z', { categories: { fouled_stairwell: { acceptCleanupReportWithoutInspection: true } } });
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('accepted', { buildingId: 'C1-B', location: 'portiek Kerkweg 1-3', polluterTenantId: 'B-3' });
    id = started.id;
    await testEnv().sleep('1 minute');
    await started.handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'B-3', note: 'Alles is weer schoon.' }] });
    expect(await started.handle.result()).toBe('self_cleaned');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'CleanupReported',
    'InspectionRecorded',
    'WarningIssued',
    'NeighboursNoticeSuppressed',
    'IncidentClosed',
  ]);
  expect(one(evs, 'CleanupReported')).toMatchObject({ by: 'tenant', actor: 'B-3', note: 'Alles is weer schoon.' });
  expect(one(evs, 'InspectionRecorded')).toMatchObject({ result: 'clean', inspector: 'B-3', acceptedFromReport: true });
  expect(one(evs, 'WarningIssued')).toMatchObject({ tenantId: 'B-3', offenceNumber: 1 });
  expect(mailTo(id, 'b3@bewoners.test', 'Waarschuwing').text).toContain('Dank u wel dat u dit zelf heeft opgelost.');
});

test('a duplicate report is linked to the open incident and counted in the read model', async () => {
  await startingAt('2034-09-14T08:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('duplicate', { category: 'bulk_waste', location: 'fietsenberging' });
    id = started.id;
    await testEnv().sleep('1 minute');
    await started.handle.executeUpdate(linkDuplicateUpdate, { args: [{ reportId: 'R-1', reportedBy: 'A-3', description: 'grofvuil bij de fietsen' }] });
    await testEnv().sleep('2 hours');
    await started.handle.executeUpdate(linkDuplicateUpdate, { args: [{ reportId: 'R-2', reportedBy: 'A-5', description: 'oude bank in de berging' }] });
    expect((await incidentRow(id)).duplicate_reports).toBe(2);
    await started.handle.executeUpdate(cancelUpdate, { args: [{ reason: 'De gemeente heeft het grofvuil opgehaald.', cancelledBy: 'consultant-1' }] });
    expect(await started.handle.result()).toBe('cancelled');
  });

  const evs = await events(id);
  expect(typesOf(evs)).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'DuplicateReportLinked', 'DuplicateReportLinked', 'IncidentCancelled', 'IncidentClosed']);
  expect(dataOf(evs, 'DuplicateReportLinked')).toEqual([
    { reportId: 'R-1', reportedBy: 'A-3', description: 'grofvuil bij de fietsen', reportedAt: expect.stringMatching(/^2034-09-14T08:01/), polluterTenantId: null, complainantTenantId: null },
    { reportId: 'R-2', reportedBy: 'A-5', description: 'oude bank in de berging', reportedAt: expect.stringMatching(/^2034-09-14T10:01/), polluterTenantId: null, complainantTenantId: null },
  ]);
  expect(await incidentRow(id)).toMatchObject({ duplicate_reports: 2, status: 'closed', outcome: 'cancelled' });
  // The duplicates start nothing: the only mails are the one collective notice.
  expect(sent(id)).toHaveLength(5);
});

test('a step\'s mail goes out at most once, even when its delivery activity is retried after sending', async () => {
  const attempts: number[] = [];
  await startingAt('2035-03-08T09:00:00Z', {}, (real) => ({
    ...real,
    async deliverLetters(letters) {
      const { attempt } = Context.current().info;
      attempts.push(attempt);
      const delivery = await real.deliverLetters(letters);
      // The mails went out, then the worker lost the result: Temporal retries the activity.
      if (attempt === 1) throw new Error('connection reset after the mails were sent');
      return delivery;
    },
  }));
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('retried', { polluterTenantId: 'A-2' });
    id = started.id;
    await testEnv().sleep('1 minute');
    await started.handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'A-2', note: null }] });
    await started.handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] });
    expect(await started.handle.result()).toBe('self_cleaned');
  });

  // Three steps with mail (notice, warning, neighbours), each delivered on attempt 1 and retried once.
  expect(attempts).toEqual([1, 2, 1, 2, 1, 2]);
  expect(sent(id)).toEqual([
    'a2@bewoners.test | Ingebrekestelling: vervuild trappenhuis, uiterlijk maandag 12 maart 2035',
    'a2@bewoners.test | Waarschuwing: vervuild trappenhuis',
    ...neighboursA('a2').map((a) => `${a} | Afgehandeld: vervuild trappenhuis`),
  ]);
  expect(mailsAbout(id).filter((m) => m.subject.startsWith('Ingebrekestelling'))).toHaveLength(1);
  expect(new Set(mailsAbout(id).map((m) => m.messageId)).size).toBe(mailsAbout(id).length);
  expect(await deliveries(id)).toHaveLength(7); // six e-mails and A-1's neighbours notice on paper
  expect(typesOf(await events(id))).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'CleanupReported',
    'InspectionRecorded',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
});

test('the neighbours notice names neither the polluter nor their unit or address', async () => {
  // Thursday 7 June 2035: deadline Monday 11 June.
  await startingAt('2035-06-07T08:00:00Z');
  let id = '';
  await worker.runUntil(async () => {
    const started = await report('privacy', { polluterTenantId: 'A-3' });
    id = started.id;
    await advanceTo('2035-06-12T07:00:00Z');
    await started.handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 7550 }] });
    expect(await started.handle.result()).toBe('cleaned_and_charged');
  });

  const polluter = await database.db.selectFrom('tenants').selectAll().where('contract_number', '=', 'A-3').executeTakeFirstOrThrow();
  const neighbours = mailsAbout(id).filter((m) => m.subject.startsWith('Afgehandeld'));
  expect(neighbours.map((m) => m.envelopeTo[0])).toEqual(neighboursA('a3'));
  const unitMention = new RegExp(`\\b(?:unit|woning|nr\\.?|nummer|huisnummer|appartement)\\s*${polluter.unit}\\b`, 'i');
  const houseNumberToken = new RegExp(`(?<![\\w.,-])${polluter.house_number}(?![\\w.,-])`);
  for (const mail of neighbours) {
    expect(mail.text).toContain('brengen de kosten in rekening bij de veroorzaker');
    for (const body of [mail.subject, mail.text, mail.html]) {
      expect(body).not.toContain(polluter.name);
      expect(body).not.toContain(polluter.contract_number);
      expect(body).not.toContain(`${polluter.street} ${polluter.house_number}`);
      expect(body).not.toMatch(houseNumberToken);
      expect(body).not.toMatch(unitMention);
    }
  }
  const stored = await database.db.selectFrom('notifications').select(['content']).where('incident_id', '=', id).where('kind', '=', 'neighbours_notice').execute();
  expect(stored).toHaveLength(5);
  for (const { content } of stored) expect(JSON.stringify(content)).not.toContain(polluter.contract_number);
});

test('the read models rebuilt from the events equal the live ones', async () => {
  const snapshot = async () => ({
    incidents: await database.db.selectFrom('incidents').selectAll().orderBy('incident_id').execute(),
    offences: await database.db.selectFrom('offences').selectAll().orderBy('incident_id').execute(),
    notifications: await database.db.selectFrom('notifications').selectAll().orderBy('letter_id').execute(),
    invoices: await database.db.selectFrom('invoices').selectAll().orderBy('invoice_number').execute(),
    serviceCostAllocations: await database.db.selectFrom('service_cost_allocations').selectAll().orderBy('incident_id').orderBy('tenant_id').execute(),
  });
  const live = await snapshot();
  expect(live.incidents.length).toBeGreaterThanOrEqual(15);
  expect(live.invoices.length).toBeGreaterThanOrEqual(3);
  expect(live.serviceCostAllocations.length).toBeGreaterThanOrEqual(6);

  const { events: replayed } = await rebuildProjections(database.db);
  expect(replayed).toBeGreaterThan(100);
  expect(await snapshot()).toEqual(live);
});
