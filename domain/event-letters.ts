import type { DomainEvent } from './events';
import type { Letter } from './letters';

/**
 * The letters an event carries. Apart from domain/events.ts (its zod schemas) because the workflows
 * use it, and every module a workflow imports is evaluated again for each workflow a worker starts
 * or replays.
 */
export function lettersOf(event: DomainEvent): Letter[] {
  return 'letters' in event.data ? event.data.letters : [];
}
