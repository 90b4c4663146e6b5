import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createSmtpMailer, type Mailer } from '../../activities/mailer';
import type { CorporationContact } from '../../config/config';
import type { Letter } from '../../domain/letters';
import { resolvePolicy } from '../../domain/policy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

/** Letters as they leave by e-mail: who a reply reaches, what the body says, what is attached. */
let database: TestDatabase;
let smtp: TestSmtpServer;
let mailer: Mailer;

const contact: CorporationContact = {
  phone: '030 123 45 67',
  email: 'info@thuis.example',
  website: 'https://www.thuis.example',
  postalAddress: 'Postbus 1, 3500 AA Utrecht',
  visitingAddress: 'Stationsplein 1, 3511 ED Utrecht',
  openingHours: 'op werkdagen van 9.00 tot 17.00 uur',
  kvk: '30123456',
  bic: 'ABNANL2A',
};

beforeAll(async () => {
  database = await createTestDatabase('letter_mail');
  await seedDirectory(database.db);
  smtp = await startTestSmtpServer();
  mailer = createSmtpMailer(smtp.url, 'Woonstichting Thuis <geen-antwoord@thuis.example>', contact.email);
});
afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await database?.drop();
});

const activities = () =>
  createActivities({
    db: database.db,
    mailer,
    policy: resolvePolicy(),
    publicUrl: 'http://polluter-pays.test',
    linkSecret: 'test-link-secret-0123456789',
    corporationName: 'Woonstichting Thuis',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: contact.postalAddress,
    corporationContact: contact,
  });

const common = { incidentId: 'mail-1', incidentNumber: '2031-00042', category: 'fouled_stairwell' as const, location: 'trappenhuis, 2e verdieping' };

test('an invoice mail states amount, IBAN in groups of four, due date, payment reference and the attached PDF; a reply reaches the corporation', async () => {
  const invoice: Letter = {
    letterId: 'incident-mail-1/7/A-2',
    recipient: { type: 'tenant', id: 'A-2' },
    content: {
      kind: 'invoice',
      ...common,
      invoiceNumber: '2031-000123',
      issueDate: '2031-12-03',
      dueDate: '2031-12-17',
      lines: [{ description: 'Schoonmaak: vervuild trappenhuis', amountCents: 123456, vatCode: 'BTW-GEEN' }],
      totalCents: 123456,
    },
  };
  await new MockActivityEnvironment().run(activities().deliverLetters, [invoice]);
  const [mail] = smtp.to('a2@bewoners.test');
  expect(mail).toBeDefined();
  expect(mail!.replyTo).toBe('info@thuis.example');
  expect(mail!.from).toContain('geen-antwoord@thuis.example');
  for (const body of [mail!.text, mail!.html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ')]) {
    expect(body).toContain('€ 1.234,56');
    expect(body).toContain('NL91 ABNA 0417 1643 00');
    expect(body).toContain('woensdag 17 december 2031');
    expect(body).toContain('Betalingskenmerk');
    expect(body).toContain('2031-000123');
    expect(body).toContain('als PDF in de bijlage');
    expect(body).toContain('030 123 45 67');
    expect(body).toContain('info@thuis.example');
  }
  expect(mail!.text).toMatch(/Ons kenmerk: +2031-00042/);
  expect(mail!.attachments).toEqual([expect.objectContaining({ filename: 'invoice-2031-000123.pdf', contentType: 'application/pdf' })]);
});

test('a work order names the building’s address from the directory, its complex, where in the building, the access and the deadline', async () => {
  const order: Letter = {
    letterId: 'incident-mail-1/9/K-1',
    recipient: { type: 'contractor', id: 'K-1' },
    content: { kind: 'work_order', ...common, workOrderNumber: 'WO-2031-00042', buildingId: 'C1-A', complexId: 'C1', completeBy: '2031-12-08' },
  };
  await new MockActivityEnvironment().run(activities().deliverLetters, [order]);
  const [mail] = smtp.to('orders@schoon.test');
  expect(mail!.text).toMatch(/Adres: +Stationsstraat 11-16, 1234 AB Utrecht/);
  expect(mail!.text).toMatch(/Complex: +C1\n/);
  expect(mail!.text).toMatch(/Plaats in het gebouw: +trappenhuis, 2e verdieping/);
  expect(mail!.text).toMatch(/Toegang: +Sleutelkastje naast de hoofdingang, code 2468/);
  expect(mail!.text).toMatch(/Gereed uiterlijk: +maandag 8 december 2031/);
  expect(mail!.text).not.toContain('C1-A');
  expect(mail!.replyTo).toBe('info@thuis.example');
});
