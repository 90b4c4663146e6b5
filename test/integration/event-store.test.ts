import { sql } from 'kysely';
import {
  appendToStream,
  appendToStreamsWithin,
  appendWithin,
  ConcurrencyError,
  EventIdConflictError,
  readAll,
  readStream,
  type StoredEvent,
} from '../../db/event-store';
import { ValidationError } from '../../domain/errors';
import type { DomainEvent } from '../../domain/events';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { event, incidentReported, newEvent } from '../support/events';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('event_store');
});

afterAll(async () => {
  await database?.drop();
});

let counter = 0;
/** A stream and incident id of its own for each test. */
function freshIncident(label: string): { incidentId: string; streamId: string } {
  counter += 1;
  const incidentId = `${label}-${counter}`;
  return { incidentId, streamId: `incident-${incidentId}` };
}

const cleanupReported = event('CleanupReported', { by: 'tenant', actor: 'A-2', note: null, reportedAt: '2031-03-04T10:00:00.000Z' });
const inspected = event('InspectionRecorded', {
  result: 'clean',
  inspector: 'consultant-1',
  note: 'ziet er goed uit',
  inspectedAt: '2031-03-05T11:00:00.000Z',
  acceptedFromReport: false,
});
const closed = event('IncidentClosed', { outcome: 'self_cleaned', closedAt: '2031-03-05T11:00:01.000Z' });

async function eventCount(streamId?: string): Promise<number> {
  let query = database.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n'));
  if (streamId) query = query.where('stream_id', '=', streamId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

async function readEverything(): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const page of readAll(database.db, 2)) all.push(...page);
  return all;
}

function eventsOf(stored: StoredEvent[]): DomainEvent[] {
  return stored.map((s) => s.event);
}

describe('appending to a stream', () => {
  it('starts a new stream with no_stream, continues it at the version it is at, and reads it back parsed and in order', async () => {
    const { incidentId, streamId } = freshIncident('append');
    const reported = incidentReported(incidentId);

    const first = await appendToStream(database.db, streamId, 'no_stream', [{ eventId: `${streamId}/1`, event: reported }], {
      workflowId: `wf-${incidentId}`,
      actor: 'consultant-1',
    });
    expect(first.alreadyAppended).toBe(false);
    expect(first.streamVersion).toBe(1);
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({ streamId, streamVersion: 1, eventId: `${streamId}/1`, event: reported });

    const second = await appendToStream(database.db, streamId, 1, [
      { eventId: `${streamId}/2`, event: cleanupReported },
      { eventId: `${streamId}/3`, event: inspected },
    ]);
    expect(second.alreadyAppended).toBe(false);
    expect(second.streamVersion).toBe(3);
    const third = await appendToStream(database.db, streamId, 3, [{ eventId: `${streamId}/4`, event: closed }]);
    expect(third.streamVersion).toBe(4);

    const positions = [...first.events, ...second.events, ...third.events].map((e) => e.position);
    for (let i = 1; i < positions.length; i += 1) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);

    const stream = await readStream(database.db, streamId);
    expect(stream.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
    expect(stream.map((e) => e.eventId)).toEqual([1, 2, 3, 4].map((n) => `${streamId}/${n}`));
    expect(stream.map((e) => e.position)).toEqual(positions);
    expect(eventsOf(stream)).toEqual([reported, cleanupReported, inspected, closed]);
    expect(stream[0]!.metadata).toEqual({ workflowId: `wf-${incidentId}`, actor: 'consultant-1' });
    expect(stream[1]!.metadata).toEqual({});
    for (const stored of stream) expect(stored.recordedAt).toBeInstanceOf(Date);
    // Appends in one transaction share its clock; later appends are not earlier.
    expect(stream[1]!.recordedAt.getTime()).toBe(stream[2]!.recordedAt.getTime());
    expect(stream[3]!.recordedAt.getTime()).toBeGreaterThanOrEqual(stream[0]!.recordedAt.getTime());
  });

  it('reads every stream in global position order, page by page', async () => {
    const a = freshIncident('readall');
    const b = freshIncident('readall');
    await appendToStream(database.db, a.streamId, 'no_stream', [newEvent(`${a.streamId}/1`, 'IncidentReported', incidentReported(a.incidentId).data)]);
    await appendToStream(database.db, b.streamId, 'no_stream', [newEvent(`${b.streamId}/1`, 'IncidentReported', incidentReported(b.incidentId).data)]);
    await appendToStream(database.db, a.streamId, 1, [{ eventId: `${a.streamId}/2`, event: cleanupReported }]);

    const all = await readEverything();
    expect(all).toHaveLength(await eventCount());
    const positions = all.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(positions.length);
    expect(all.slice(-3).map((e) => [e.streamId, e.streamVersion])).toEqual([
      [a.streamId, 1],
      [b.streamId, 1],
      [a.streamId, 2],
    ]);
  });

  it('refuses a wrong expected version with a ConcurrencyError that carries the stream, the expected and the actual version', async () => {
    const { incidentId, streamId } = freshIncident('version');
    await appendToStream(database.db, streamId, 'no_stream', [{ eventId: `${streamId}/1`, event: incidentReported(incidentId) }]);
    await appendToStream(database.db, streamId, 1, [{ eventId: `${streamId}/2`, event: cleanupReported }]);

    const stale = await appendToStream(database.db, streamId, 1, [{ eventId: `${streamId}/x`, event: inspected }]).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConcurrencyError);
    expect(stale).toMatchObject({ streamId, expectedVersion: 1, actualVersion: 2 });

    const ahead = await appendToStream(database.db, streamId, 5, [{ eventId: `${streamId}/y`, event: inspected }]).catch((e: unknown) => e);
    expect(ahead).toBeInstanceOf(ConcurrencyError);
    expect(ahead).toMatchObject({ streamId, expectedVersion: 5, actualVersion: 2 });

    const notNew = await appendToStream(database.db, streamId, 'no_stream', [{ eventId: `${streamId}/z`, event: inspected }]).catch((e: unknown) => e);
    expect(notNew).toBeInstanceOf(ConcurrencyError);
    expect(notNew).toMatchObject({ streamId, expectedVersion: 'no_stream', actualVersion: 2 });

    expect(await eventCount(streamId)).toBe(2);
  });

  it('appends nothing when the same batch is appended again, and says so, even with an expected version that is stale by now', async () => {
    const { incidentId, streamId } = freshIncident('retry');
    const batch = [
      { eventId: `${streamId}/1`, event: incidentReported(incidentId) },
      { eventId: `${streamId}/2`, event: cleanupReported },
    ];
    const original = await appendToStream(database.db, streamId, 'no_stream', batch);
    await appendToStream(database.db, streamId, 2, [{ eventId: `${streamId}/3`, event: inspected }]);
    const before = await eventCount();

    const retried = await appendToStream(database.db, streamId, 'no_stream', batch);
    expect(retried.alreadyAppended).toBe(true);
    expect(retried.streamVersion).toBe(3);
    expect(retried.events).toEqual(original.events);
    expect(await eventCount()).toBe(before);
    expect((await readStream(database.db, streamId)).map((e) => e.eventId)).toEqual([`${streamId}/1`, `${streamId}/2`, `${streamId}/3`]);
  });

  it('refuses a batch of which some event ids were appended before and others were not', async () => {
    const { incidentId, streamId } = freshIncident('conflict');
    await appendToStream(database.db, streamId, 'no_stream', [
      { eventId: `${streamId}/1`, event: incidentReported(incidentId) },
      { eventId: `${streamId}/2`, event: cleanupReported },
    ]);

    const error = await appendToStream(database.db, streamId, 2, [
      { eventId: `${streamId}/2`, event: cleanupReported },
      { eventId: `${streamId}/3`, event: inspected },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventIdConflictError);
    expect(error).toMatchObject({ streamId, eventIds: [`${streamId}/2`] });
    expect(await eventCount(streamId)).toBe(2);
  });
});

describe('appending to several streams at once', () => {
  it('appends to each stream in the order given, a stream twice in a row included, with positions in that order and each projected', async () => {
    const a = freshIncident('many-a');
    const b = freshIncident('many-b');
    const results = await database.db.transaction().execute((trx) =>
      appendToStreamsWithin(trx, [
        { streamId: a.streamId, expectedVersion: 'no_stream', events: [{ eventId: `${a.streamId}/1`, event: incidentReported(a.incidentId) }] },
        { streamId: b.streamId, expectedVersion: 'no_stream', events: [{ eventId: `${b.streamId}/1`, event: incidentReported(b.incidentId) }] },
        { streamId: a.streamId, expectedVersion: 1, events: [{ eventId: `${a.streamId}/2`, event: cleanupReported }], metadata: { actor: 'import' } },
      ]),
    );
    expect(results.map((r) => [r.streamVersion, r.alreadyAppended, r.events.map((e) => e.eventId)])).toEqual([
      [1, false, [`${a.streamId}/1`]],
      [1, false, [`${b.streamId}/1`]],
      [2, false, [`${a.streamId}/2`]],
    ]);
    const positions = results.map((r) => r.events[0]!.position);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(results[2]!.events[0]!.metadata).toEqual({ actor: 'import' });
    expect((await readStream(database.db, a.streamId)).map((e) => e.event.type)).toEqual(['IncidentReported', 'CleanupReported']);
    const rows = await database.db.selectFrom('incidents').select(['incident_id', 'phase']).where('incident_id', 'in', [a.incidentId, b.incidentId]).orderBy('incident_id').execute();
    expect(rows).toEqual([
      { incident_id: a.incidentId, phase: 'cleanup_reported' },
      { incident_id: b.incidentId, phase: 'reported' },
    ]);
  });

  it('appends nothing at all when one stream is not at its expected version, and appends nothing again for a batch retried whole', async () => {
    const a = freshIncident('many-stale');
    const b = freshIncident('many-fresh');
    await appendToStream(database.db, a.streamId, 'no_stream', [{ eventId: `${a.streamId}/1`, event: incidentReported(a.incidentId) }]);
    const before = await eventCount();
    const appends = (aExpected: number) => [
      { streamId: b.streamId, expectedVersion: 'no_stream' as const, events: [{ eventId: `${b.streamId}/1`, event: incidentReported(b.incidentId) }] },
      { streamId: a.streamId, expectedVersion: aExpected, events: [{ eventId: `${a.streamId}/2`, event: cleanupReported }] },
    ];

    const error = await database.db.transaction().execute((trx) => appendToStreamsWithin(trx, appends(0))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: a.streamId, expectedVersion: 0, actualVersion: 1 });
    expect(await eventCount()).toBe(before);
    expect(await database.db.selectFrom('incidents').select('incident_id').where('incident_id', '=', b.incidentId).execute()).toEqual([]);

    const first = await database.db.transaction().execute((trx) => appendToStreamsWithin(trx, appends(1)));
    const again = await database.db.transaction().execute((trx) => appendToStreamsWithin(trx, appends(1)));
    expect(again.map((r) => r.alreadyAppended)).toEqual([true, true]);
    expect(again.map((r) => r.events)).toEqual(first.map((r) => r.events));
    expect(await eventCount()).toBe(before + 2);
  });
});

describe('concurrent appends', () => {
  it('let exactly one of 20 appends at the same expected version through; the others get a ConcurrencyError', async () => {
    const { incidentId, streamId } = freshIncident('race');
    await appendToStream(database.db, streamId, 'no_stream', [{ eventId: `${streamId}/1`, event: incidentReported(incidentId) }]);

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        appendToStream(database.db, streamId, 1, [
          { eventId: `${streamId}/contender-${i}`, event: event('CleanupReported', { ...cleanupReported.data, note: `contender ${i}` }) },
        ]),
      ),
    );

    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(19);
    for (const r of rejected) {
      expect(r.reason).toBeInstanceOf(ConcurrencyError);
      expect(r.reason).toMatchObject({ streamId, expectedVersion: 1, actualVersion: 2 });
    }

    const stream = await readStream(database.db, streamId);
    expect(stream.map((e) => e.streamVersion)).toEqual([1, 2]);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect(stream[1]!.eventId).toBe(`${streamId}/contender-${winner}`);
    expect(stream[1]!.event).toEqual(event('CleanupReported', { ...cleanupReported.data, note: `contender ${winner}` }));
  });

  it('to different streams all succeed', async () => {
    const incidents = Array.from({ length: 20 }, () => freshIncident('parallel'));
    const results = await Promise.allSettled(
      incidents.map(({ incidentId, streamId }) =>
        appendToStream(database.db, streamId, 'no_stream', [
          { eventId: `${streamId}/1`, event: incidentReported(incidentId) },
          { eventId: `${streamId}/2`, event: cleanupReported },
        ]),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const { streamId } of incidents) {
      expect((await readStream(database.db, streamId)).map((e) => e.streamVersion)).toEqual([1, 2]);
    }
    const rows = await database.db
      .selectFrom('incidents')
      .select(['incident_id', 'phase'])
      .where('incident_id', 'in', incidents.map((i) => i.incidentId))
      .execute();
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row.phase).toBe('cleanup_reported');
  });

  it('of the same batch (retries racing the original) append it once, and every one reports success', async () => {
    const { incidentId, streamId } = freshIncident('retry-race');
    const batch = [
      { eventId: `${streamId}/1`, event: incidentReported(incidentId) },
      { eventId: `${streamId}/2`, event: cleanupReported },
    ];
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => appendToStream(database.db, streamId, 'no_stream', batch)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const values = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof appendToStream>>>).value);
    expect(values.filter((v) => !v.alreadyAppended)).toHaveLength(1);
    for (const v of values) expect(v.streamVersion).toBe(2);
    expect(await eventCount(streamId)).toBe(2);
  });
});

describe('validation', () => {
  it('refuses invalid event data with a ValidationError naming the field, and writes nothing', async () => {
    const { incidentId, streamId } = freshIncident('invalid');
    const before = await eventCount();
    const { location: _location, ...withoutLocation } = incidentReported(incidentId).data;

    const error = await appendToStream(database.db, streamId, 'no_stream', [
      { eventId: `${streamId}/1`, event: { type: 'IncidentReported', data: withoutLocation } as unknown as DomainEvent },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).fields;
    expect(fields).toEqual([expect.objectContaining({ path: 'events.0.data.location' })]);
    expect((error as ValidationError).message).toContain('IncidentReported');

    const badSecond = await appendToStream(database.db, streamId, 'no_stream', [
      { eventId: `${streamId}/1`, event: incidentReported(incidentId) },
      { eventId: `${streamId}/2`, event: event('CleanupCompleted', { contractorId: 'K-1', reportedCostCents: null, costCents: -5, tariffApplied: false, completedAt: '2031-03-05T10:00:00.000Z' }) },
    ]).catch((e: unknown) => e);
    expect(badSecond).toBeInstanceOf(ValidationError);
    expect((badSecond as ValidationError).fields.map((f) => f.path)).toEqual(['events.1.data.costCents']);

    expect(await eventCount()).toBe(before);
    expect(await database.db.selectFrom('incidents').select('incident_id').where('incident_id', '=', incidentId).execute()).toEqual([]);
  });

  it('refuses an empty batch', async () => {
    await expect(appendToStream(database.db, 'incident-empty', 'no_stream', [])).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('events are immutable', () => {
  it('a raw update or delete of the events table fails and leaves the event as it was', async () => {
    const { incidentId, streamId } = freshIncident('immutable');
    await appendToStream(database.db, streamId, 'no_stream', [{ eventId: `${streamId}/1`, event: incidentReported(incidentId) }]);
    const before = await readStream(database.db, streamId);

    await expect(sql`update events set type = 'Tampered' where stream_id = ${streamId}`.execute(database.db)).rejects.toThrow(/events are immutable/);
    await expect(sql`update events set data = '{}'::jsonb`.execute(database.db)).rejects.toThrow(/events are immutable/);
    await expect(sql`delete from events where stream_id = ${streamId}`.execute(database.db)).rejects.toThrow(/events are immutable/);
    await expect(sql`delete from events`.execute(database.db)).rejects.toThrow(/events are immutable/);

    expect(await readStream(database.db, streamId)).toEqual(before);
  });
});

describe('inline projections', () => {
  it('are written in the append transaction: visible inside it, and gone with it when it rolls back', async () => {
    const { incidentId, streamId } = freshIncident('inline');
    const abort = new Error('abort');
    await expect(
      database.db.transaction().execute(async (trx) => {
        await appendWithin(trx, streamId, 'no_stream', [{ eventId: `${streamId}/1`, event: incidentReported(incidentId) }]);
        const inside = await trx.selectFrom('incidents').select(['incident_id', 'phase']).where('incident_id', '=', incidentId).execute();
        expect(inside).toEqual([{ incident_id: incidentId, phase: 'reported' }]);
        // Another connection sees neither the event nor the row until the transaction commits.
        expect(await eventCount(streamId)).toBe(0);
        expect(await database.db.selectFrom('incidents').select('incident_id').where('incident_id', '=', incidentId).execute()).toEqual([]);
        throw abort;
      }),
    ).rejects.toBe(abort);

    expect(await eventCount(streamId)).toBe(0);
    expect(await database.db.selectFrom('incidents').select('incident_id').where('incident_id', '=', incidentId).execute()).toEqual([]);
  });

  it('an append whose projection fails (a second IncidentReported for an existing incident, on another stream) leaves no event', async () => {
    const { incidentId, streamId } = freshIncident('dup');
    await appendToStream(database.db, streamId, 'no_stream', [{ eventId: `${streamId}/1`, event: incidentReported(incidentId) }]);
    const incidentBefore = await database.db.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
    const before = await eventCount();

    const otherStream = `${streamId}-again`;
    const error = await appendToStream(database.db, otherStream, 'no_stream', [
      { eventId: `${otherStream}/1`, event: incidentReported(incidentId, { location: 'elders' }) },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    // It is not a race for the stream's version: the stream is empty and was expected to be.
    expect(error).not.toBeInstanceOf(ConcurrencyError);
    expect(String((error as Error).message)).toMatch(/incidents_pkey/);

    expect(await eventCount()).toBe(before);
    expect(await eventCount(otherStream)).toBe(0);
    expect(await database.db.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow()).toEqual(incidentBefore);
  });
});
