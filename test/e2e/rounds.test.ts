import { randomUUID } from 'node:crypto';
import { addWorkingDays, amsterdamDate, isWorkingDay } from '../../domain/calendar';
import { startSession } from '../../api/sessions';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/**
 * Supervision rounds through the API on the dev server (Schedules need the real server; the
 * time-skipping one has none): a plan makes the complex's Temporal Schedule, a trigger starts a
 * round, the consultant walks it, a finding becomes an incident as a report would, and the report
 * counts what came from supervision.
 */
const slowPolicy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
    bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_rounds', slowPolicy);
  // The consultant who walks the rounds has signed in once (that is how the workspace knows people).
  await startSession(stack.database.db, { subject: 'carla', name: 'Carla de Consulent', email: 'carla@corp.test', roles: ['consultant'] }, null);
});
afterAll(async () => {
  await stack.client.schedule
    .getHandle('round-plan-C1')
    .delete()
    .catch(() => undefined);
  await stack?.stop();
});

type Json = Record<string, unknown>;
const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Json, role: 'consultant' | 'admin' | 'manager' = 'consultant') =>
  stack.app.inject({ method, url, headers: auth(role), ...(payload ? { payload } : {}) });

const plan = {
  consultant: 'carla',
  intervalWeeks: 4,
  dueWithinWorkingDays: 5,
  firstDate: '2027-01-04',
  buildings: [
    { buildingId: 'C1-A', spaces: ['Trappenhuis', 'Bergingsgang kelder'] },
    { buildingId: 'C1-B', spaces: ['Hal'] },
  ],
};

async function theRound(): Promise<any> {
  for (const deadline = Date.now() + 30_000; ; ) {
    const response = await call('GET', '/rounds?complexId=C1&status=open');
    const { rounds } = response.json() as { rounds: { roundId: string }[] };
    if (rounds.length > 0) return (await call('GET', `/rounds/${encodeURIComponent(rounds[0]!.roundId)}`)).json();
    if (Date.now() > deadline) throw new Error('no round started');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a plan is refused with the field to mend when it does not fit the directory', async () => {
  const unknownBuilding = await call('PUT', '/rounds/plans/C1', { ...plan, buildings: [...plan.buildings, { buildingId: 'ELDERS-9', spaces: ['Hal'] }] });
  expect(unknownBuilding.statusCode).toBe(400);
  expect(unknownBuilding.json().errors).toEqual([{ path: 'body.buildings.2.buildingId', message: 'not a building in the directory' }]);

  const otherComplex = await call('PUT', '/rounds/plans/C2', plan);
  expect(otherComplex.statusCode).toBe(400);
  expect(otherComplex.json().errors).toContainEqual({ path: 'body.buildings.0.buildingId', message: 'not a building of complex C2' });

  const nobody = await call('PUT', '/rounds/plans/C1', { ...plan, consultant: 'niemand' });
  expect(nobody.statusCode).toBe(400);
  expect(nobody.json().errors).toEqual([{ path: 'body.consultant', message: 'not a consultant who has signed in' }]);

  const twice = await call('PUT', '/rounds/plans/C1', { ...plan, buildings: [{ buildingId: 'C1-A', spaces: ['Hal', 'hal'] }] });
  expect(twice.statusCode).toBe(400);
  expect(twice.json().errors[0].path).toBe('body.buildings.0.spaces.1');

  expect((await call('PUT', '/rounds/plans/C1', { ...plan, intervalWeeks: 0 })).statusCode).toBe(400);
  expect((await call('PUT', '/rounds/plans/C1', plan, 'manager')).statusCode).toBe(403);
  expect((await call('GET', '/rounds/plans/C1')).statusCode).toBe(404);
});

test('saving a plan makes the complex its Temporal Schedule, once, and saving it again updates that schedule', async () => {
  const saved = await call('PUT', '/rounds/plans/C1', plan);
  expect(saved.statusCode).toBe(200);
  expect(saved.json()).toMatchObject({ complexId: 'C1', scheduleId: 'round-plan-C1', consultant: 'carla', intervalWeeks: 4 });
  // Every 4 weeks from the first day at 06:00 in Amsterdam (05:00 UTC in winter).
  expect(saved.json().nextRounds.slice(0, 2)).toEqual(['2027-01-04T05:00:00.000Z', '2027-02-01T05:00:00.000Z']);

  const schedule = await stack.client.schedule.getHandle('round-plan-C1').describe();
  expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'roundWorkflow', workflowId: 'round-C1', taskQueue: stack.taskQueue });
  expect(schedule.policies.overlap).toBe('ALLOW_ALL');

  const changed = await call('PUT', '/rounds/plans/C1', { ...plan, intervalWeeks: 2 });
  expect(changed.statusCode).toBe(200);
  expect(changed.json().nextRounds.slice(0, 2)).toEqual(['2027-01-04T05:00:00.000Z', '2027-01-18T05:00:00.000Z']);
  const schedules: string[] = [];
  for await (const s of stack.client.schedule.list()) if (s.scheduleId === 'round-plan-C1') schedules.push(s.scheduleId);
  expect(schedules.length).toBeLessThanOrEqual(1); // listing is eventually consistent: never two
  expect((await call('PUT', '/rounds/plans/C1', plan)).statusCode).toBe(200);
  expect((await call('GET', '/rounds/plans', undefined, 'manager')).json().plans).toEqual([expect.objectContaining({ complexId: 'C1', intervalWeeks: 4 })]);
});

test('a triggered round is walked: spaces in walking order, in order or a finding that becomes an incident with source supervision, pause, resume, completion', async () => {
  expect((await call('POST', '/rounds/plans/C1/trigger')).statusCode).toBe(202);
  const round = await theRound();
  const today = amsterdamDate(new Date());
  const planned = isWorkingDay(today) ? today : addWorkingDays(today, 1);
  expect(round).toMatchObject({ complexId: 'C1', consultant: 'carla', status: 'open', overdue: false, plannedDate: planned, dueDate: addWorkingDays(planned, 5), spacesTotal: 3 });
  expect(round.spaces.map((s: any) => `${s.buildingId}/${s.position} ${s.name}`)).toEqual(['C1-A/1 Trappenhuis', 'C1-A/2 Bergingsgang kelder', 'C1-B/1 Hal']);
  // In the consultant's own list.
  expect((await call('GET', '/rounds?consultant=carla&status=open')).json().rounds.map((r: any) => r.roundId)).toEqual([round.roundId]);
  const url = `/rounds/${encodeURIComponent(round.roundId)}`;

  expect((await call('POST', `${url}/spaces/in-order`, { buildingId: 'C1-A', position: 1 })).json()).toMatchObject({ status: 'open' });
  // Marked again: nothing changes.
  expect((await call('POST', `${url}/spaces/in-order`, { buildingId: 'C1-A', position: 1 })).statusCode).toBe(200);
  expect((await call('POST', `${url}/spaces/in-order`, { buildingId: 'C1-A', position: 9 })).statusCode).toBe(400);
  const early = await call('POST', `${url}/completion`);
  expect(early.statusCode).toBe(409);
  expect(early.json().detail).toContain('2 of the round\'s spaces are not yet looked at: Bergingsgang kelder, Hal');

  // A finding naming its polluter: an incident as a report would be, found by supervision.
  const finding = { findingId: randomUUID(), buildingId: 'C1-A', position: 2, category: 'bulk_waste', note: 'Matras en kast in de gang', polluterTenantId: 'A-2' };
  const recorded = await call('POST', `${url}/findings`, finding);
  expect(recorded.statusCode).toBe(201);
  const { incidentId } = recorded.json();
  // Sent again (a weak connection): the same finding and incident, nothing twice.
  const again = await call('POST', `${url}/findings`, finding);
  expect(again.statusCode).toBe(200);
  expect(again.json().incidentId).toBe(incidentId);
  const incident = await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  expect(incident).toMatchObject({ source: 'supervision', roundId: round.roundId, category: 'bulk_waste', buildingId: 'C1-A', location: 'Bergingsgang kelder', polluterTenantId: 'A-2' });
  expect(incident.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['IncidentReported', 'RoundFindingRecorded', 'PolluterNotified']));
  // The polluter got the formal notice, as for any report.
  for (const deadline = Date.now() + 20_000; stack.smtp.to('a2@bewoners.test').length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(stack.smtp.to('a2@bewoners.test').map((m) => m.subject)).toEqual([expect.stringMatching(/^Ingebrekestelling: grofvuil/)]);
  expect(stack.smtp.to('a2@bewoners.test')[0]!.text).toContain('Bergingsgang kelder');
  expect((await call('GET', '/incidents?source=supervision')).json().incidents.map((i: any) => i.incidentId)).toEqual([incidentId]);
  // The space with a finding cannot be marked in order after all.
  expect((await call('POST', `${url}/spaces/in-order`, { buildingId: 'C1-A', position: 2 })).statusCode).toBe(409);

  // Paused, and taken up again by marking the next space.
  expect((await call('POST', `${url}/pause`)).json().status).toBe('paused');
  expect((await call('GET', url)).json().status).toBe('paused');
  expect((await call('POST', `${url}/spaces/in-order`, { buildingId: 'C1-B', position: 1 })).json().status).toBe('open');
  const done = await call('POST', `${url}/completion`);
  expect(done.json().status).toBe('completed');
  const walked = (await call('GET', url)).json();
  expect(walked).toMatchObject({ status: 'completed', onTime: true, spacesInOrder: 2, spacesWithFindings: 1, findings: 1 });
  expect(walked.spaces[1].findings).toEqual([expect.objectContaining({ findingId: finding.findingId, incidentId, polluterKnown: true })]);
  expect((await call('POST', `${url}/spaces/in-order`, { buildingId: 'C1-A', position: 1 })).statusCode).toBe(409);
  expect((await call('POST', `${url}/findings`, { ...finding, findingId: randomUUID() })).statusCode).toBe(409);

  // What the team learns: one complaint and one finding this month, the round on time, the liveability per building.
  const complaint = await call('POST', '/incidents', { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', location: 'trappenhuis' });
  expect(complaint.statusCode).toBe(201);
  await waitForIncident(stack, complaint.json().incidentId, () => true);
  // From today to the day it was planned for (the next working day, when today is none).
  const report = (await call('GET', `/reports/supervision?from=${today}&to=${planned}&complexId=C1`, undefined, 'manager')).json();
  expect(report.incidents).toMatchObject({ complaint: 1, supervision: 1, supervisionShare: 0.5 });
  expect(report.incidents.byComplexAndMonth).toEqual([{ complexId: 'C1', month: today.slice(0, 7), complaint: 1, supervision: 1 }]);
  expect(report.rounds).toEqual([{ complexId: 'C1', due: 1, completed: 1, onTime: 1, overdue: 0, open: 0, onTimeShare: 1 }]);
  expect(report.liveability.map((l: any) => [l.buildingId, l.spaces, l.inOrder, l.inOrderShare])).toEqual([
    ['C1-A', 2, 1, 0.5],
    ['C1-B', 1, 1, 1],
  ]);
  const recurrence = await call('GET', `/reports/recurrence-by-rounds?from=${today}&to=${today}`, undefined, 'manager');
  expect(recurrence.statusCode).toBe(200);
  expect(recurrence.json()).toMatchObject({ months: 6, withRounds: { judged: 0 }, withoutRounds: { judged: 0 } });
});
