import { parseEvent, type DomainEvent } from '../domain/events';
import type { EventRow } from './schema';

/** What a stored event's metadata says: who acted, in which workflow, caused by which event. */
export interface EventMetadata {
  workflowId?: string;
  runId?: string;
  actor?: string;
  causationId?: string;
  [key: string]: unknown;
}

/** An event as the events table holds it, its data parsed against its schema. */
export interface StoredEvent {
  position: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  event: DomainEvent;
  metadata: EventMetadata;
  recordedAt: Date;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: Number(row.position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    event: parseEvent(row.type, row.data),
    metadata: row.metadata as EventMetadata,
    recordedAt: row.recorded_at,
  };
}
