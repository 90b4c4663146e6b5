import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { createActivities, dataFailureTypeOf, type Activities } from '../../activities';
import { readStream, type NewEvent } from '../../db/event-store';
import { STALE_OFFENCE_COUNT } from '../../domain/errors';
import type { DomainEvent } from '../../domain/events';
import { resolvePolicy } from '../../domain/policy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';

let database: TestDatabase;
let activities: Activities;

beforeAll(async () => {
  database = await createTestDatabase('activity_failures');
  await seedDirectory(database.db);
  activities = createActivities({
    db: database.db,
    mailer: { send: async () => {}, close: () => {} },
    policy: resolvePolicy(),
    publicUrl: 'http://polluter-pays.test',
    linkSecret: 'test-link-secret-0123456789',
    corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
  });
});
afterAll(async () => {
  await database?.drop();
});

const reported = (incidentId: string, overrides: Partial<Extract<DomainEvent, { type: 'IncidentReported' }>['data']> = {}): DomainEvent => ({
  type: 'IncidentReported',
  data: {
    incidentId,
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'trappenhuis',
    description: '',
    polluterTenantId: 'A-2',
    complainantTenantId: null,
    reportedBy: 'consultant:test',
    reportedAt: '2033-01-10T09:00:00.000Z',
    ...overrides,
  },
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('an activity that fails on its data fails at once, without retries', () => {
  test('an event with a NUL in its text is refused before the database is asked: UnstorableData, non-retryable, nothing stored', async () => {
    const failure = await failureOf(
      activities.appendEvents({ streamId: 'incident-nul', expectedVersion: 0, events: [{ eventId: 'incident-nul/1', event: reported('nul', { location: 'trap\u0000huis' }) }], metadata: {} }),
    );
    expect({ type: failure.type, nonRetryable: failure.nonRetryable }).toEqual({ type: 'UnstorableData', nonRetryable: true });
    expect(failure.message).toContain('events.0.data.location');
    expect(await readStream(database.db, 'incident-nul')).toEqual([]);
  });

  test('PostgreSQL refusing data (SQLSTATE class 22 and 23) is a data failure; a connection refused is not', async () => {
    const nul = await sql`select ${'a\u0000b'}::text`.execute(database.db).catch((e: unknown) => e);
    expect((nul as { code: string }).code).toMatch(/^22/);
    expect(dataFailureTypeOf(nul)).toBe('UnstorableData');

    const notNull = await sql`insert into offences (incident_id, tenant_id, offence_number, severity, recorded_at) values (${'x'}, null, 1, 'standard', now())`
      .execute(database.db)
      .catch((e: unknown) => e);
    expect((notNull as { code: string }).code).toBe('23502');
    expect(dataFailureTypeOf(notNull)).toBe('UnstorableData');

    expect(dataFailureTypeOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBeNull();
    expect(dataFailureTypeOf(Object.assign(new Error('Connection terminated unexpectedly'), {}))).toBeNull();
  });
});

describe('offence numbers are counted once per tenant, whatever settles at the same time', () => {
  const warning = (incidentId: string, offenceNumber: number, issuedAt: string): NewEvent => ({
    eventId: `incident-${incidentId}/2`,
    event: { type: 'WarningIssued', data: { tenantId: 'B-2', offenceNumber, severity: offenceNumber > 1 ? 'sharp' : 'standard', issuedAt, letters: [] } },
  });

  test('two incidents of one tenant that both counted no earlier offence: one warning is the first offence, the other is told to count again', async () => {
    for (const id of ['race-1', 'race-2']) {
      await activities.appendEvents({ streamId: `incident-${id}`, expectedVersion: 0, events: [{ eventId: `incident-${id}/1`, event: reported(id, { polluterTenantId: 'B-2', buildingId: 'C1-B' }) }], metadata: {} });
    }
    const results = await Promise.allSettled([
      activities.appendEvents({ streamId: 'incident-race-1', expectedVersion: 1, events: [warning('race-1', 1, '2033-01-20T10:00:00.000Z')], metadata: {} }),
      activities.appendEvents({ streamId: 'incident-race-2', expectedVersion: 1, events: [warning('race-2', 1, '2033-01-20T10:00:00.019Z')], metadata: {} }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as ApplicationFailure;
    expect({ type: refused.type, nonRetryable: refused.nonRetryable }).toEqual({ type: STALE_OFFENCE_COUNT, nonRetryable: true });

    // Counted again, the other is the second offence; and a retry of a stored warning is not refused.
    const loser = results[0]!.status === 'rejected' ? 'race-1' : 'race-2';
    expect(await activities.countPriorOffences({ tenantId: 'B-2', before: '2033-01-20T10:00:01.000Z', windowMonths: 12, incidentId: loser })).toBe(1);
    await activities.appendEvents({ streamId: `incident-${loser}`, expectedVersion: 1, events: [warning(loser, 2, '2033-01-20T10:00:01.000Z')], metadata: {} });
    await activities.appendEvents({ streamId: `incident-${loser}`, expectedVersion: 1, events: [warning(loser, 2, '2033-01-20T10:00:01.000Z')], metadata: {} });
    const offences = await database.db.selectFrom('offences').select(['incident_id', 'offence_number']).where('tenant_id', '=', 'B-2').orderBy('offence_number').execute();
    expect(offences.map((o) => o.offence_number)).toEqual([1, 2]);
  });
});
