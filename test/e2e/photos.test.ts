/**
 * Photos as evidence (issue 13): stored outside the events and Temporal's payloads, named by the
 * action they belong to, on the events and the timeline; only images, only your own upload, and a
 * tenant sees only their incident's.
 */
import { signTenantLink } from '../../documents/links';
import { LINK_SECRET } from '../support/harness';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { subjectKeysOf } from '../../db/subject-keys';

jest.setTimeout(120_000);

const slowPolicy = { categories: { fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' } } };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_photos', slowPolicy);
});
afterAll(async () => {
  await stack?.stop();
});

/** The smallest real JPEG and PNG signatures, with some bytes behind them. */
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF-trappenhuis-voor')]);
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR-kelder-na')]);

function multipart(bytes: Buffer, filename = 'foto.jpg', contentType = 'image/jpeg') {
  const boundary = '----foto';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(headers: Record<string, string>, bytes: Buffer, query = '', filename?: string, contentType?: string) {
  const form = multipart(bytes, filename, contentType);
  return stack.app.inject({ method: 'POST', url: `/photos${query}`, headers: { ...headers, ...form.headers }, payload: form.payload });
}

const eventsOf = async (incidentId: string) =>
  (await stack.database.db.selectFrom('events').select(['type', 'data']).where('stream_id', '=', `incident-${incidentId}`).orderBy('stream_version').execute()) as {
    type: string;
    data: Record<string, unknown>;
  }[];

test('a consultant reports with a photo: the event names it, the photo comes back byte for byte, the timeline carries it', async () => {
  const uploaded = await upload(auth('consultant'), jpeg);
  expect(uploaded.statusCode).toBe(201);
  const { photoId } = uploaded.json();

  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'FOTO-1', location: 'trappenhuis', polluterTenantId: 'A-2', photoIds: [photoId] },
  });
  expect(reported.statusCode).toBe(201);
  const { incidentId } = reported.json();
  const incident = await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  expect(incident.timeline[0]).toMatchObject({ type: 'IncidentReported', data: { photoIds: [photoId] } });

  const photo = await stack.app.inject({ method: 'GET', url: `/photos/${photoId}`, headers: auth('consultant') });
  expect({ status: photo.statusCode, type: photo.headers['content-type'] }).toEqual({ status: 200, type: 'image/jpeg' });
  expect(photo.rawPayload.equals(jpeg)).toBe(true);
  // Held in PostgreSQL by id, not in the workflow's input beyond its id.
  const row = await stack.database.db.selectFrom('photos').select(['incident_id', 'byte_size']).where('photo_id', '=', photoId).executeTakeFirstOrThrow();
  expect(row).toEqual({ incident_id: incidentId, byte_size: jpeg.length });
});

test('what is not a photo is refused on its field, whatever type the browser claims; a JSON body is a 415', async () => {
  const text = await upload(auth('consultant'), Buffer.from('dit is geen foto'), '', 'foto.jpg', 'image/jpeg');
  expect(text.statusCode).toBe(400);
  expect(text.json().errors).toEqual([{ path: 'body.photo', message: 'not an image' }]);

  const json = await stack.app.inject({ method: 'POST', url: '/photos', headers: auth('consultant'), payload: { photo: 'x' } });
  expect(json.statusCode).toBe(415);
  // Finance has no business uploading evidence.
  expect((await upload(auth('finance'), jpeg)).statusCode).toBe(403);
});

test("a photo cannot be taken over: not another person's upload, not another incident's, not one that does not exist", async () => {
  const admins = (await upload(auth('admin'), png)).json().photoId as string;
  const refused = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'FOTO-2', location: 'trappenhuis', photoIds: [admins, 'bestaat-niet'] },
  });
  expect(refused.statusCode).toBe(400);
  expect(refused.json().errors).toEqual([
    { path: 'body.photoIds.0', message: 'uploaded by someone else' },
    { path: 'body.photoIds.1', message: 'no such photo' },
  ]);
  // Nothing was started.
  expect(await stack.database.db.selectFrom('incident_reports').select('incident_id').where('building_id', '=', 'FOTO-2').execute()).toEqual([]);
});

test("a tenant adds a photo to their cleanup report through the link; another incident's tenant cannot see it", async () => {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'FOTO-3', location: 'kelder', polluterTenantId: 'A-2' },
  });
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  const token = signTenantLink({ incidentId, tenantId: 'A-2', expiresAt: new Date(Date.now() + 86_400_000) }, LINK_SECRET);

  const uploaded = await upload({}, png, `?token=${token}`, 'na.png', 'image/png');
  expect(uploaded.statusCode).toBe(201);
  const { photoId } = uploaded.json();
  const cleaned = await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/cleanup-reports?token=${token}`, payload: { note: 'schoongemaakt', photoIds: [photoId] } });
  expect(cleaned.statusCode).toBe(200);
  const events = await eventsOf(incidentId);
  const cleanup = events.find((e) => e.type === 'CleanupReported')?.data;
  expect(cleanup).toMatchObject({ by: 'tenant', photoIds: [photoId] });
  // The tenant's note is stored sealed with the incident's key (README: Subject keys), and opens with it.
  expect(cleanup?.note).toMatch(/^sealed:v1:/);
  expect(await subjectKeysOf(stack.database.db, {}).reveal(cleanup?.note)).toBe('schoongemaakt');

  expect((await stack.app.inject({ method: 'GET', url: `/photos/${photoId}?token=${token}` })).statusCode).toBe(200);
  const otherToken = signTenantLink({ incidentId: 'een-ander-incident', tenantId: 'A-3', expiresAt: new Date(Date.now() + 86_400_000) }, LINK_SECRET);
  expect((await stack.app.inject({ method: 'GET', url: `/photos/${photoId}?token=${otherToken}` })).statusCode).toBe(403);
  expect((await stack.app.inject({ method: 'GET', url: `/photos/${photoId}` })).statusCode).toBe(401);

  // The inspection's photo too, by the consultant who took it.
  const after = (await upload(auth('consultant'), jpeg)).json().photoId as string;
  const inspected = await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/inspections`, headers: auth('consultant'), payload: { result: 'clean', photoIds: [after] } });
  expect(inspected.statusCode).toBe(200);
  expect((await eventsOf(incidentId)).find((e) => e.type === 'InspectionRecorded')?.data).toMatchObject({ result: 'clean', photoIds: [after] });
});
