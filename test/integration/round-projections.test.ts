import { sql } from 'kysely';
import { appendToStream } from '../../db/event-store';
import { rebuildProjections } from '../../db/projections';
import { recurrenceByRounds, roundWithSpaces, supervisionReport } from '../../db/rounds';
import type { DomainEvent } from '../../domain/events';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { event, incidentReported } from '../support/events';

/**
 * The rounds' read models from their events, and the supervision reports over them: what an append
 * writes, a rebuild writes again row for row; old reports (without a source) read as complaints.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('round_projections');
});
afterAll(async () => {
  await database?.drop();
});

async function append(streamId: string, events: DomainEvent[]): Promise<void> {
  const { rows } = await sql<{ v: number | null }>`select max(stream_version) as v from events where stream_id = ${streamId}`.execute(database.db);
  const version = Number(rows[0]?.v ?? 0);
  await appendToStream(database.db, streamId, version, events.map((e, i) => ({ eventId: `${streamId}/${version + i + 1}`, event: e })));
}

const at = (day: string) => `${day}T09:00:00.000Z`;
const scheduled = (roundId: string, plannedDate: string, dueDate: string) =>
  event('RoundScheduled', {
    roundId,
    complexId: 'C1',
    consultant: 'carla',
    plannedDate,
    dueDate,
    due: `${dueDate}T23:00:00.000Z`,
    spaces: [
      { buildingId: 'C1-A', position: 1, name: 'Trappenhuis' },
      { buildingId: 'C1-A', position: 2, name: 'Kelder' },
      { buildingId: 'C1-B', position: 1, name: 'Hal' },
    ],
  });
const inOrder = (roundId: string, buildingId: string, position: number, day: string) => event('RoundSpaceInOrder', { roundId, buildingId, position, by: 'person:carla', at: at(day) });

async function tables() {
  const read = async (table: string, key: string) => (await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${sql.raw(key)}`.execute(database.db)).rows;
  return {
    rounds: await read('rounds', 'round_id'),
    spaces: await read('round_spaces', 'round_id, walk_order'),
    findings: await read('round_findings', 'finding_id'),
    incidents: (await sql`select incident_id, source, round_id from incidents order by incident_id`.execute(database.db)).rows,
  };
}

test('rounds, their spaces and findings are projected from the events, identically again after a rebuild; incidents keep their source', async () => {
  // An old report without a source is a complaint; a finding's incident is found by supervision.
  await append('incident-OLD', [incidentReported('OLD', { reportedAt: '2031-03-02T09:00:00.000Z' })]);
  await append('incident-FOUND', [incidentReported('FOUND', { buildingId: 'C1-A', category: 'bulk_waste', source: 'supervision', roundId: 'R1', reportedAt: at('2031-03-03') })]);

  // Round 1: walked late with a finding; round 2: on time, all in order.
  await append('round-R1', [scheduled('R1', '2031-03-03', '2031-03-10'), inOrder('R1', 'C1-A', 1, '2031-03-03')]);
  await append('round-R1', [
    event('RoundFindingRecorded', { roundId: 'R1', findingId: 'F-1', buildingId: 'C1-A', position: 2, category: 'bulk_waste', incidentId: 'FOUND', polluterKnown: false, by: 'person:carla', at: at('2031-03-03') }),
    event('RoundPaused', { roundId: 'R1', by: 'person:carla', at: at('2031-03-03') }),
    event('RoundOverdue', { roundId: 'R1', dueDate: '2031-03-10', at: '2031-03-10T23:00:00.000Z' }),
    event('RoundResumed', { roundId: 'R1', by: 'person:carla', at: at('2031-03-12') }),
    inOrder('R1', 'C1-B', 1, '2031-03-12'),
    event('RoundCompleted', { roundId: 'R1', by: 'person:carla', completedAt: at('2031-03-12'), onTime: false, spacesInOrder: 2, spacesWithFindings: 1, findings: 1 }),
  ]);
  await append('round-R2', [scheduled('R2', '2031-03-31', '2031-04-07'), inOrder('R2', 'C1-A', 1, '2031-03-31'), inOrder('R2', 'C1-A', 2, '2031-03-31'), inOrder('R2', 'C1-B', 1, '2031-03-31')]);
  await append('round-R2', [event('RoundCompleted', { roundId: 'R2', by: 'person:carla', completedAt: at('2031-03-31'), onTime: true, spacesInOrder: 3, spacesWithFindings: 0, findings: 0 })]);

  expect(await roundWithSpaces(database.db, 'R1')).toMatchObject({
    status: 'completed',
    overdue: true,
    onTime: false,
    spacesInOrder: 2,
    spacesWithFindings: 1,
    findings: 1,
    spaces: [
      { name: 'Trappenhuis', result: 'in_order', findings: [] },
      { name: 'Kelder', result: 'finding', findings: [{ findingId: 'F-1', incidentId: 'FOUND', polluterKnown: false }] },
      { name: 'Hal', result: 'in_order' },
    ],
  });
  const before = await tables();
  expect(before.incidents).toEqual([
    { incident_id: 'FOUND', source: 'supervision', round_id: 'R1' },
    { incident_id: 'OLD', source: 'complaint', round_id: null },
  ]);

  const report = await supervisionReport(database.db, { from: '2031-03-01', to: '2031-04-30' });
  expect(report.incidents).toEqual({ complaint: 1, supervision: 1, supervisionShare: 0.5, byComplexAndMonth: [{ complexId: 'C1', month: '2031-03', complaint: 1, supervision: 1 }] });
  expect(report.rounds).toEqual([{ complexId: 'C1', due: 2, completed: 2, onTime: 1, overdue: 1, open: 0, onTimeShare: 0.5 }]);
  // The liveability trend per building: C1-A from one of two spaces in order to both.
  expect(report.liveability.map((l) => [l.buildingId, l.plannedDate, l.inOrder, l.spaces])).toEqual([
    ['C1-A', '2031-03-03', 1, 2],
    ['C1-A', '2031-03-31', 2, 2],
    ['C1-B', '2031-03-03', 1, 1],
    ['C1-B', '2031-03-31', 1, 1],
  ]);

  await rebuildProjections(database.db);
  expect(await tables()).toEqual(before);
});

test('recurrence with and without rounds: an incident closed where a round followed, against one where none did, and which came back', async () => {
  const closed = (id: string, complexId: string, buildingId: string, day: string) =>
    append(`incident-${id}`, [incidentReported(id, { complexId, buildingId, reportedAt: at(day) }), event('IncidentClosed', { outcome: 'self_cleaned', closedAt: at(day) })]);
  // C1 had round R2 on 31 March (after this closing); C9 had none.
  await closed('C1-CLOSED', 'C1', 'C1-B', '2031-03-20');
  await closed('C9-CLOSED', 'C9', 'C9-A', '2031-03-20');
  // C9's came back a month later.
  await append('incident-C9-AGAIN', [incidentReported('C9-AGAIN', { complexId: 'C9', buildingId: 'C9-A', reportedAt: at('2031-04-20') })]);
  const figures = await recurrenceByRounds(database.db, { from: '2031-03-15', to: '2031-03-25', asOf: '2032-01-01', months: 6 });
  expect(figures).toEqual({ months: 6, withRounds: { judged: 1, cameBack: 0, rate: 0 }, withoutRounds: { judged: 1, cameBack: 1, rate: 1 } });
  // Not judged before the months have passed.
  expect((await recurrenceByRounds(database.db, { from: '2031-03-15', to: '2031-03-25', asOf: '2031-06-01', months: 6 })).withRounds.judged).toBe(0);
});
