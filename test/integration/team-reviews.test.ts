import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { appendToStream } from '../../db/event-store';
import { rebuildProjections } from '../../db/projections';
import type { DomainEvent, Outcome } from '../../domain/events';
import { resolvePolicy } from '../../domain/policy';
import type { Role } from '../../config/config';
import { upsertContractors, upsertTenants } from '../../db/directory';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { buildingB, contractor } from '../support/fixtures';
import { event, incidentReported } from '../support/events';

let database: TestDatabase;
const db = () => database.db;

async function stream(incidentId: string, ...events: DomainEvent[]): Promise<void> {
  const streamId = `incident-${incidentId}`;
  await appendToStream(db(), streamId, 'no_stream', events.map((e, i) => ({ eventId: `${streamId}/${i + 1}`, event: e })), { actor: 'test' });
}
const at = (date: string, time = '09:00') => `${date}T${time}:00.000Z`;
const closed = (outcome: Outcome, date: string) => event('IncidentClosed', { outcome, closedAt: at(date, '10:00') });
const reported = (id: string, buildingId: string, date: string, category: 'fouled_stairwell' | 'bulk_waste' = 'fouled_stairwell') =>
  incidentReported(id, { buildingId, category, reportedAt: at(date), polluterTenantId: 'A-1' });

const keys = { consultant: 'test-consultant-key', finance: 'test-finance-key', manager: 'test-manager-key', admin: 'test-admin-key' } as const;
let app: FastifyInstance;
const call = (method: 'GET' | 'POST', url: string, role: keyof typeof keys = 'manager', payload?: object | string, headers: Record<string, string> = {}) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${keys[role]}`, ...headers }, ...(payload ? { payload } : {}) });

/**
 * Lasting solutions, closed in 2031, looked at on 30 June 2032 (asOf):
 *
 * | incident | building | outcome | closed | came back (same building and category) |
 * |---|---|---|---|---|
 * | L1 | B1 | cleaned_and_charged | 10 Jan | 1 Mar (within 3 months) |
 * | L2 | B2 | cleaned_and_charged | 10 Jan | 1 Jun (within 6, not 3) |
 * | L3 | B3 | cleaned_and_charged | 10 Jan | never (bulk waste at B3 and a cancelled report do not count) |
 * | L6 | B6 | cleaned_and_charged | 1 Nov | never; closed too late to judge 12 months |
 * | L4 | B4 | cleaned_at_corporation_cost | 10 Feb | 20 Feb (within 3) |
 * | L5 | B5 | cleaned_at_corporation_cost | 10 Feb | 1 Oct (within 12, not 6) |
 *
 * Charged: 3 months 1 of 4 (25 %), 6 months 2 of 4 (50 %), 12 months 2 of 3 (66.67 %).
 * Own cost: 1 of 2, 1 of 2, 2 of 2. Total: 2 of 6, 3 of 6, 4 of 5.
 */
beforeAll(async () => {
  database = await createTestDatabase('team_reviews');
  await stream('L1', reported('L1', 'B1', '2031-01-02'), closed('cleaned_and_charged', '2031-01-10'));
  await stream('L1B', reported('L1B', 'B1', '2031-03-01'));
  await stream('L2', reported('L2', 'B2', '2031-01-02'), closed('cleaned_and_charged', '2031-01-10'));
  await stream('L2B', reported('L2B', 'B2', '2031-06-01'));
  await stream('L3', reported('L3', 'B3', '2031-01-02'), closed('cleaned_and_charged', '2031-01-10'));
  await stream('L3X', reported('L3X', 'B3', '2031-02-01', 'bulk_waste'));
  await stream('L3C', reported('L3C', 'B3', '2031-02-01'), closed('cancelled', '2031-02-01'));
  await stream('L6', reported('L6', 'B6', '2031-10-20'), closed('cleaned_and_charged', '2031-11-01'));
  await stream('L4', reported('L4', 'B4', '2031-02-02'), closed('cleaned_at_corporation_cost', '2031-02-10'));
  await stream('L4B', reported('L4B', 'B4', '2031-02-20'));
  await stream('L5', reported('L5', 'B5', '2031-02-02'), closed('cleaned_at_corporation_cost', '2031-02-10'));
  await stream('L5B', reported('L5B', 'B5', '2031-10-01'));
  // April 2032's review: a repeat offender flagged for tenancy escalation, a dispute, and a quiet one.
  await stream(
    'R1',
    reported('R1', 'R-1', '2032-04-06'),
    event('WarningIssued', { tenantId: 'A-1', offenceNumber: 3, severity: 'sharp', issuedAt: at('2032-04-08'), letters: [] }),
    event('TenancyEscalationFlagged', { tenantId: 'A-1', offenceNumber: 3 }),
  );
  await stream('R2', reported('R2', 'R-2', '2032-04-07'), event('DisputeOpened', { by: 'tenant', actor: 'tenant:A-1', reason: 'niet van mij' }));
  await stream('R3', reported('R3', 'R-3', '2032-04-08'));

  app = await buildApp({
    db: db(),
    temporal: {} as Client,
    // These routes only read and append to PostgreSQL: Temporal is never called.
    config: {
      apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
      linkSecret: 'test-link-secret-0123456789',
      policy: resolvePolicy(),
      publicUrl: 'http://polluter-pays.test',
      corporationName: 'Woonstichting Test',
      corporationIban: 'NL00TEST0123456789',
      corporationAddress: 'Teststraat 1, 1234 AB Utrecht',
      temporal: { address: 'unused:7233', namespace: 'default', taskQueue: 'unused', tls: undefined, apiKey: undefined },
    } as ApiDeps['config'],
  });
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('the case review', () => {
  it("lists the month's cases with their reasons, newest first; a case without a reason is not on the agenda", async () => {
    const answer = await call('GET', '/reviews/2032-04');
    expect(answer.statusCode).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({ month: '2032-04', from: '2032-04-01', to: '2032-04-30', total: 2, agreements: [] });
    expect(body.cases.map((c: { incidentId: string; reasons: string[] }) => [c.incidentId, c.reasons])).toEqual([
      ['R2', ['disputed']],
      ['R1', ['tenancy_escalation', 'repeat_offender']],
    ]);
    expect(body.cases[0].conclusion).toBeNull();
  });

  it('records a conclusion and agreements as events on the month\'s stream; the review and the agreements list show them; done once', async () => {
    const conclusion = await call('POST', '/reviews/2032-04/conclusions', 'manager', { caseId: 'R1', conclusion: 'Huurder uitnodigen voor een gesprek.' });
    expect(conclusion.statusCode).toBe(200);
    expect(conclusion.json()).toMatchObject({ text: 'Huurder uitnodigen voor een gesprek.', byName: expect.stringMatching(/^manager:/) });
    // A later conclusion replaces it.
    await call('POST', '/reviews/2032-04/conclusions', 'consultant', { caseId: 'R1', conclusion: 'Gesprek met huurder en wijkagent.' });

    const made = await call('POST', '/reviews/2032-04/agreements', 'manager', { caseId: 'R1', text: 'Gesprek plannen', owner: 'Carla', dueDate: '2032-05-15' });
    expect(made.statusCode).toBe(201);
    const agreement = made.json();
    expect(agreement).toMatchObject({ month: '2032-04', caseId: 'R1', text: 'Gesprek plannen', owner: 'Carla', dueDate: '2032-05-15', done: null });
    const id = '5b0a3f3e-8c1d-4b7a-9f5e-2d6c1a0b9e77';
    const sent = { agreementId: id, text: 'Bewonersbrief over afval in portieken', owner: 'Marieke', dueDate: '2032-05-01' };
    const general = await call('POST', '/reviews/2032-04/agreements', 'consultant', sent);
    expect(general.statusCode).toBe(201);
    // Sent again (a double click): the same agreement, not a second one; other content under its id: refused.
    const resent = await call('POST', '/reviews/2032-04/agreements', 'consultant', sent);
    expect({ status: resent.statusCode, id: resent.json().agreementId }).toEqual({ status: 200, id });
    expect((await call('POST', '/reviews/2032-04/agreements', 'consultant', { ...sent, text: 'iets anders' })).statusCode).toBe(409);

    const events = await db().selectFrom('events').select(['type', 'stream_version']).where('stream_id', '=', 'review-2032-04').orderBy('stream_version').execute();
    expect(events.map((e) => e.type)).toEqual(['CaseReviewConclusionRecorded', 'CaseReviewConclusionRecorded', 'CaseReviewAgreementMade', 'CaseReviewAgreementMade']);

    const review = (await call('GET', '/reviews/2032-04', 'consultant')).json();
    expect(review.cases.find((c: { incidentId: string }) => c.incidentId === 'R1').conclusion.text).toBe('Gesprek met huurder en wijkagent.');
    expect(review.agreements.map((a: { text: string }) => a.text)).toEqual(['Gesprek plannen', 'Bewonersbrief over afval in portieken']);

    const done = await call('POST', `/reviews/agreements/${agreement.agreementId}/done`, 'consultant', { note: 'gesprek gevoerd' });
    expect(done.statusCode).toBe(200);
    expect(done.json().done).toMatchObject({ note: 'gesprek gevoerd', byName: expect.stringMatching(/^consultant:/) });
    const again = await call('POST', `/reviews/agreements/${agreement.agreementId}/done`, 'manager', {});
    expect(again.statusCode).toBe(409);

    // Open first, by due date; then done.
    const list = (await call('GET', '/reviews/agreements')).json();
    expect(list).toMatchObject({ total: 2, open: 1 });
    expect(list.agreements.map((a: { text: string; done: unknown }) => [a.text, a.done === null])).toEqual([
      ['Bewonersbrief over afval in portieken', true],
      ['Gesprek plannen', false],
    ]);
    expect((await call('GET', '/reviews/agreements?status=open')).json().agreements).toHaveLength(1);

    // The read model is the events': a rebuild gives the same rows.
    const before = await sql`select * from case_review_agreements order by agreement_id`.execute(db());
    const conclusionsBefore = await sql`select * from case_review_conclusions order by case_id`.execute(db());
    await rebuildProjections(db());
    expect((await sql`select * from case_review_agreements order by agreement_id`.execute(db())).rows).toEqual(before.rows);
    expect((await sql`select * from case_review_conclusions order by case_id`.execute(db())).rows).toEqual(conclusionsBefore.rows);
  });

  it('refuses an unknown case, a bad month, an empty text and a role outside the team, with the reason', async () => {
    const unknown = await call('POST', '/reviews/2032-04/conclusions', 'manager', { caseId: 'NOPE', conclusion: 'x' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe('incident NOPE not found');
    expect((await call('GET', '/reviews/2032-13')).statusCode).toBe(400);
    const empty = await call('POST', '/reviews/2032-04/agreements', 'manager', { text: ' ', owner: 'Carla', dueDate: '2032-05-01' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].path).toBe('body.text');
    expect((await call('GET', '/reviews/2032-04', 'finance')).statusCode).toBe(403);
    expect((await call('POST', '/reviews/agreements/unknown/done', 'manager', {})).statusCode).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/reviews/agreements', '/reviews/{month}', '/reviews/{month}/conclusions', '/reviews/{month}/agreements', '/reviews/agreements/{agreementId}/done', '/reports/lasting-solutions']),
    );
  });
});

describe('lasting solutions', () => {
  const url = '/reports/lasting-solutions?from=2031-01-01&to=2031-12-31&asOf=2032-06-30';
  const horizons = (h: { months: number; judged: number; cameBack: number; rate: number | null }[]) => h.map((x) => [x.months, x.judged, x.cameBack, x.rate]);

  it('counts, per outcome, the incidents that came back at the same building and category within 3, 6 and 12 months', async () => {
    const answer = await call('GET', url);
    expect(answer.statusCode).toBe(200);
    const report = answer.json();
    const of = (outcome: string) => report.outcomes.find((o: { outcome: string }) => o.outcome === outcome);
    expect(of('cleaned_and_charged').closed).toBe(4);
    expect(horizons(of('cleaned_and_charged').horizons)).toEqual([
      [3, 4, 1, 0.25],
      [6, 4, 2, 0.5],
      [12, 3, 2, 0.6667],
    ]);
    expect(horizons(of('cleaned_at_corporation_cost').horizons)).toEqual([
      [3, 2, 1, 0.5],
      [6, 2, 1, 0.5],
      [12, 2, 2, 1],
    ]);
    expect(of('self_cleaned')).toMatchObject({ closed: 0, horizons: [{ judged: 0, rate: null }, { judged: 0, rate: null }, { judged: 0, rate: null }] });
    expect(report.total.closed).toBe(6);
    expect(horizons(report.total.horizons)).toEqual([
      [3, 6, 2, 0.3333],
      [6, 6, 3, 0.5],
      [12, 5, 4, 0.8],
    ]);
  });

  it('answers CSV, and refuses a period that runs backwards', async () => {
    const csv = await call('GET', `${url}&format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('outcome,closed,judged_3m,came_back_3m,rate_3m,judged_6m,came_back_6m,rate_6m,judged_12m,came_back_12m,rate_12m');
    expect(lines).toContain('cleaned_and_charged,4,4,1,0.25,4,2,0.5,3,2,0.6667');
    expect(lines[lines.length - 1]).toBe('total,6,6,2,0.3333,6,3,0.5,5,4,0.8');
    expect((await call('GET', '/reports/lasting-solutions?from=2031-12-01&to=2031-01-01')).statusCode).toBe(400);
    expect((await call('GET', url, 'finance')).statusCode).toBe(403);
  });
});

describe('the directory: what an upload would change', () => {
  beforeAll(async () => {
    await upsertTenants(db(), buildingB);
    await upsertContractors(db(), [contractor]);
  });
  const header = 'contractNumber,name,email,street,houseNumber,postalCode,city,complexId,buildingId,unit';
  const csv = [
    header,
    // B-1 moves to another unit and gets another e-mail; B-2 as it is; N-1 is new; B-3 is not in the file.
    'B-1,Bewoner B1,nieuw@bewoners.test,Kerkweg,1,5678 CD,Utrecht,C1,C1-B,1a',
    'B-2,Bewoner B2,b2@bewoners.test,Kerkweg,2,5678 cd,Utrecht,C1,C1-B,2',
    'N-1,Nieuwe Huurder,,Kerkweg,9,5678 CD,Utrecht,C1,C1-B,9',
  ].join('\n');

  it('lists added, changed (field old -> new), unchanged and not named, and changes nothing', async () => {
    const answer = await call('POST', '/directory/tenants/dry-run', 'admin', csv, { 'content-type': 'text/csv' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      added: 1,
      changed: 1,
      unchanged: 1,
      notInUpload: 1,
      addedItems: [{ key: 'N-1', name: 'Nieuwe Huurder' }],
      changedItems: [
        {
          key: 'B-1',
          name: 'Bewoner B1',
          changes: [
            { field: 'email', old: 'b1@bewoners.test', new: 'nieuw@bewoners.test' },
            { field: 'unit', old: '1', new: '1a' },
          ],
        },
      ],
      notInUploadItems: [{ key: 'B-3', name: 'Bewoner B3' }],
    });
    const stored = await db().selectFrom('tenants').select(['contract_number', 'unit']).where('contract_number', 'in', ['B-1', 'N-1']).execute();
    expect(stored).toEqual([{ contract_number: 'B-1', unit: '1' }]);
  });

  it('refuses what the upload would refuse, and only an admin may ask', async () => {
    const twice = await call('POST', '/directory/tenants/dry-run', 'admin', `${csv}\nN-1,Ander,,Kerkweg,9,5678 CD,Utrecht,C1,C1-B,9`, { 'content-type': 'text/csv' });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().detail).toBe('the upload names the same contract number more than once');
    const badPostcode = await call('POST', '/directory/tenants/dry-run', 'admin', `${header}\nX-1,X,,Straat,1,12345,Utrecht,C1,C1-B,1`, { 'content-type': 'text/csv' });
    expect(badPostcode.statusCode).toBe(400);
    expect(badPostcode.json().errors[0]).toEqual({ path: 'line 2: postalCode', message: 'expected a Dutch postal code such as 1234 AB' });
    expect((await call('POST', '/directory/tenants/dry-run', 'manager', csv, { 'content-type': 'text/csv' })).statusCode).toBe(403);
  });

  it('compares contractors too', async () => {
    const answer = await call('POST', '/directory/contractors/dry-run', 'admin', [{ ...contractor, categories: ['bulk_waste'] }]);
    expect(answer.json()).toMatchObject({ added: 0, changed: 1, changedItems: [{ key: 'K-1', changes: [{ field: 'categories', old: '', new: 'bulk_waste' }] }] });
  });
});

describe('the policy in force', () => {
  it('answers the categories with their terms and costs, and the general rules', async () => {
    const answer = await call('GET', '/policy', 'admin');
    expect(answer.statusCode).toBe(200);
    const policy = answer.json();
    expect(policy.categories.find((c: { category: string }) => c.category === 'bulk_waste')).toMatchObject({
      handled: true,
      noticePeriod: { kind: 'workingDays', days: 5, iso: null },
      reminderBefore: { kind: 'workingDays', days: 1 },
      paymentTermDays: 14,
    });
    expect(policy).toMatchObject({ repeatOffenceWindowMonths: 12, tenancyEscalationFromOffence: 3 });
    expect((await call('GET', '/policy', 'manager')).statusCode).toBe(200);
  });
});
