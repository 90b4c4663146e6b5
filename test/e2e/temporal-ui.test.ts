import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, payloadFromJson, payloadToJson } from '../../config/payload-codec';
import { subjectKeysOf } from '../../db/subject-keys';
import { SESSION_COOKIE, startSession } from '../../api/sessions';
import { incidentWorkflowId, invoiceWorkflowId } from '../../workflows/messages';
import { Worker } from '@temporalio/worker';
import { TEST_PAYLOAD_ENCRYPTION, testDataConverter, workflowBundle } from '../support/harness';
import { TEMPORAL_UI_ORIGIN, auth, fastPolicy, startStack, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const description = 'Zwarte vuilniszakken bij de lift 7e etage';
const location = 'Trappenhuis naast de lift, 7e etage';
// Long enough to be noticed between reminders: the phase changes by people's actions here.
const policy = { ...fastPolicy, categories: { ...fastPolicy.categories, fouled_stairwell: { noticePeriod: 'PT40S', reminderBefore: 'PT30S' } } };

let stack: Stack;
/** A client without the codec: what Temporal keeps, and what anyone with access to its database or API sees. */
let plainConnection: Connection;
let plain: Client;
let incidentId: string;
let incidentNumber: string;

beforeAll(async () => {
  stack = await startStack('e2e_temporal_ui', policy);
  plainConnection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
  plain = new Client({ connection: plainConnection, namespace: 'default' });
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-A', location, description, polluterTenantId: 'A-4' },
  });
  expect(reported.statusCode).toBe(201);
  ({ incidentId, incidentNumber } = reported.json());
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
});
afterAll(async () => {
  await plainConnection?.close();
  await stack?.stop();
});

const rawHistory = async (workflowId: string): Promise<History> => plain.workflow.getHandle(workflowId).fetchHistory();

/** Every payload in a history (anything shaped { metadata, data }), with where it was found. */
function payloadsIn(value: unknown, path = 'history', found: { path: string; payload: Payload }[] = []): { path: string; payload: Payload }[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if ('data' in value && 'metadata' in value && (value.metadata === null || typeof value.metadata === 'object')) {
    found.push({ path, payload: value as Payload });
    return found;
  }
  for (const [key, inner] of Object.entries(value)) payloadsIn(inner, `${path}.${key}`, found);
  return found;
}

/** All text of a history that is not ciphertext: strings, and the bytes of payloads that are not encrypted. */
function readableText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value === null || typeof value !== 'object') return '';
  const payload = value as Payload;
  if ('data' in value && payload.metadata && Buffer.from(payload.metadata.encoding ?? []).toString() === ENCRYPTED_ENCODING) {
    return Buffer.from(payload.metadata[KEY_ID_METADATA] ?? []).toString();
  }
  return Object.values(value).map(readableText).join('\n');
}

const encodingOf = (payload: Payload) => Buffer.from(payload.metadata?.encoding ?? []).toString();
const codec = new EncryptionCodec(TEST_PAYLOAD_ENCRYPTION);
const decoded = async (payload: Payload) => defaultPayloadConverter.fromPayload<unknown>((await codec.decode([payload]))[0]!);

describe('payload encryption', () => {
  test('a raw history holds no description, location or tenant: every payload but the search attributes is binary/encrypted with the key id', async () => {
    const history = await rawHistory(incidentWorkflowId(incidentId));
    const payloads = payloadsIn(history);
    const searchAttributes = payloads.filter((p) => p.path.includes('searchAttributes'));
    // A patch marker's details are the SDK's own (the patch's name), written past the codec.
    const others = payloads.filter((p) => !p.path.includes('searchAttributes') && !p.path.includes('patch-data'));
    // The report, the activities' inputs and results, the summaries: all encrypted.
    for (const kind of ['workflowExecutionStartedEventAttributes.input', 'activityTaskScheduledEventAttributes.input', 'activityTaskCompletedEventAttributes.result', 'userMetadata.summary']) {
      expect(others.map((p) => p.path)).toContainEqual(expect.stringContaining(kind));
    }
    expect(others.filter((p) => encodingOf(p.payload) !== ENCRYPTED_ENCODING).map((p) => p.path)).toEqual([]);
    expect(new Set(others.map((p) => Buffer.from(p.payload.metadata![KEY_ID_METADATA]!).toString()))).toEqual(new Set(['test']));
    expect(searchAttributes.map((p) => encodingOf(p.payload))).toContain('json/plain');

    const text = readableText(history);
    // The walk reads what is in plain text: the workflow's type and its search attributes.
    expect(text).toContain('incidentWorkflow');
    expect(text).toContain(incidentNumber);
    for (const secret of [description, 'Zwarte vuilniszakken', location, 'A-4', 'Bewoner A4', 'a4@bewoners.test', 'Stationsstraat']) {
      expect(text).not.toContain(secret);
    }
  });

  test('with the key the history reads as before: the report is in the workflow input', async () => {
    const history = await rawHistory(incidentWorkflowId(incidentId));
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const [input] = (await codec.decode(started.input!.payloads as Payload[])).map((p) => defaultPayloadConverter.fromPayload<any>(p));
    // The description is sealed besides (db/subject-keys.ts): the payload key opens the payload, the incident's key the text.
    expect(input).toMatchObject({ incidentId, incidentNumber, description: expect.stringMatching(/^sealed:v1:/), location, polluterTenantId: 'A-4' });
    expect(await subjectKeysOf(stack.database.db, {}).reveal(input.description)).toBe(description);
  });

  test('a client without the key cannot read what the workflow answers', async () => {
    await expect(plain.workflow.getHandle(incidentWorkflowId(incidentId)).query('incidentState')).rejects.toThrow(/binary\/encrypted|encoding/i);
    const state = await stack.client.workflow.getHandle(incidentWorkflowId(incidentId)).query<{ phase: string }>('incidentState');
    expect(state.phase).toBe('awaiting_cleanup');
  });
});

describe('the codec endpoint for the Temporal UI', () => {
  const startedInput = async () => {
    const history = await rawHistory(incidentWorkflowId(incidentId));
    return history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads as Payload[];
  };
  const sessionOf = async (subject: string, roles: ('consultant' | 'admin' | 'contractor' | 'finance')[]) =>
    `${SESSION_COOKIE}=${(await startSession(stack.database.db, { subject, name: subject, email: null, roles }, null)).id}`;
  const decode = (headers: Record<string, string>, payloads: Payload[]) =>
    stack.app.inject({ method: 'POST', url: '/codec/decode', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, payload: { payloads: payloads.map(payloadToJson) } });

  test('without a session or key: 401, and nothing decoded', async () => {
    const response = await decode({ origin: TEMPORAL_UI_ORIGIN }, await startedInput());
    expect(response.statusCode).toBe(401);
    expect(response.body).not.toContain('vuilniszakken');
    // The UI may read the refusal (and show it), not the payloads.
    expect(response.headers['access-control-allow-origin']).toBe(TEMPORAL_UI_ORIGIN);
  });

  test("a signed-in consultant's cookie decodes, without a CSRF token, as the UI sends it", async () => {
    const response = await decode({ cookie: await sessionOf('codec-consultant', ['consultant']), origin: TEMPORAL_UI_ORIGIN }, await startedInput());
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(TEMPORAL_UI_ORIGIN);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    const [payload] = response.json().payloads.map(payloadFromJson);
    expect(encodingOf(payload)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(payload)).toMatchObject({ description: expect.stringMatching(/^sealed:v1:/), location });
  });

  test('a contractor or finance session is refused (403); an admin key decodes (the CLI: --codec-auth)', async () => {
    expect((await decode({ cookie: await sessionOf('codec-contractor', ['contractor']) }, await startedInput())).statusCode).toBe(403);
    expect((await decode({ cookie: await sessionOf('codec-finance', ['finance']) }, await startedInput())).statusCode).toBe(403);
    const byKey = await decode(auth('admin'), await startedInput());
    expect(byKey.statusCode).toBe(200);
    expect(defaultPayloadConverter.fromPayload(payloadFromJson(byKey.json().payloads[0]))).toMatchObject({ description: expect.stringMatching(/^sealed:v1:/), location });
  });

  test('encode then decode gives the payload back, encrypted in between with the current key', async () => {
    const original = defaultPayloadConverter.toPayload({ note: 'lift 7e etage' });
    const encoded = await stack.app.inject({ method: 'POST', url: '/codec/encode', headers: auth('admin'), payload: { payloads: [payloadToJson(original)] } });
    expect(encoded.statusCode).toBe(200);
    const [encrypted] = encoded.json().payloads.map(payloadFromJson);
    expect(encodingOf(encrypted)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted.data).toString('latin1')).not.toContain('lift 7e etage');
    const back = await decode(auth('admin'), [encrypted]);
    expect(defaultPayloadConverter.fromPayload(payloadFromJson(back.json().payloads[0]))).toEqual({ note: 'lift 7e etage' });
  });

  test('a payload under a key this server does not have: 400 naming the payload and the key', async () => {
    const [payload] = await startedInput();
    const relabelled = { ...payload!, metadata: { ...payload!.metadata, [KEY_ID_METADATA]: Buffer.from('retired-2025') } };
    const response = await decode(auth('admin'), [defaultPayloadConverter.toPayload('plain'), relabelled]);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ path: 'body.payloads.1', message: expect.stringContaining('"retired-2025"') }]);
  });

  test('bad input is a 400 naming it: not base64, a short or forged ciphertext; and the routes are in the OpenAPI document', async () => {
    const post = (payloads: unknown) => stack.app.inject({ method: 'POST', url: '/codec/decode', headers: auth('admin'), payload: { payloads } });
    const notBase64 = await post([{ metadata: { encoding: 'bm90IGJhc2U2NA==' }, data: 'not base64!' }]);
    expect(notBase64.statusCode).toBe(400);
    expect(notBase64.json().errors).toEqual([{ path: 'body.payloads.0.data', message: 'expected base64' }]);
    const encrypted = { encoding: Buffer.from(ENCRYPTED_ENCODING).toString('base64'), [KEY_ID_METADATA]: Buffer.from('test').toString('base64') };
    for (const data of [Buffer.from('short').toString('base64'), Buffer.alloc(64, 7).toString('base64')]) {
      const forged = await post([{ metadata: encrypted, data }]);
      expect({ status: forged.statusCode, path: forged.json().errors[0].path }).toEqual({ status: 400, path: 'body.payloads.0' });
    }
    const document = (await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect([document.paths['/codec/decode'].post.operationId, document.paths['/codec/encode'].post.operationId]).toEqual(['codecDecode', 'codecEncode']);
  });

  test("CORS: the preflight answers the Temporal UI's origin only", async () => {
    const preflight = (origin: string) =>
      stack.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    const ui = await preflight(TEMPORAL_UI_ORIGIN);
    expect(ui.statusCode).toBe(204);
    expect(ui.headers['access-control-allow-origin']).toBe(TEMPORAL_UI_ORIGIN);
    expect(ui.headers['access-control-allow-credentials']).toBe('true');
    expect(ui.headers['access-control-allow-methods']).toBe('POST');
    expect(String(ui.headers['access-control-allow-headers'])).toContain('x-namespace');
    const other = await preflight('https://elders.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const answered = await decode({ ...auth('admin'), origin: 'https://elders.example' }, await startedInput());
    expect(answered.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('finding an incident in the Temporal UI', () => {
  // Incident numbers are unique per database, and every test file has a database of its own on the
  // one dev server: a query stays within this file's task queue.
  const found = async (query: string) => {
    const ids: string[] = [];
    for await (const workflow of stack.client.workflow.list({ query: `${query} AND TaskQueue = "${stack.taskQueue}"` })) ids.push(workflow.workflowId);
    return ids;
  };
  /** Visibility is eventually consistent: ask until the answer is as expected. */
  const eventuallyFound = async (query: string, expected: string[]) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ids = await found(query);
      if (JSON.stringify(ids) === JSON.stringify(expected) || Date.now() > deadline) return ids;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  test('by number, category, complex and building, and by its phase as it changes', async () => {
    const workflowId = incidentWorkflowId(incidentId);
    const base = `IncidentNumber = "${incidentNumber}" AND IncidentCategory = "fouled_stairwell" AND ComplexId = "C1" AND BuildingId = "C1-A"`;
    expect(await eventuallyFound(`${base} AND IncidentPhase = "awaiting_cleanup"`, [workflowId])).toEqual([workflowId]);

    const reported = await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/cleanup-reports`, headers: auth('consultant'), payload: { note: null } });
    expect(reported.statusCode).toBe(200);
    expect(await eventuallyFound(`IncidentNumber = "${incidentNumber}" AND IncidentPhase = "cleanup_reported"`, [workflowId])).toEqual([workflowId]);
    expect(await eventuallyFound(`IncidentNumber = "${incidentNumber}" AND IncidentPhase = "awaiting_cleanup"`, [])).toEqual([]);

    const inspected = await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/inspections`, headers: auth('consultant'), payload: { result: 'clean' } });
    expect(inspected.statusCode).toBe(200);
    await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
    expect(await eventuallyFound(`IncidentNumber = "${incidentNumber}" AND IncidentPhase = "closed"`, [workflowId])).toEqual([workflowId]);

    // Its history, with the patch marker, the upserts and the timers' summaries, replays on this code.
    await Worker.runReplayHistory({ workflowBundle: workflowBundle(), dataConverter: testDataConverter }, await rawHistory(workflowId), workflowId);
  });

  test('summaries: the workflow says which incident it is, each timer what it waits for (encrypted like every payload)', async () => {
    const handle = stack.client.workflow.getHandle(incidentWorkflowId(incidentId));
    const described = await handle.describe();
    expect(await described.staticSummary()).toBe(`Melding ${incidentNumber}: vervuild trappenhuis, complex C1, gebouw C1-A`);
    expect(await described.staticDetails()).toContain(location);

    const history = await rawHistory(incidentWorkflowId(incidentId));
    const timers = (history.events ?? []).filter((e: HistoryEvent) => e.timerStartedEventAttributes);
    expect(timers.length).toBeGreaterThanOrEqual(2);
    for (const timer of timers) expect(encodingOf(timer.userMetadata!.summary as Payload)).toBe(ENCRYPTED_ENCODING);
    const summaries = await Promise.all(timers.map((timer) => decoded(timer.userMetadata!.summary as Payload)));
    expect(summaries).toContainEqual(expect.stringMatching(new RegExp(`^Herinnering \\d{1,2} [a-z]+ \\d{4} \\d{2}\\.\\d{2} \\(melding ${incidentNumber}\\)$`)));
    expect(summaries).toContainEqual(expect.stringMatching(new RegExp(`^Deadline schoonmaak \\d{1,2} [a-z]+ \\d{4} \\(melding ${incidentNumber}\\)$`)));
  });

  test('an invoice by its number, with the incident it belongs to', async () => {
    const reported = await stack.app.inject({
      method: 'POST',
      url: '/incidents',
      headers: auth('consultant'),
      payload: { category: 'bulk_waste', complexId: 'C2', buildingId: 'C2-A', location: 'bergingsgang', description: 'oude bank in de gang', polluterTenantId: 'B-1' },
    });
    expect(reported.statusCode).toBe(201);
    const other = reported.json() as { incidentId: string; incidentNumber: string };
    await waitForIncident(stack, other.incidentId, (i) => i.phase === 'cleanup_ordered');
    const completed = await stack.app.inject({ method: 'POST', url: `/incidents/${other.incidentId}/completion`, headers: auth('contractor'), payload: { contractorId: 'K-1', costCents: 12500 } });
    expect(completed.statusCode).toBe(200);
    const { invoiceNumber } = await waitForIncident(stack, other.incidentId, (i) => i.invoiceNumber !== null);
    const workflowId = invoiceWorkflowId(other.incidentId, invoiceNumber);
    expect(await eventuallyFound(`InvoiceNumber = "${invoiceNumber}" AND IncidentNumber = "${other.incidentNumber}" AND IncidentCategory = "bulk_waste"`, [workflowId])).toEqual([workflowId]);
    const described = await stack.client.workflow.getHandle(workflowId).describe();
    expect(await described.staticSummary()).toMatch(new RegExp(`^Factuur ${invoiceNumber} bij melding ${other.incidentNumber}: € 125,00, te betalen uiterlijk \\d{1,2} [a-z]+ \\d{4}$`));
  });
});
