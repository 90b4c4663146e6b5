import { decideRound, evolveRound, initialRoundState, nextForRound, roundDates, spacesOfPlan, type RoundState } from '../../domain/round';
import { roundPlanSchema } from '../../domain/round-plan';
import { IllegalStateError, ValidationError } from '../../domain/errors';
import type { DomainEvent } from '../../domain/events';
import { roundScheduleSpec } from '../../api/round-schedules';

const now = '2032-03-08T09:00:00.000Z';
const by = 'person:carla';
const scheduled: DomainEvent = {
  type: 'RoundScheduled',
  data: {
    roundId: 'R1',
    complexId: 'C1',
    consultant: 'carla',
    plannedDate: '2032-03-08',
    dueDate: '2032-03-15',
    due: '2032-03-15T23:00:00.000Z',
    spaces: [
      { buildingId: 'A', position: 1, name: 'Trappenhuis' },
      { buildingId: 'A', position: 2, name: 'Kelder' },
    ],
  },
};
const given = (...events: DomainEvent[]): RoundState => events.reduce(evolveRound, initialRoundState);
const finding = { type: 'RecordFinding' as const, findingId: 'f-1', buildingId: 'A', position: 2, category: 'bulk_waste' as const, incidentId: 'i-1', polluterKnown: false, by, now };

describe('a round (domain/round.ts)', () => {
  test('a space in order, marked again, changes nothing; a space not in the round is a validation error', () => {
    const marked = decideRound(given(scheduled), { type: 'MarkInOrder', buildingId: 'A', position: 1, by, now });
    expect(marked).toEqual([{ type: 'RoundSpaceInOrder', data: { roundId: 'R1', buildingId: 'A', position: 1, by, at: now } }]);
    expect(decideRound(given(scheduled, ...marked), { type: 'MarkInOrder', buildingId: 'A', position: 1, by, now })).toEqual([]);
    expect(() => decideRound(given(scheduled), { type: 'MarkInOrder', buildingId: 'B', position: 1, by, now })).toThrow(ValidationError);
  });

  test('a finding is recorded once by its id; its space cannot be marked in order after it, nor an in-order space get one', () => {
    const recorded = decideRound(given(scheduled), finding);
    expect(recorded).toEqual([{ type: 'RoundFindingRecorded', data: { roundId: 'R1', findingId: 'f-1', buildingId: 'A', position: 2, category: 'bulk_waste', incidentId: 'i-1', polluterKnown: false, by, at: now } }]);
    const after = given(scheduled, ...recorded);
    expect(decideRound(after, finding)).toEqual([]);
    // A second, different finding at the same space is another finding.
    expect(decideRound(after, { ...finding, findingId: 'f-2', incidentId: 'i-2' })).toHaveLength(1);
    expect(() => decideRound(after, { type: 'MarkInOrder', buildingId: 'A', position: 2, by, now })).toThrow(IllegalStateError);
    const inOrder = given(scheduled, ...decideRound(given(scheduled), { type: 'MarkInOrder', buildingId: 'A', position: 2, by, now }));
    expect(() => decideRound(inOrder, finding)).toThrow(/marked in order/);
  });

  test('marking a space of a paused round resumes it first; pausing twice records one pause', () => {
    const paused = given(scheduled, ...decideRound(given(scheduled), { type: 'Pause', by, now }));
    expect(paused.status).toBe('paused');
    expect(decideRound(paused, { type: 'Pause', by, now })).toEqual([]);
    expect(decideRound(paused, { type: 'MarkInOrder', buildingId: 'A', position: 1, by, now }).map((e) => e.type)).toEqual(['RoundResumed', 'RoundSpaceInOrder']);
    expect(decideRound(given(scheduled), { type: 'Resume', by, now })).toEqual([]);
  });

  test('completion needs every space looked at, and says whether the round was on time (by its Amsterdam due day)', () => {
    expect(() => decideRound(given(scheduled), { type: 'Complete', by, now })).toThrow("2 of the round's spaces are not yet looked at: Trappenhuis, Kelder");
    const walked = given(scheduled, ...decideRound(given(scheduled), { type: 'MarkInOrder', buildingId: 'A', position: 1, by, now }), ...decideRound(given(scheduled), finding));
    const onDueDay = decideRound(walked, { type: 'Complete', by, now: '2032-03-15T22:59:00.000Z' });
    expect(onDueDay).toEqual([{ type: 'RoundCompleted', data: { roundId: 'R1', by, completedAt: '2032-03-15T22:59:00.000Z', onTime: true, spacesInOrder: 1, spacesWithFindings: 1, findings: 1 } }]);
    expect(decideRound(walked, { type: 'Complete', by, now: '2032-03-15T23:00:00.000Z' })[0]!.data).toMatchObject({ onTime: false });
    const completed = given(scheduled, ...decideRound(walked, { type: 'Complete', by, now }));
    expect(() => decideRound(completed, { type: 'MarkInOrder', buildingId: 'A', position: 1, by, now })).toThrow('the round is completed');
    expect(() => decideRound(initialRoundState, { type: 'Pause', by, now })).toThrow('the round has not started');
  });

  test('the process waits until the due instant, then marks the round overdue once, then waits for the walk without end', () => {
    const due = '2032-03-15T23:00:00.000Z';
    expect(nextForRound(given(scheduled), due, now)).toEqual({ type: 'wait', until: due });
    expect(nextForRound(given(scheduled), due, due)).toEqual({ type: 'overdue' });
    const overdue = given(scheduled, { type: 'RoundOverdue', data: { roundId: 'R1', dueDate: '2032-03-15', at: due } });
    expect(nextForRound(overdue, due, '2032-04-01T00:00:00.000Z')).toEqual({ type: 'wait', until: null });
  });

  test('dates: a round on a weekend or public holiday is walked the next working day, due that many working days later at midnight in Amsterdam', () => {
    expect(roundDates(new Date('2032-03-06T05:00:00Z'), 5)).toEqual({ plannedDate: '2032-03-08', dueDate: '2032-03-15', due: '2032-03-15T23:00:00.000Z' });
    // King's Day (Tuesday 27 April 2032) is no working day; summer time: midnight is 22:00 UTC.
    expect(roundDates(new Date('2032-04-27T04:00:00Z'), 1)).toEqual({ plannedDate: '2032-04-28', dueDate: '2032-04-29', due: '2032-04-29T22:00:00.000Z' });
  });
});

describe('a round plan', () => {
  const plan = { consultant: 'carla', intervalWeeks: 4, firstDate: '2027-01-04', buildings: [{ buildingId: 'A', spaces: ['Hal', 'Kelder'] }, { buildingId: 'B', spaces: ['Hal'] }] };

  test('has five working days to walk by default, and its spaces in walking order building by building', () => {
    const parsed = roundPlanSchema.parse(plan);
    expect(parsed.dueWithinWorkingDays).toBe(5);
    expect(spacesOfPlan(parsed)).toEqual([
      { buildingId: 'A', position: 1, name: 'Hal' },
      { buildingId: 'A', position: 2, name: 'Kelder' },
      { buildingId: 'B', position: 1, name: 'Hal' },
    ]);
  });

  test('refuses a building twice, a space twice in a building (case aside), no spaces, a bad date or interval', () => {
    const issues = (value: unknown) => roundPlanSchema.safeParse(value).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ ...plan, buildings: [...plan.buildings, { buildingId: 'A', spaces: ['Zolder'] }] })).toEqual(['buildings.2.buildingId']);
    expect(issues({ ...plan, buildings: [{ buildingId: 'A', spaces: ['Hal', 'hal'] }] })).toEqual(['buildings.0.spaces.1']);
    expect(issues({ ...plan, buildings: [{ buildingId: 'A', spaces: [] }] })).toEqual(['buildings.0.spaces']);
    expect(issues({ ...plan, firstDate: '4-1-2027' })).toEqual(['firstDate']);
    expect(issues({ ...plan, intervalWeeks: 0 })).toEqual(['intervalWeeks']);
  });

  test("its schedule beats every so many weeks from the first day at 06:00 in Amsterdam", () => {
    const spec = roundScheduleSpec({ intervalWeeks: 4, firstDate: '2027-01-04' });
    const { every, offset } = spec.intervals![0]! as { every: number; offset: number };
    expect(every).toBe(28 * 24 * 3600 * 1000);
    const first = Date.parse('2027-01-04T05:00:00Z');
    expect((first - offset) % every).toBe(0);
    expect(spec.startAt!.getTime()).toBeLessThan(first);
  });
});
