import { sql, type Transaction } from 'kysely';
import type { DomainEvent } from '../domain/events';
import type { Database } from './schema';

type Tx = Transaction<Database>;
type RoundEvent = Extract<DomainEvent, { type: `Round${string}` }>;

export const isRoundEvent = (event: DomainEvent): event is RoundEvent => event.type.startsWith('Round');

/**
 * The rounds' read models from their events (in the append's transaction, and again in a rebuild):
 * a row per round with its counts, a row per space with its result, a row per finding.
 */
export async function projectRoundEvent(trx: Tx, event: RoundEvent, recordedAt: Date): Promise<void> {
  switch (event.type) {
    case 'RoundScheduled': {
      const d = event.data;
      await trx
        .insertInto('rounds')
        .values({
          round_id: d.roundId,
          complex_id: d.complexId,
          consultant: d.consultant,
          planned_date: d.plannedDate,
          due_date: d.dueDate,
          due_at: new Date(d.due),
          status: 'open',
          overdue: false,
          spaces_total: d.spaces.length,
          spaces_in_order: 0,
          spaces_with_findings: 0,
          findings: 0,
          completed_at: null,
          on_time: null,
          scheduled_at: recordedAt,
        })
        .execute();
      await trx
        .insertInto('round_spaces')
        .values(d.spaces.map((s, index) => ({ round_id: d.roundId, building_id: s.buildingId, position: s.position, walk_order: index + 1, name: s.name, result: null, marked_at: null })))
        .execute();
      break;
    }
    case 'RoundSpaceInOrder': {
      const d = event.data;
      await markSpace(trx, d.roundId, d.buildingId, d.position, 'in_order', d.at);
      await trx.updateTable('rounds').set({ spaces_in_order: sql`spaces_in_order + 1` }).where('round_id', '=', d.roundId).execute();
      break;
    }
    case 'RoundFindingRecorded': {
      const d = event.data;
      const first = await trx
        .selectFrom('round_spaces')
        .select('result')
        .where('round_id', '=', d.roundId)
        .where('building_id', '=', d.buildingId)
        .where('position', '=', d.position)
        .executeTakeFirst();
      await markSpace(trx, d.roundId, d.buildingId, d.position, 'finding', d.at);
      await trx
        .updateTable('rounds')
        .set({ findings: sql`findings + 1`, ...(first?.result === 'finding' ? {} : { spaces_with_findings: sql`spaces_with_findings + 1` }) })
        .where('round_id', '=', d.roundId)
        .execute();
      await trx
        .insertInto('round_findings')
        .values({
          finding_id: d.findingId,
          round_id: d.roundId,
          building_id: d.buildingId,
          position: d.position,
          category: d.category,
          incident_id: d.incidentId,
          polluter_known: d.polluterKnown,
          recorded_by: d.by,
          recorded_at: new Date(d.at),
        })
        .execute();
      break;
    }
    case 'RoundPaused':
      await trx.updateTable('rounds').set({ status: 'paused' }).where('round_id', '=', event.data.roundId).execute();
      break;
    case 'RoundResumed':
      await trx.updateTable('rounds').set({ status: 'open' }).where('round_id', '=', event.data.roundId).execute();
      break;
    case 'RoundOverdue':
      await trx.updateTable('rounds').set({ overdue: true }).where('round_id', '=', event.data.roundId).execute();
      break;
    case 'RoundCompleted':
      await trx
        .updateTable('rounds')
        .set({ status: 'completed', completed_at: new Date(event.data.completedAt), on_time: event.data.onTime })
        .where('round_id', '=', event.data.roundId)
        .execute();
      break;
  }
}

function markSpace(trx: Tx, roundId: string, buildingId: string, position: number, result: 'in_order' | 'finding', at: string) {
  return trx
    .updateTable('round_spaces')
    .set({ result, marked_at: new Date(at) })
    .where('round_id', '=', roundId)
    .where('building_id', '=', buildingId)
    .where('position', '=', position)
    .execute();
}
