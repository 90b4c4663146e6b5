/**
 * Every letter kind, for every category, with the polluter known and unknown, rendered and read
 * by rules a Dutch reader would apply; and each compared with its reviewed sample in
 * test/fixtures/letters/<kind>-<category>.txt.
 *
 * After a deliberate change of wording: UPDATE_LETTER_FIXTURES=1 npx jest test/unit/letter-dutch.test.ts,
 * then read the changed samples (git diff) as a tenant would before committing them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildingDetails, deadlineWording, renderLetter, type RecipientDetails, type RenderOptions } from '../../documents/letters';
import type { LetterContent, LetterKind } from '../../domain/letters';
import { categories, type Category } from '../../domain/policy';
import { sampleCorporation, sampleTenant, sampleContractor } from '../support/letter-samples';

const FIXTURES = join(__dirname, '../fixtures/letters');
const UPDATE = process.env.UPDATE_LETTER_FIXTURES === '1';

const corporation = sampleCorporation;
const tenant = sampleTenant;
const contractor = sampleContractor;
const building: BuildingDetails = {
  buildingId: 'b7c1e0d2-5a43-4e4f-9c1a-0f3e2d1c4b5a',
  complexId: 'Complex 114 Lombok',
  street: 'Kerkstraat',
  houseNumbers: '2-24',
  postalCode: '3512 AB',
  city: 'Utrecht',
  accessNotes: 'Sleutel in het sleutelkastje naast de hoofdingang, code 4321.',
};
/** As a reporter typed it: a bare noun phrase, which a letter must not put after "op". */
const LOCATION = 'gemeenschappelijke fietsenstalling';
const LINK = 'https://meldingen.thuis.example/links/eyJpIjoiMjAyNi0wMDEyMyIsInQiOiJIVC0xMDA0MiIsImUiOjE3OTg2NzUyMDB9.c2lnbmF0dXJlLXRoYXQtaXMtcmF0aGVyLWxvbmc';
const options: RenderOptions = { tenantLinkUrl: LINK, corporation, letterDate: '2026-12-03' };

const UUID = 'b7c1e0d2-5a43-4e4f-9c1a-0f3e2d1c4b5a';
const common = (category: Category) => ({ incidentId: UUID, incidentNumber: '2026-00123', category, location: LOCATION });
/** End of Tuesday 8 December 2026 in Amsterdam. */
const endOfDay = { deadline: '2026-12-08T23:00:00.000Z', deadlineDate: '2026-12-08' };
/** A demo's term of seconds: 11.04 (and 30 seconds) in Amsterdam on Thursday 3 December. */
const timed = { deadline: '2026-12-03T10:04:30.000Z', deadlineDate: '2026-12-03' };

interface Sample {
  kind: LetterKind;
  variant: string;
  content: LetterContent;
  recipient: RecipientDetails;
  options: RenderOptions;
}

function samplesFor(category: Category): Sample[] {
  const c = common(category);
  const toTenant = (variant: string, content: LetterContent, o: RenderOptions = options): Sample => ({ kind: content.kind, variant, content, recipient: tenant, options: o });
  const invoice = { invoiceNumber: '2026-000042' };
  return [
    // Not taken up, or taken up: the complainant hears it.
    toTenant('niet in behandeling', { kind: 'complainant_advice', ...c }, { ...options, tenantLinkUrl: null }),
    toTenant('in behandeling', { kind: 'complainant_acknowledgement', ...c }, { ...options, tenantLinkUrl: null }),
    // Polluter known.
    toTenant('vervuiler bekend, vast tarief, met link', { kind: 'formal_notice', ...c, ...endOfDay, tariffCents: 9500, linkExpiresAt: '2026-12-22T23:00:00.000Z' }),
    toTenant('vervuiler bekend, werkelijke kosten, zonder link, termijn korter dan een dag', { kind: 'formal_notice', ...c, ...timed, tariffCents: null, linkExpiresAt: '2026-12-03T10:09:30.000Z' }, { ...options, tenantLinkUrl: null }),
    toTenant('vervuiler bekend', { kind: 'reminder', ...c, ...endOfDay, collective: false, linkExpiresAt: '2026-12-22T23:00:00.000Z' }),
    toTenant('vervuiler onbekend', { kind: 'reminder', ...c, ...endOfDay, collective: true, linkExpiresAt: null }, { ...options, tenantLinkUrl: null }),
    {
      kind: 'work_order',
      variant: 'adres bekend',
      content: { kind: 'work_order', ...c, workOrderNumber: 'WO-2026-00123', buildingId: building.buildingId, complexId: building.complexId, completeBy: '2026-12-07' },
      recipient: contractor,
      options: { ...options, tenantLinkUrl: null, building },
    },
    {
      kind: 'work_order',
      variant: 'gebouw niet in het bestand, opdracht van vóór de termijn',
      content: { kind: 'work_order', ...c, workOrderNumber: 'WO-2026-00123', buildingId: building.buildingId },
      recipient: contractor,
      options: { ...options, tenantLinkUrl: null, building: null },
    },
    toTenant('zelf opgeruimd, eerste keer', { kind: 'warning', ...c, offenceNumber: 1, severity: 'standard', cleanedBy: 'tenant', invoiceNumber: null, totalCents: null }),
    toTenant('door ons opgeruimd, herhaling', { kind: 'warning', ...c, offenceNumber: 2, severity: 'sharp', cleanedBy: 'corporation', ...invoice, totalCents: 12345 }),
    toTenant('vervuiler bekend', {
      kind: 'invoice',
      ...c,
      ...invoice,
      issueDate: '2026-12-03',
      dueDate: '2026-12-17',
      lines: [
        { description: 'Schoonmaak: fietsenstalling', amountCents: 112345, vatCode: 'BTW-GEEN' },
        { description: 'Administratiekosten', amountCents: 1500, vatCode: 'BTW-GEEN' },
      ],
      totalCents: 113845,
    }),
    toTenant('vervuiler bekend', { kind: 'payment_reminder', ...c, ...invoice, letterDate: '2026-12-21', issueDate: '2026-12-03', dueDate: '2026-12-17', openCents: 113845, newDueDate: '2027-01-04' }),
    toTenant('vervuiler bekend', {
      kind: 'final_notice',
      ...c,
      ...invoice,
      letterDate: '2027-01-06',
      openCents: 113845,
      finalDate: '2027-01-22',
      collectionCostsCents: 17077,
      interestCents: 1234,
    }),
    toTenant('deels betaald', { kind: 'credit_note', ...c, ...invoice, creditNoteNumber: 'C2026-000007', issueDate: '2026-12-10', amountCents: 113845, refundDueCents: 5000, reason: 'De kosten zijn ten onrechte in rekening gebracht.' }),
    toTenant('niets betaald', { kind: 'credit_note', ...c, ...invoice, creditNoteNumber: 'C2026-000008', issueDate: '2026-12-10', amountCents: 1500, refundDueCents: 0, reason: 'administratiekosten vervallen' }),
    toTenant('vervuiler bekend, door ons opgeruimd', { kind: 'neighbours_notice', ...c, outcome: 'cleaned_and_charged', polluterKnown: true }, { ...options, tenantLinkUrl: null }),
    toTenant('vervuiler bekend, zelf opgeruimd', { kind: 'neighbours_notice', ...c, outcome: 'self_cleaned', polluterKnown: true }, { ...options, tenantLinkUrl: null }),
    // Polluter unknown.
    toTenant('vervuiler onbekend', { kind: 'collective_notice', ...c, ...endOfDay }, { ...options, tenantLinkUrl: null }),
    toTenant('vervuiler onbekend, termijn korter dan een dag', { kind: 'collective_notice', ...c, ...timed }, { ...options, tenantLinkUrl: null }),
    toTenant('vervuiler onbekend', { kind: 'service_cost_notice', ...c, totalCents: 10001, shareCents: 2501, households: 4 }, { ...options, tenantLinkUrl: null }),
    toTenant('vervuiler onbekend, servicekosten', { kind: 'neighbours_notice', ...c, outcome: 'cleaned_at_service_cost', polluterKnown: false }, { ...options, tenantLinkUrl: null }),
    toTenant('vervuiler onbekend, voor onze rekening', { kind: 'neighbours_notice', ...c, outcome: 'cleaned_at_corporation_cost', polluterKnown: false }, { ...options, tenantLinkUrl: null }),
  ];
}

const allKinds: LetterKind[] = [
  'complainant_advice',
  'complainant_acknowledgement',
  'formal_notice',
  'collective_notice',
  'reminder',
  'work_order',
  'warning',
  'invoice',
  'service_cost_notice',
  'neighbours_notice',
  'payment_reminder',
  'final_notice',
  'credit_note',
];

const rendered = categories.flatMap((category) =>
  samplesFor(category).map((s) => ({ ...s, category, letter: renderLetter(s.content, s.recipient, s.options) })),
);

/** The text a reader sees in the HTML part. */
function visibleText(html: string): string {
  return html
    .replace(/<head>[\s\S]*<\/head>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The letter's running text, sentence by sentence (facts, tables and the address left out). */
function sentences(text: string): string[] {
  return text
    .split(/\n{2,}/)
    .filter((para) => !para.includes('\n') && /[.?!]$/.test(para))
    .flatMap((para) => para.split(/(?<=[.?!])\s+(?=[A-Z€0-9])/));
}

const DUTCH_DATE = /\b(maandag |dinsdag |woensdag |donderdag |vrijdag |zaterdag |zondag )?\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}\b/;

describe.each(rendered.map((r) => [`${r.kind} / ${r.category} / ${r.variant}`, r] as const))('%s', (_name, r) => {
  const { text, html, subject } = r.letter;
  const both = [text, visibleText(html), subject];

  it('has no placeholders, no machine dates, no ids a person cannot say', () => {
    for (const out of both) {
      expect(out).not.toMatch(/undefined|null|NaN|\[object|\$\{/);
      expect(out).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
      expect(out).not.toMatch(/T\d{2}:\d{2}/);
      expect(out).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
      expect(out).not.toContain(UUID);
    }
  });

  it('is dated in Dutch and quotes the incident number as our reference', () => {
    expect(text).toMatch(/^Datum: +3 december 2026$/m);
    expect(text).toMatch(/^Ons kenmerk: +2026-00123$/m);
    expect(text).toMatch(DUTCH_DATE);
  });

  it('greets without guessing a gender or glueing a title to a name', () => {
    for (const out of both) expect(out).not.toMatch(/heer\/mevrouw|Geachte heer \S|Geachte mevrouw \S/);
    const toAll = ['collective_notice', 'service_cost_notice', 'neighbours_notice'].includes(r.kind) || (r.content.kind === 'reminder' && r.content.collective);
    expect(text).toContain(toAll ? '\nGeachte bewoner,\n' : '\nGeachte heer, mevrouw,\n');
  });

  it('says how to reach the corporation: phone with opening hours, e-mail, visiting and postal address', () => {
    for (const out of [text, visibleText(html)]) {
      expect(out).toContain('030 123 45 67 (op werkdagen van 9.00 tot 17.00 uur)');
      expect(out).toContain('info@thuis.example');
      expect(out).toContain('Stationsplein 1, 3511 ED Utrecht');
      expect(out).toContain('Postbus 1, 3500 AA Utrecht');
    }
    expect(text).not.toMatch(/contact met ons op\.$/m);
  });

  it('puts the place as typed after "locatie:" (or a label), never after a preposition', () => {
    for (const out of both) {
      expect(out).not.toMatch(new RegExp(`\\b(op|in|bij|naar|over|van|aan) ${LOCATION}`));
      let at = out.indexOf(LOCATION);
      while (at >= 0) {
        expect(out.slice(Math.max(0, at - 40), at)).toMatch(/(locatie|gebouw|Locatie|Plaats in het gebouw):? *$/);
        at = out.indexOf(LOCATION, at + 1);
      }
    }
    expect(text).not.toMatch(/\b(van|over|om) (vervuild|verwaarloosde|gemeenschappelijke) /);
  });

  it('uses the infinitive the sentence needs: te after "om", none after "dat"', () => {
    for (const sentence of sentences(text)) {
      // "… herinneren wij u eraan dat u uiterlijk op … het trappenhuis schoon te maken." is wrong.
      expect(sentence).not.toMatch(/\bdat u\b(?![^.?!]*\bom\b)[^.?!]*\bte \p{L}+en[.?]$/u);
      // "… opdracht om … het trappenhuis schoonmaken." is wrong.
      if (/\b(opdracht om|sommeren u|vragen u daarom om)\b/.test(sentence)) expect(sentence).toMatch(/\bte \p{L}+en\b/u);
    }
  });

  it('is punctuated and capitalised as written Dutch', () => {
    for (const sentence of sentences(text)) {
      expect(sentence).toMatch(/^[A-Z€0-9“]/);
      expect(sentence).not.toMatch(/ [.,?!:;]|\.\.|,,| {2}/);
    }
    expect(subject).not.toMatch(/\.$/);
  });

  it('HTML part: the same content as the text part, one column that fits a phone, long links that wrap', () => {
    const visible = visibleText(html);
    for (const chunk of text.split(/\n{2,}/)) {
      for (const line of chunk.split('\n')) {
        // A facts row "Label:   value" is a table row in HTML: label and value.
        const fact = /^([^:]+):\s{2,}(.+)$/.exec(line);
        const parts = fact && !line.startsWith('http') ? [fact[1]!, fact[2]!] : [line.replace(/^-+$/, '').trim()];
        for (const part of parts.map((x) => x.replace(/\s+/g, ' ').trim()).filter((x) => x !== '')) expect(visible).toContain(part);
      }
    }
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('max-width:600px');
    for (const anchor of html.match(/<a [^>]*>/g) ?? []) expect(anchor).toMatch(/word-break:break-all/);
    expect(html).not.toMatch(/<style|<script/);
  });

  it('states a deadline as it is in force', () => {
    if (!('deadline' in r.content)) return;
    const d = deadlineWording(r.content.deadline);
    for (const out of both) expect(out).not.toContain('24.00 uur');
    if (d.endOfDay) {
      expect(text).toContain(`tot en met ${d.when}`);
      expect(text.replaceAll(corporation.openingHours, '')).not.toMatch(/\d\.\d\d uur/);
    } else {
      expect(text).toContain('om 11.04 uur');
      expect(subject).toContain('11.04 uur');
      expect(text).not.toContain('tot en met donderdag 3 december');
    }
  });
});

describe('reviewed samples', () => {
  it.each(allKinds.flatMap((kind) => categories.map((category) => [kind, category] as const)))('%s-%s.txt is as reviewed', (kind, category) => {
    const samples = rendered.filter((r) => r.kind === kind && r.category === category);
    expect(samples.length).toBeGreaterThan(0);
    const sample = samples.map((r) => `===== ${r.kind} (${r.category}): ${r.variant} =====\nOnderwerp (e-mail): ${r.letter.subject}\n\n${r.letter.text}`).join('\n');
    const file = join(FIXTURES, `${kind}-${category}.txt`);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE) throw new Error(`no reviewed sample ${file}: run with UPDATE_LETTER_FIXTURES=1 and review it`);
      mkdirSync(FIXTURES, { recursive: true });
      writeFileSync(file, sample);
    }
    expect(sample).toBe(readFileSync(file, 'utf8'));
  });
});

describe('the wording of deadlines', () => {
  it('at Amsterdam midnight: all of the day before, "tot en met", no clock time', () => {
    const d = deadlineWording('2026-12-08T23:00:00.000Z');
    expect(d).toMatchObject({ endOfDay: true, date: '2026-12-08', when: 'dinsdag 8 december 2026', by: 'uiterlijk op dinsdag 8 december 2026' });
    expect(d.untilLine).toBe('U heeft daarvoor de tijd tot en met dinsdag 8 december 2026.');
  });

  it('in summer time too', () => {
    expect(deadlineWording('2026-06-30T22:00:00.000Z').by).toBe('uiterlijk op dinsdag 30 juni 2026');
  });

  it('any other moment: that day and the time, rounded down to the minute, never "tot en met"', () => {
    const d = deadlineWording('2026-12-03T10:04:59.999Z');
    expect(d).toMatchObject({ endOfDay: false, date: '2026-12-03', by: 'uiterlijk op donderdag 3 december 2026 om 11.04 uur' });
    expect(d.untilLine).not.toContain('tot en met');
    // A second after midnight is not the end of the day before.
    expect(deadlineWording('2026-12-08T23:00:01.000Z').by).toBe('uiterlijk op woensdag 9 december 2026 om 00.00 uur');
  });
});
