/**
 * The post (issue 14, item 8) through the API, the dev server, PostgreSQL and SMTP: a letter for a
 * tenant without e-mail waits on the print queue until the clerk records that it was posted; then it
 * leaves the queue and says when it was posted. Refusals are clear.
 */
import { addCalendarDays, amsterdamDate } from '../../domain/calendar';
import { auth, startStack, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

let stack: Stack;
beforeAll(async () => {
  // The default policy: notices give working days, so the incidents wait for the tenant meanwhile.
  stack = await startStack('e2e_posting', {});
});
afterAll(async () => {
  await stack?.stop();
});

const report = async (polluterTenantId: string, category: string) => {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category, complexId: 'C1', buildingId: 'C1-A', location: 'bergingsgang', description: 'spullen in de gang', polluterTenantId },
  });
  expect(reported.statusCode).toBe(201);
  const { incidentId } = reported.json();
  return waitForIncident(stack, incidentId, (i) => i.letters.some((l: { kind: string; channel: string }) => l.kind === 'formal_notice' && l.channel !== 'pending'));
};
const queue = async (query = '') => {
  const response = await stack.app.inject({ method: 'GET', url: `/letters/print-queue${query}`, headers: auth('consultant') });
  expect(response.statusCode).toBe(200);
  return response.json().letters as { letterId: string; incidentId: string; kind: string; postedOn: string | null; queuedOn: string }[];
};
const post = (letterId: string, payload: object = {}, role: 'consultant' | 'admin' | 'finance' | 'contractor' = 'consultant') =>
  stack.app.inject({ method: 'POST', url: `/letters/${encodeURIComponent(letterId)}/posting`, headers: auth(role), payload });

test('a notice for a tenant without e-mail leaves the print queue once posted, and says when it was', async () => {
  const today = amsterdamDate(new Date());
  const incident = await report('A-1', 'bulk_waste');
  const notice = (await queue()).find((l) => l.incidentId === incident.incidentId && l.kind === 'formal_notice');
  expect(notice).toEqual(expect.objectContaining({ postedOn: null, queuedOn: today }));
  const letterId = notice!.letterId;

  // Refused: a day to come, a day before the letter was on the queue, a role that does not do the post, a letter that does not exist.
  const future = await post(letterId, { postedOn: addCalendarDays(today, 1) });
  expect(future.statusCode).toBe(400);
  expect(future.json()).toEqual(expect.objectContaining({ detail: `a letter cannot be posted in the future (today is ${today})`, errors: [expect.objectContaining({ path: 'body.postedOn' })] }));
  const early = await post(letterId, { postedOn: addCalendarDays(today, -1) });
  expect(early.statusCode).toBe(400);
  expect(early.json().detail).toBe(`the letter was only put on the print queue on ${today}`);
  expect((await post(letterId, {}, 'contractor')).statusCode).toBe(403);
  expect((await post('incident-none/2/A-1')).statusCode).toBe(404);
  expect((await queue()).map((l) => l.letterId)).toContain(letterId);

  // Posted today (the default), with the letter id's slashes as they are.
  const posted = await stack.app.inject({ method: 'POST', url: `/letters/${letterId}/posting`, headers: { ...auth('consultant'), 'idempotency-key': 'post-1' }, payload: {} });
  expect(posted.statusCode).toBe(200);
  expect(posted.json()).toEqual({ letterId, incidentId: incident.incidentId, kind: 'formal_notice', postedOn: today, pdfUrl: `${stack.url}/letters/${letterId}/pdf` });
  expect((await queue()).map((l) => l.letterId)).not.toContain(letterId);
  expect((await queue('?includePosted=true')).find((l) => l.letterId === letterId)?.postedOn).toBe(today);
  expect((await queue(`?postedOn=${today}`)).map((l) => l.letterId)).toContain(letterId);
  const detail = await waitForIncident(stack, incident.incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'LetterPosted'));
  expect(detail.letters.find((l: { letterId: string }) => l.letterId === letterId).postedOn).toBe(today);
  expect(detail.timeline.find((e: { type: string }) => e.type === 'LetterPosted').actor).toMatch(/^consultant:/);
  // The same day again is the same answer; the PDF is still there.
  expect((await post(letterId, { postedOn: today })).json().postedOn).toBe(today);
  expect((await waitForIncident(stack, incident.incidentId, () => true)).timeline.filter((e: { type: string }) => e.type === 'LetterPosted')).toHaveLength(1);
  const pdf = await stack.app.inject({ method: 'GET', url: `/letters/${letterId}/pdf`, headers: auth('consultant') });
  expect({ status: pdf.statusCode, type: pdf.headers['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });
});

test('a letter that went by e-mail cannot be posted; a closed incident\'s letter can, and another day after that is refused', async () => {
  const today = amsterdamDate(new Date());
  const mailed = await report('A-2', 'fouled_stairwell');
  const emailed = mailed.letters.find((l: { kind: string }) => l.kind === 'formal_notice');
  expect(emailed.channel).toBe('email');
  const refused = await post(emailed.letterId);
  expect(refused.statusCode).toBe(409);
  expect(refused.json().detail).toBe('the letter went by e-mail, not by post');

  // A-1's notice of an incident cancelled before it was posted: its workflow has ended, the posting is still recorded.
  const incident = await report('A-1', 'neglected_garden');
  const cancelled = await stack.app.inject({ method: 'POST', url: `/incidents/${incident.incidentId}/cancellation`, headers: auth('consultant'), payload: { reason: 'dubbel gemeld' } });
  expect(cancelled.statusCode).toBe(200);
  await waitForIncident(stack, incident.incidentId, (i) => i.status === 'closed');
  const letterId = incident.letters.find((l: { kind: string }) => l.kind === 'formal_notice').letterId;
  const posted = await eventuallyPosted(letterId, 'admin');
  expect(posted.json().postedOn).toBe(today);
  const closed = await waitForIncident(stack, incident.incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'LetterPosted'));
  expect(closed.timeline.map((e: { type: string }) => e.type).slice(-2)).toEqual(['IncidentClosed', 'LetterPosted']);
  // The letter waited on the queue since yesterday (as if made then): now posted today, yesterday is another day.
  const again = await post(letterId, { postedOn: addCalendarDays(today, -1) });
  expect(again.statusCode).toBe(400);
  await stack.database.db.updateTable('letter_deliveries').set({ delivered_at: new Date(Date.now() - 24 * 3600 * 1000) }).where('letter_id', '=', letterId).execute();
  const otherDay = await post(letterId, { postedOn: addCalendarDays(today, -1) });
  expect(otherDay.statusCode).toBe(409);
  expect(otherDay.json().detail).toBe(`the letter was already posted on ${today}`);
});

/** The workflow has just ended: the first try may still find it finishing. */
async function eventuallyPosted(letterId: string, role: 'admin' | 'consultant') {
  for (let attempt = 0; ; attempt++) {
    const answer = await post(letterId, {}, role);
    if (answer.statusCode === 200 || attempt > 20) {
      expect(answer.statusCode).toBe(200);
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
