import { sql, type Transaction } from 'kysely';
import { ZodError } from 'zod';
import { parseEvent, eventSchemaVersion, type DomainEvent } from '../domain/events';
import { ValidationError } from '../domain/errors';
import { UNSTORABLE_TEXT_MESSAGE, unstorableTextPath } from '../domain/text';
import type { Db } from './connection';
import type { Database, NewEventRow } from './schema';
import { projectAppended } from './projections';
import { toStoredEvent, type EventMetadata, type StoredEvent } from './stored-event';
import { incidentStreamId } from '../domain/streams';

export { toStoredEvent, type EventMetadata, type StoredEvent };

export type Tx = Transaction<Database>;

/** `no_stream`: the stream must not exist yet; a number: the stream's current version (0 = empty). */
export type ExpectedVersion = number | 'no_stream' | 'any';


export interface NewEvent {
  /** Deterministic id (for example workflow id + sequence): appending it again appends nothing. */
  eventId: string;
  event: DomainEvent;
}


export interface AppendResult {
  /** The stream's version after the append. */
  streamVersion: number;
  events: StoredEvent[];
  /** true when every event had been appended before (a retried append). */
  alreadyAppended: boolean;
}

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(`stream ${streamId} is at version ${actualVersion}, expected ${String(expectedVersion)}`);
    this.name = 'ConcurrencyError';
  }
}

/** Some but not all of a batch's event ids exist: the batch differs from the one appended before. */
export class EventIdConflictError extends Error {
  constructor(readonly streamId: string, readonly eventIds: string[]) {
    super(`stream ${streamId}: events ${eventIds.join(', ')} were appended before with a different batch`);
    this.name = 'EventIdConflictError';
  }
}


async function streamVersion(db: Db | Tx, streamId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('stream_version').as('version'))
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  return row?.version ?? 0;
}

export function isUniqueViolation(error: unknown): error is { code: string; constraint?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

/** A unique violation on the events table itself (stream version or event id), not one in a projection. */
function isEventsUniqueViolation(error: unknown): boolean {
  return isUniqueViolation(error) && (error as { table?: string }).table === 'events';
}

/** Parse every event of a batch against its schema; an invalid one is a ValidationError naming the field. */
function validateEvents(newEvents: NewEvent[]): NewEvent[] {
  if (newEvents.length === 0) throw new ValidationError('nothing to append');
  return newEvents.map(({ eventId, event }, index) => {
    const unstorable = unstorableTextPath(event.data);
    if (unstorable) {
      const path = `events.${index}.data.${unstorable.join('.')}`;
      throw new ValidationError(`event ${index} (${event.type}): ${path} ${UNSTORABLE_TEXT_MESSAGE}`, [{ path, message: UNSTORABLE_TEXT_MESSAGE }]);
    }
    try {
      return { eventId, event: parseEvent(event.type, event.data) };
    } catch (error) {
      if (error instanceof ZodError) {
        throw new ValidationError(
          `event ${index} (${event.type}) is invalid`,
          error.issues.map((issue) => ({ path: `events.${index}.data.${issue.path.join('.')}`, message: issue.message })),
        );
      }
      throw error;
    }
  });
}

/**
 * Append events to one stream, checking the version it is expected to be at, and update the
 * read models in the same transaction. Idempotent by event id.
 */
export async function appendToStream(
  db: Db,
  streamId: string,
  expectedVersion: ExpectedVersion,
  newEvents: NewEvent[],
  metadata: EventMetadata = {},
  /** Checked in the append's transaction, before the events are written (a rule across streams). */
  guard?: (trx: Tx, events: NewEvent[]) => Promise<void>,
): Promise<AppendResult> {
  const validated = validateEvents(newEvents);
  const eventIds = validated.map((e) => e.eventId);
  try {
    return await db.transaction().execute(async (trx) => {
      if (guard) await guard(trx, validated);
      return appendWithin(trx, streamId, expectedVersion, validated, metadata);
    });
  } catch (error) {
    if (isEventsUniqueViolation(error)) {
      // Another append won the race for these versions (or these event ids) between our read and insert.
      const actual = await streamVersion(db, streamId);
      const existing = await db.selectFrom('events').select('event_id').where('event_id', 'in', eventIds).execute();
      if (existing.length === eventIds.length) {
        const rows = await db.selectFrom('events').selectAll().where('event_id', 'in', eventIds).orderBy('position').execute();
        return { streamVersion: actual, events: rows.map(toStoredEvent), alreadyAppended: true };
      }
      throw new ConcurrencyError(streamId, expectedVersion, actual);
    }
    throw error;
  }
}

/**
 * The append itself, inside a transaction the caller owns (for example one that also takes the next
 * invoice number). A unique violation surfaces as the database error; appendToStream maps it.
 */
export async function appendWithin(
  trx: Tx,
  streamId: string,
  expectedVersion: ExpectedVersion,
  newEvents: NewEvent[],
  metadata: EventMetadata = {},
): Promise<AppendResult> {
  const [result] = await appendToStreamsWithin(trx, [{ streamId, expectedVersion, events: newEvents, metadata }]);
  return result!;
}

export interface StreamAppend {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: NewEvent[];
  metadata?: EventMetadata;
}

/**
 * Appends to several streams in one transaction, each checked and idempotent as `appendWithin`
 * checks one, with three statements for all of them: for an import of many incidents at once
 * (history from an earlier system, the benchmark's seed). A stream may appear more than once; its
 * appends follow each other in the order given. One failed check fails them all.
 */
export async function appendToStreamsWithin(trx: Tx, appends: StreamAppend[]): Promise<AppendResult[]> {
  // Validated here too: callers that own the transaction (issueInvoice) must not write an invalid event either.
  const batches = appends.map((append) => ({ ...append, events: validateEvents(append.events) }));
  const streamIds = [...new Set(batches.map((b) => b.streamId))];
  const eventIds = batches.flatMap((b) => b.events.map((e) => e.eventId));
  // The versions before the event ids: a racing append of this same batch that commits between the
  // two reads is then found by the second, and its retry is not mistaken for a version conflict.
  // A max() per stream, not one grouped over all of them: each is then one probe at the end of the
  // stream's index range instead of a visit to every event of the stream.
  const { rows: versionRows } = await sql<{ stream_id: string; version: number | null }>`
    select s.stream_id, (select max(e.stream_version) from events e where e.stream_id = s.stream_id) as version
    from unnest(${streamIds}::text[]) as s(stream_id)`.execute(trx);
  const versions = new Map(versionRows.map((r) => [r.stream_id, Number(r.version ?? 0)]));
  const existingRows = await trx.selectFrom('events').selectAll().where(sql<boolean>`event_id = any(${eventIds}::text[])`).orderBy('position').execute();
  const existing = new Map(existingRows.map((row) => [row.event_id, row]));

  const results: (AppendResult | { streamId: string; from: number; count: number })[] = [];
  const inserts: NewEventRow[] = [];
  for (const batch of batches) {
    const current = versions.get(batch.streamId) ?? 0;
    const found = batch.events.filter((e) => existing.has(e.eventId));
    if (found.length === batch.events.length) {
      const events = found.map((e) => toStoredEvent(existing.get(e.eventId)!)).sort((a, b) => a.position - b.position);
      // The version read above may predate the racing append that stored these events.
      results.push({ streamVersion: Math.max(current, ...events.map((e) => e.streamVersion)), events, alreadyAppended: true });
      continue;
    }
    if (found.length > 0) throw new EventIdConflictError(batch.streamId, found.map((e) => e.eventId));
    const expected = batch.expectedVersion === 'no_stream' ? 0 : batch.expectedVersion;
    if (expected !== 'any' && current !== expected) throw new ConcurrencyError(batch.streamId, batch.expectedVersion, current);
    const metadata = JSON.stringify(batch.metadata ?? {});
    batch.events.forEach(({ eventId, event }, index) =>
      inserts.push({
        stream_id: batch.streamId,
        stream_version: current + index + 1,
        event_id: eventId,
        type: event.type,
        schema_version: eventSchemaVersion,
        data: JSON.stringify(event.data),
        metadata,
      }),
    );
    results.push({ streamId: batch.streamId, from: inserts.length - batch.events.length, count: batch.events.length });
    versions.set(batch.streamId, current + batch.events.length);
  }
  if (inserts.length === 0) return results as AppendResult[];

  // Positions are given in the order of the rows.
  const rows = await trx.insertInto('events').values(inserts).returningAll().execute();
  const stored = rows.map(toStoredEvent).sort((a, b) => a.position - b.position);
  await projectAppended(trx, stored);
  return results.map((result) => {
    if ('alreadyAppended' in result) return result;
    const events = stored.slice(result.from, result.from + result.count);
    return { streamVersion: events[events.length - 1]!.streamVersion, events, alreadyAppended: false };
  });
}

export async function readStream(db: Db | Tx, streamId: string): Promise<StoredEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('stream_id', '=', streamId).orderBy('stream_version').execute();
  return rows.map(toStoredEvent);
}

/** The incident's own stream and every event elsewhere that names it (its invoices). */
export async function readIncidentTimeline(db: Db, incidentId: string): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where((eb) => eb.or([eb('stream_id', '=', incidentStreamId(incidentId)), eb(sql<string>`data->>'incidentId'`, '=', incidentId)]))
    .orderBy('position')
    .execute();
  return rows.map(toStoredEvent);
}

/** Read every event in global order, a page at a time. */
export async function* readAll(db: Db | Tx, pageSize = 1000): AsyncGenerator<StoredEvent[]> {
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('events').selectAll().where('position', '>', after).orderBy('position').limit(pageSize).execute();
    if (rows.length === 0) return;
    const page = rows.map(toStoredEvent);
    yield page;
    after = page[page.length - 1]!.position;
  }
}
