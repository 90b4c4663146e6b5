import { addCalendarDays } from '../../domain/calendar';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/**
 * The incident list's filters that the consultant's work queue reads (phase, deadline, disputes
 * waiting for a ruling) and its search: each a filter of the API, so that every page and every
 * integration gets the same answer.
 */
const slowPolicy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
    bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_consultant_api', slowPolicy);
});
afterAll(async () => {
  await stack?.stop();
});

type Json = Record<string, unknown>;

async function notified(body: Json): Promise<{ incidentId: string; deadlineDate: string }> {
  const response = await stack.app.inject({ method: 'POST', url: '/incidents', headers: auth('consultant'), payload: body });
  expect(response.statusCode).toBe(201);
  const incident = await waitForIncident(stack, response.json().incidentId, (i) => i.phase === 'awaiting_cleanup');
  return { incidentId: incident.incidentId, deadlineDate: incident.deadlineDate };
}

async function list(query: string): Promise<{ ids: string[]; total: number }> {
  const response = await stack.app.inject({ method: 'GET', url: `/incidents?${query}`, headers: auth('consultant') });
  expect(response.statusCode).toBe(200);
  const body = response.json() as { incidents: { incidentId: string }[]; total: number };
  return { ids: body.incidents.map((i) => i.incidentId).sort(), total: body.total };
}

const post = (url: string, payload: Json) => stack.app.inject({ method: 'POST', url, headers: auth('consultant'), payload });

test('the work queue filters: open incidents by phase, by the day their deadline falls, and those with a dispute waiting for a ruling', async () => {
  const stairs = await notified({ category: 'fouled_stairwell', complexId: 'Q1', buildingId: 'Q1-A', location: 'trappenhuis', polluterTenantId: 'A-2' });
  const bikes = await notified({ category: 'bulk_waste', complexId: 'Q1', buildingId: 'Q1-B', location: 'fietsenstalling' });
  const hall = await notified({ category: 'fouled_stairwell', complexId: 'Q1', buildingId: 'Q1-C', location: 'hal', polluterTenantId: 'A-3' });
  const mine = [stairs.incidentId, bikes.incidentId, hall.incidentId].sort();

  // A cleanup reported: the bikes' incident waits for an inspection; a dispute on the hall's.
  expect((await post(`/incidents/${bikes.incidentId}/cleanup-reports`, {})).statusCode).toBe(200);
  expect((await post(`/incidents/${hall.incidentId}/disputes`, { reason: 'ik was het niet' })).statusCode).toBe(200);
  await waitForIncident(stack, bikes.incidentId, (i) => i.phase === 'cleanup_reported');
  await waitForIncident(stack, hall.incidentId, (i) => i.dispute === 'open');

  expect((await list('phase=cleanup_reported')).ids).toEqual([bikes.incidentId]);
  expect((await list('phase=awaiting_cleanup')).ids).toEqual([stairs.incidentId, hall.incidentId].sort());
  expect(await list('dispute=open')).toEqual({ ids: [hall.incidentId], total: 1 });

  // The deadlines fall on the day they fall (an hour from now: today, or tomorrow just before midnight).
  const day = stairs.deadlineDate;
  expect([bikes.deadlineDate, hall.deadlineDate]).toEqual([day, day]);
  expect((await list(`deadlineFrom=${day}&deadlineTo=${day}`)).ids).toEqual(mine);
  expect((await list(`deadlineFrom=${day}&deadlineTo=${day}&phase=awaiting_cleanup`)).total).toBe(2);
  expect((await list(`deadlineFrom=${addCalendarDays(day, 1)}`)).total).toBe(0);
  expect((await list(`deadlineTo=${addCalendarDays(day, -1)}`)).total).toBe(0);

  // The ruling takes it off the list.
  expect((await post(`/incidents/${hall.incidentId}/disputes/resolution`, { decision: 'rejected', note: 'gezien op camera' })).statusCode).toBe(200);
  await waitForIncident(stack, hall.incidentId, (i) => i.dispute === 'rejected');
  expect((await list('dispute=open')).total).toBe(0);
});

test('a filter the list does not know is refused with the field named', async () => {
  for (const query of ['phase=closed', 'dispute=upheld', 'deadlineFrom=5-12-2026']) {
    const response = await stack.app.inject({ method: 'GET', url: `/incidents?${query}`, headers: auth('consultant') });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json().errors)).toContain(query.split('=')[0]);
  }
});
