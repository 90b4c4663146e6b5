import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { incidentReported, newEvent } from '../support/events';
import { appendToStream, readStream } from '../../db/event-store';
import { rebuildProjections } from '../../db/projections';
import { applyRetention } from '../../db/retention';
import { eraseTenant } from '../../db/erasure';
import { tenantDataExport } from '../../db/data-export';
import { SubjectKeys, SubjectErasedError, incidentSubject } from '../../db/subject-keys';
import { PolicyError, defaultPolicy, resolvePolicy } from '../../domain/policy';
import { ERASED_TEXT, isSealed } from '../../domain/sealed';
import { renderTenantDataExport } from '../../web/data-export';

let database: TestDatabase;
let keys: SubjectKeys;
beforeAll(async () => {
  database = await createTestDatabase('privacy');
  await seedDirectory(database.db);
  keys = new SubjectKeys(database.db, randomBytes(32));
});
afterAll(async () => {
  await database?.drop();
});

const jpeg = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text)]);

/** A closed incident of tenant `polluter` with a sealed description, a warning and a photo, as the workflow records them. */
async function closedIncident(incidentId: string, polluter: string, description: string, at: { reported: string; closed: string }) {
  const streamId = `incident-${incidentId}`;
  const sealed = await keys.seal(incidentSubject(incidentId), description);
  await appendToStream(database.db, streamId, 'no_stream', [
    newEvent(`${streamId}/1`, 'IncidentReported', { ...incidentReported(incidentId).data, description: sealed, polluterTenantId: polluter, reportedAt: at.reported }),
    newEvent(`${streamId}/2`, 'WarningIssued', { tenantId: polluter, offenceNumber: 1, severity: 'standard', issuedAt: at.closed, letters: [] }),
    newEvent(`${streamId}/3`, 'IncidentClosed', { outcome: 'self_cleaned', closedAt: at.closed }),
  ]);
  await database.db
    .insertInto('photos')
    .values({ photo_id: `photo-${incidentId}`, incident_id: incidentId, content_type: 'image/jpeg', byte_size: 8, sha256: 'x', bytes: jpeg(description), uploaded_by: 'consultant-1' })
    .execute();
  return sealed;
}

test('a sealed text is unreadable without its key, opens with it, and reads [verwijderd] once the key is destroyed; the key itself is stored wrapped', async () => {
  const text = 'Meneer Jansen van nummer 12 zet zijn afval in de gang';
  const sealed = await keys.seal(incidentSubject('seal-1'), text);
  expect(isSealed(sealed)).toBe(true);
  expect(sealed).not.toContain('Jansen');
  expect(await keys.reveal({ note: sealed, quoted: `bezwaar gegrond: ${sealed}`, plain: 'oud' })).toEqual({ note: text, quoted: `bezwaar gegrond: ${text}`, plain: 'oud' });
  // Another master key opens nothing: a dump of the database alone reveals no text.
  await expect(new SubjectKeys(database.db, randomBytes(32)).reveal(sealed)).rejects.toThrow();

  expect(await keys.destroy([incidentSubject('seal-1')], 'test')).toBe(1);
  expect(await keys.reveal(sealed)).toBe(ERASED_TEXT);
  await expect(keys.seal(incidentSubject('seal-1'), 'nog iets')).rejects.toBeInstanceOf(SubjectErasedError);
});

test('the master key is rotated: with the new key and the previous one every text opens, rewrapAll moves each key to the new one once, and after that the previous key is not needed', async () => {
  const oldMaster = randomBytes(32);
  const newMaster = randomBytes(32);
  const before = new SubjectKeys(database.db, oldMaster);
  const texts = await Promise.all([1, 2, 3].map((n) => before.seal(incidentSubject(`rotate-${n}`), `Melding ${n}: vuilniszakken bij de lift`)));
  const destroyed = await before.seal(incidentSubject('rotate-destroyed'), 'al gewist');
  await before.destroy([incidentSubject('rotate-destroyed')], 'test');

  // The new master key alone opens nothing yet; with the previous one beside it, everything.
  await expect(new SubjectKeys(database.db, newMaster).reveal(texts[0])).rejects.toThrow();
  const during = new SubjectKeys(database.db, newMaster, oldMaster);
  expect(await during.reveal(texts)).toEqual([1, 2, 3].map((n) => `Melding ${n}: vuilniszakken bij de lift`));
  const madeDuring = await during.seal(incidentSubject('rotate-4'), 'Melding 4');

  const rotated = await during.rewrapAll(2);
  // Keys of the other tests' subjects (under the test's own master key) are neither: rotated only the rotate-* ones.
  expect(rotated.rewrapped).toBe(3);
  expect(await during.rewrapAll(2)).toEqual({ rewrapped: 0, alreadyCurrent: rotated.alreadyCurrent + 3 });

  const after = new SubjectKeys(database.db, newMaster);
  expect(await after.reveal([...texts, madeDuring, destroyed])).toEqual([1, 2, 3].map((n) => `Melding ${n}: vuilniszakken bij de lift`).concat('Melding 4', ERASED_TEXT));
  await expect(new SubjectKeys(database.db, oldMaster).reveal(texts[0])).rejects.toThrow();
});

test('the retention run removes what is past its term (narrative and photos, offences, sessions, billing addressees) and nothing younger; a rebuild keeps the offence expired; a retried run removes nothing twice', async () => {
  const now = new Date('2026-12-05T10:00:00Z');
  const old = await closedIncident('ret-old', 'A-2', 'oud verhaal over A-2', { reported: '2025-01-06T09:00:00.000Z', closed: '2025-01-10T09:00:00.000Z' });
  const recent = await closedIncident('ret-new', 'A-3', 'recent verhaal over A-3', { reported: '2026-11-02T09:00:00.000Z', closed: '2026-11-06T09:00:00.000Z' });
  await database.db
    .insertInto('people')
    .values(['p1', 'p2'].map((subject) => ({ subject, display_name: subject, email: null, roles: ['admin'], last_seen_at: now })))
    .execute();
  await database.db
    .insertInto('sessions')
    .values([
      { id_hash: 'expired', subject: 'p1', roles: ['admin'], csrf_token: 'c', id_token: null, last_seen_at: now, expires_at: new Date('2026-12-01T00:00:00Z') },
      { id_hash: 'valid', subject: 'p2', roles: ['admin'], csrf_token: 'c', id_token: null, last_seen_at: now, expires_at: new Date('2026-12-06T00:00:00Z') },
    ])
    .execute();
  await database.db
    .insertInto('billing_addressees')
    .values([
      { contract_number: 'OUD-1', name: 'Oud', street: 's', house_number: '1', postal_code: '1234 AB', city: 'c', keep_until: '2025-12-31' },
      { contract_number: 'NIEUW-1', name: 'Nieuw', street: 's', house_number: '1', postal_code: '1234 AB', city: 'c', keep_until: '2033-12-31' },
    ])
    .execute();

  const run = await applyRetention(database.db, keys, defaultPolicy, 'run-1', now);
  expect(run).toEqual({ runId: 'run-1', ranAt: now.toISOString(), narrativesRemoved: 1, photosRemoved: 1, offencesRemoved: 1, sessionsRemoved: 1, billingAddresseesRemoved: 1 });
  expect(await keys.reveal([old, recent])).toEqual([ERASED_TEXT, 'recent verhaal over A-3']);
  expect((await database.db.selectFrom('photos').select('photo_id').where('photo_id', 'like', 'photo-ret-%').execute()).map((r) => r.photo_id)).toEqual(['photo-ret-new']);
  const offences = async () => (await database.db.selectFrom('offences').select(['incident_id', 'tenant_id']).where('incident_id', 'like', 'ret-%').execute()).map((r) => r.incident_id);
  expect(await offences()).toEqual(['ret-new']);
  expect((await readStream(database.db, 'incident-ret-old')).map((e) => e.event.type)).toEqual(['IncidentReported', 'WarningIssued', 'IncidentClosed', 'OffenceExpired']);
  expect((await database.db.selectFrom('sessions').select('id_hash').execute()).map((r) => r.id_hash)).toEqual(['valid']);
  expect((await database.db.selectFrom('billing_addressees').select('contract_number').execute()).map((r) => r.contract_number)).toEqual(['NIEUW-1']);

  await rebuildProjections(database.db);
  expect(await offences()).toEqual(['ret-new']);
  // The same run again (an activity retried) answers with its record; a later run finds nothing more.
  expect(await applyRetention(database.db, keys, defaultPolicy, 'run-1', now)).toEqual(run);
  const next = await applyRetention(database.db, keys, defaultPolicy, 'run-2', new Date('2026-12-06T10:00:00Z'));
  expect(next).toMatchObject({ narrativesRemoved: 0, photosRemoved: 0, offencesRemoved: 0, billingAddresseesRemoved: 0 });
});

test('erasure of a tenant: the directory row, the narrative of their incidents and their photos go; billing keeps the addressee of their invoices; the access request then says so', async () => {
  const tenant = 'B-2';
  const sealed = await closedIncident('erase-1', tenant, 'Bewoner B2 laat elke week vuilniszakken staan', { reported: '2026-10-01T09:00:00.000Z', closed: '2026-10-05T09:00:00.000Z' });
  await appendToStream(database.db, 'invoice-2026-000042', 'no_stream', [
    newEvent('invoice-2026-000042/1', 'InvoiceIssued', {
      invoiceNumber: '2026-000042', incidentId: 'erase-1', debtorTenantId: tenant, issueDate: '2026-10-05', dueDate: '2026-10-19',
      lines: [{ description: 'Schoonmaak trappenhuis', amountCents: 12_500, vatCode: 'BTW-GEEN' }], totalCents: 12_500, letters: [],
    }),
    newEvent('invoice-2026-000042/2', 'PaymentRegistered', {
      invoiceNumber: '2026-000042', incidentId: 'erase-1', paymentId: 'bank-1', amountCents: 12_500, paidOn: '2026-10-10', source: 'manual', reference: null, registeredBy: 'finance',
    }),
    newEvent('invoice-2026-000042/3', 'InvoicePaid', { invoiceNumber: '2026-000042', incidentId: 'erase-1', paidOn: '2026-10-10', overpaidCents: 0 }),
  ]);

  const before = await tenantDataExport(database.db, keys, tenant, new Date());
  expect(before.directory).toMatchObject({ name: 'Bewoner B2', email: 'b2@bewoners.test', street: 'Kerkweg', houseNumber: '2' });
  expect(before.incidents.map((i) => [i.incidentId, i.roles])).toEqual([['erase-1', ['polluter']]]);
  expect(before.incidents[0]!.events[0]!.data.description).toBe('Bewoner B2 laat elke week vuilniszakken staan');
  expect(before.invoices).toEqual([expect.objectContaining({ invoiceNumber: '2026-000042', status: 'paid', payments: [expect.objectContaining({ amountCents: 12_500 })] })]);
  expect(before.offences).toHaveLength(1);
  expect(before.photos.map((p) => p.photoId)).toEqual(['photo-erase-1']);
  const document = renderTenantDataExport(before, 'Woonstichting Test');
  for (const text of ['Bewoner B2', 'b2@bewoners.test', 'Kerkweg 2, 5678 CD Utrecht', '‘Bewoner B2 laat elke week vuilniszakken staan’', '2026-000042', '€ 125,00', 'als veroorzaker']) {
    expect(document).toContain(text);
  }

  const report = await eraseTenant(database.db, keys, { tenantId: tenant, erasedBy: 'person:admin', now: new Date('2026-12-05T10:00:00Z'), billingRetentionYears: 7 });
  expect(report).toMatchObject({ incidentIds: ['erase-1'], keysDestroyed: 1, photosRemoved: 1, directoryRowRemoved: true, billing: { invoicesKept: ['2026-000042'], keptUntil: '2033-12-31' } });
  expect(await keys.reveal(sealed)).toBe(ERASED_TEXT);
  expect(await database.db.selectFrom('tenants').select('name').where('contract_number', '=', tenant).executeTakeFirst()).toBeUndefined();
  const kept = await database.db.selectFrom('billing_addressees').select(['name', 'street', 'house_number', sql<string>`keep_until::text`.as('until')]).where('contract_number', '=', tenant).executeTakeFirstOrThrow();
  expect(kept).toEqual({ name: 'Bewoner B2', street: 'Kerkweg', house_number: '2', until: '2033-12-31' });

  const after = await tenantDataExport(database.db, keys, tenant, new Date());
  expect(after.directory).toBeNull();
  expect(after.billingAddressee).toMatchObject({ name: 'Bewoner B2', keepUntil: '2033-12-31' });
  expect(after.erasures).toEqual([{ erasedAt: '2026-12-05T10:00:00.000Z', erasedBy: 'person:admin' }]);
  expect(after.incidents[0]!.events[0]!.data.description).toBe(ERASED_TEXT);
  expect(after.photos).toEqual([]);
  expect(renderTenantDataExport(after, 'Woonstichting Test')).toContain('Persoonsgegevens gewist op');
});

test('erasure waits while an incident or invoice of the tenant is open; an unknown tenant is not found', async () => {
  await appendToStream(database.db, 'incident-open-1', 'no_stream', [newEvent('incident-open-1/1', 'IncidentReported', incidentReported('open-1', { polluterTenantId: 'A-5' }).data)]);
  await expect(eraseTenant(database.db, keys, { tenantId: 'A-5', erasedBy: 'admin', now: new Date(), billingRetentionYears: 7 })).rejects.toThrow('tenant A-5 cannot be erased yet: incident open-1 is open');
  expect(await database.db.selectFrom('tenants').select('name').where('contract_number', '=', 'A-5').executeTakeFirst()).toEqual({ name: 'Bewoner A5' });
  await expect(eraseTenant(database.db, keys, { tenantId: 'NOBODY', erasedBy: 'admin', now: new Date(), billingRetentionYears: 7 })).rejects.toThrow('no tenant NOBODY');
});

test('retention in the policy: documented defaults, overridden field by field, and never less than the tax authority\'s 7 years for billing', () => {
  expect(resolvePolicy({}).retention).toEqual({ narrativeMonthsAfterClose: 12, offenceMarginMonths: 6, billingYears: 7 });
  expect(resolvePolicy({ retention: { narrativeMonthsAfterClose: 24 } }).retention).toEqual({ narrativeMonthsAfterClose: 24, offenceMarginMonths: 6, billingYears: 7 });
  expect(() => resolvePolicy({ retention: { billingYears: 5 } })).toThrow(PolicyError);
  expect(() => resolvePolicy({ retention: { billingYears: 5 } })).toThrow('retention.billingYears: the tax authority requires at least 7 years');
});
