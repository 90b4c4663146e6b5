import type { EventData, EventOf, EventType } from '../../domain/events';
import type { NewEvent } from '../../db/event-store';

/** A domain event of one type, typed by its data. */
export function event<K extends EventType>(type: K, data: EventData<K>): EventOf<K> {
  return { type, data } as EventOf<K>;
}

/** A batch entry with a deterministic id. */
export function newEvent<K extends EventType>(eventId: string, type: K, data: EventData<K>): NewEvent {
  return { eventId, event: event(type, data) };
}

export function incidentReported(incidentId: string, overrides: Partial<EventData<'IncidentReported'>> = {}): EventOf<'IncidentReported'> {
  return event('IncidentReported', {
    incidentId,
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'trappenhuis, 2e verdieping',
    description: 'afval in het trappenhuis',
    polluterTenantId: null,
    complainantTenantId: null,
    reportedBy: 'consultant-1',
    reportedAt: '2031-03-03T09:00:00.000Z',
    ...overrides,
  });
}
