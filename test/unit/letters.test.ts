import { type Corporation, escapeHtml, renderLetter, type RecipientDetails, type RenderOptions } from '../../documents/letters';
import type { LetterContent } from '../../domain/letters';

const tenant: RecipientDetails = {
  name: 'J. de Vries',
  address: { street: 'Kerkstraat', houseNumber: '12-B', postalCode: '1234 AB', city: 'Utrecht' },
};
const contractor: RecipientDetails = { name: 'Schoonmaakbedrijf Glans B.V.', address: null };
const corporation: Corporation = {
  name: 'Woonstichting Thuis',
  iban: 'NL91ABNA0417164300',
  bic: 'ABNANL2A',
  kvk: '12345678',
  phone: '030 123 45 67',
  email: 'info@thuis.example',
  website: 'https://www.thuis.example',
  postalAddress: 'Postbus 1, 3500 AA Utrecht',
  visitingAddress: 'Stationsplein 1, 3511 ED Utrecht',
  openingHours: 'op werkdagen van 9.00 tot 17.00 uur',
};
const options: RenderOptions = { tenantLinkUrl: 'https://portaal.example.nl/t/abc123', corporation, letterDate: '2026-11-24' };
const common = { incidentId: 'INC-2026-0042', category: 'fouled_stairwell' as const, location: 'Kerkstraat 10-20, trappenhuis A' };

// 1 December 2026 is a Tuesday.
const deadline = { deadline: '2026-12-01T23:00:00Z', deadlineDate: '2026-12-01' };

function render(content: LetterContent, recipient: RecipientDetails = tenant, opts: RenderOptions = options) {
  return renderLetter(content, recipient, opts);
}

function expectInBoth(letter: { text: string; html: string }, ...needles: string[]): void {
  for (const needle of needles) {
    expect(letter.text).toContain(needle);
    expect(letter.html).toContain(escapeHtml(needle));
  }
}

describe('every letter', () => {
  const contents: LetterContent[] = [
    { kind: 'complainant_advice', ...common, category: 'living_noise' },
    { kind: 'complainant_acknowledgement', ...common },
    { kind: 'formal_notice', ...common, ...deadline, tariffCents: 9500, linkExpiresAt: '2026-12-15T23:00:00Z' },
    { kind: 'collective_notice', ...common, ...deadline },
    { kind: 'reminder', ...common, ...deadline, collective: false, linkExpiresAt: '2026-12-15T23:00:00Z' },
    { kind: 'work_order', ...common, workOrderNumber: 'WO-77', buildingId: 'CPLX-9' },
    { kind: 'warning', ...common, offenceNumber: 1, severity: 'standard', cleanedBy: 'tenant', invoiceNumber: null, totalCents: null },
    {
      kind: 'invoice',
      ...common,
      invoiceNumber: '2026-000123',
      issueDate: '2026-12-03',
      dueDate: '2026-12-17',
      lines: [{ description: 'Schoonmaak trappenhuis', amountCents: 12345, vatCode: 'OVS' }],
      totalCents: 12345,
    },
    { kind: 'service_cost_notice', ...common, totalCents: 10000, shareCents: 2500, households: 4 },
    { kind: 'neighbours_notice', ...common, outcome: 'self_cleaned', polluterKnown: false },
  ];

  it.each(contents.map((c) => [c.kind, c] as const))(
    '%s greets the recipient by name, quotes the incident reference and is signed by the corporation',
    (_kind, content) => {
      const letter = render(content);
      expect(letter.subject.length).toBeGreaterThan(0);
      expectInBoth(letter, 'J. de Vries', 'INC-2026-0042', '030 123 45 67', 'info@thuis.example', 'Woonstichting Thuis', 'Met vriendelijke groet');
      expect(letter.html).toMatch(/^<!DOCTYPE html>/);
      expect(letter.text).not.toMatch(/undefined|null|NaN|\[object/);
      expect(letter.html).not.toMatch(/undefined|null|NaN|\[object/);
    },
  );
});

describe('complainant advice', () => {
  it('says the complaint is not taken up and advises talking to the neighbour and neighbour mediation via the municipality', () => {
    const letter = render({ kind: 'complainant_advice', ...common, category: 'living_noise' });
    expect(letter.subject).toBe('Uw melding over overlast door leefgeluid');
    expectInBoth(letter, 'leefgeluid', 'niet in behandeling', 'in gesprek met uw buren', 'buurtbemiddeling', 'gemeente');
  });
});

describe('complainant acknowledgement', () => {
  it('confirms receipt of the report with category and location', () => {
    const letter = render({ kind: 'complainant_acknowledgement', ...common, category: 'bulk_waste' });
    expect(letter.subject).toContain('grofvuil in een gemeenschappelijke ruimte');
    expectInBoth(letter, 'ontvangen', 'grofvuil in een gemeenschappelijke ruimte', 'Kerkstraat 10-20, trappenhuis A');
  });
});

describe('formal notice', () => {
  const base = { kind: 'formal_notice' as const, ...common, ...deadline, linkExpiresAt: '2026-12-15T23:00:00Z' };

  it('names the deadline with its weekday in the subject and body, the link, its last valid day and the fixed tariff', () => {
    const letter = render({ ...base, tariffCents: 12345 });
    expect(letter.subject).toBe('Ingebrekestelling: vervuild trappenhuis, uiterlijk dinsdag 1 december 2026');
    expectInBoth(
      letter,
      'in gebreke',
      'uiterlijk op dinsdag 1 december 2026',
      'het trappenhuis schoon te maken',
      'Kerkstraat 10-20, trappenhuis A',
      'https://portaal.example.nl/t/abc123',
      // Expires at Amsterdam midnight starting 16 December: valid through the 15th.
      'geldig tot en met 15 december 2026',
      'vaste tarief van € 123,45',
      'bezwaar',
    );
    expect(letter.html).toContain('<a href="https://portaal.example.nl/t/abc123"');
  });

  it('charges the actual cost of the cleaning company when there is no fixed tariff', () => {
    const letter = render({ ...base, tariffCents: null });
    expectInBoth(letter, 'werkelijke kosten van het schoonmaakbedrijf');
    expect(letter.text).not.toContain('€');
  });

  it('states a link expiry that is not at midnight with its time', () => {
    const letter = render({ ...base, tariffCents: null, linkExpiresAt: '2026-12-15T09:30:00Z' });
    expectInBoth(letter, 'geldig tot 15 december 2026, 10.30 uur');
  });

  it('falls back to contacting the corporation when there is no link', () => {
    const letter = render({ ...base, tariffCents: 9500 }, tenant, { ...options, tenantLinkUrl: null });
    expect(letter.text).not.toContain('portaal.example.nl');
    expectInBoth(letter, 'bel ons op 030 123 45 67 of mail naar info@thuis.example', 'INC-2026-0042');
  });
});

describe('collective notice', () => {
  it('tells all households that the shared space is their shared responsibility, with the deadline and no link', () => {
    const letter = render({ kind: 'collective_notice', ...common, ...deadline });
    expect(letter.subject).toContain('uiterlijk dinsdag 1 december 2026');
    expectInBoth(letter, 'alle huishoudens', 'gezamenlijke verantwoordelijkheid', 'dinsdag 1 december 2026', 'het trappenhuis uiterlijk op dinsdag 1 december 2026 weer schoon is');
    expect(letter.text).not.toContain('portaal.example.nl');
    expect(letter.html).not.toContain('portaal.example.nl');
  });
});

describe('reminder', () => {
  it('reminds the tenant personally of the deadline and repeats the link', () => {
    const letter = render({ kind: 'reminder', ...common, ...deadline, collective: false, linkExpiresAt: '2026-12-15T23:00:00Z' });
    expect(letter.subject).toBe('Herinnering: vervuild trappenhuis, uiterlijk dinsdag 1 december 2026');
    expectInBoth(letter, 'ingebrekestelling', 'dinsdag 1 december 2026', 'https://portaal.example.nl/t/abc123', 'tot en met 15 december 2026');
  });

  it('reminds all households collectively without a link', () => {
    const letter = render({ kind: 'reminder', ...common, ...deadline, collective: true, linkExpiresAt: null });
    expectInBoth(letter, 'alle huishoudens', 'dinsdag 1 december 2026', 'gezamenlijke verantwoordelijkheid');
    expect(letter.text).not.toContain('portaal.example.nl');
  });
});

describe('work order', () => {
  const building = {
    buildingId: 'B-9-A',
    complexId: 'CPLX-9',
    street: 'Kerkstraat',
    houseNumbers: '10-20',
    postalCode: '1234 AB',
    city: 'Utrecht',
    accessNotes: 'Sleutelkastje naast de hoofdingang, code 4321',
  };

  it('gives the contractor the address, complex, place in the building, access, deadline and the order number', () => {
    const letter = render(
      { kind: 'work_order', ...common, location: 'trappenhuis A, 2e verdieping', workOrderNumber: 'WO-77', buildingId: 'B-9-A', complexId: 'CPLX-9', completeBy: '2026-12-08' },
      contractor,
      { ...options, building },
    );
    expect(letter.subject).toBe('Werkopdracht WO-77: vervuild trappenhuis');
    expectInBoth(
      letter,
      'Schoonmaakbedrijf Glans B.V.',
      'Geachte heer, mevrouw,',
      'WO-77',
      'Kerkstraat 10-20, 1234 AB Utrecht',
      'CPLX-9',
      'trappenhuis A, 2e verdieping',
      'Sleutelkastje naast de hoofdingang, code 4321',
      'dinsdag 8 december 2026',
      'opdracht om het trappenhuis schoon te maken',
      'Vervuild trappenhuis',
      'gereed',
      'kosten',
    );
    expect(letter.text).toMatch(/Complex:\s+CPLX-9/);
    expect(letter.text).not.toContain('B-9-A');
  });

  it('says the address is missing, and how to ask for it, for a building the directory does not have', () => {
    const letter = render({ kind: 'work_order', ...common, workOrderNumber: 'WO-77', buildingId: 'B-9-A', complexId: 'CPLX-9' }, contractor, { ...options, building: null });
    expectInBoth(letter, 'Complex', 'CPLX-9', 'staat nog niet in ons bestand', '030 123 45 67');
    expect(letter.text).not.toContain('B-9-A');
  });
});

describe('warning', () => {
  const base = { kind: 'warning' as const, ...common, invoiceNumber: null, totalCents: null };

  it('thanks a tenant who cleaned up, but still warns formally', () => {
    const letter = render({ ...base, offenceNumber: 1, severity: 'standard', cleanedBy: 'tenant' });
    expect(letter.subject).toBe('Waarschuwing: vervuild trappenhuis');
    expectInBoth(letter, 'Dank u wel', 'officiële waarschuwing', '1e overtreding');
    expect(letter.text).not.toContain('huurovereenkomst.');
  });

  it('mentions the invoice number and total when the corporation cleaned', () => {
    const letter = render({ ...base, offenceNumber: 1, severity: 'standard', cleanedBy: 'corporation', invoiceNumber: '2026-000123', totalCents: 12345 });
    expectInBoth(letter, 'factuur 2026-000123', '€ 123,45');
    expect(letter.text).not.toContain('Dank u wel');
  });

  it('marks a repeat offence as sharp and warns about consequences for the tenancy', () => {
    const letter = render({ ...base, offenceNumber: 2, severity: 'sharp', cleanedBy: 'tenant' });
    expect(letter.subject).toContain('herhaling');
    expectInBoth(letter, '2e overtreding', 'niet de eerste keer', 'gevolgen kan hebben voor uw huurovereenkomst');
  });
});

describe('invoice', () => {
  it('lists number, dates, lines with amounts and VAT code, total, and asks to pay before the due date quoting the number', () => {
    const letter = render({
      kind: 'invoice',
      ...common,
      invoiceNumber: '2026-000123',
      issueDate: '2026-12-03',
      dueDate: '2026-12-17',
      lines: [
        { description: 'Schoonmaak trappenhuis', amountCents: 112345, vatCode: 'OVS' },
        { description: 'Administratiekosten', amountCents: 1500, vatCode: 'OVS' },
      ],
      totalCents: 113845,
    });
    expect(letter.subject).toBe('Factuur 2026-000123: vervuild trappenhuis');
    expectInBoth(
      letter,
      '2026-000123',
      '3 december 2026',
      '17 december 2026',
      'Schoonmaak trappenhuis',
      '€ 1.123,45',
      'Administratiekosten',
      '€ 15,00',
      'OVS',
      'Totaal',
      '€ 1.138,45',
      'uiterlijk op donderdag 17 december 2026',
      'factuurnummer 2026-000123',
    );
  });
});

describe('service cost notice', () => {
  it('states the total, the number of households and this household’s share, charged through the service costs', () => {
    const letter = render({ kind: 'service_cost_notice', ...common, totalCents: 10001, shareCents: 2501, households: 4 });
    expectInBoth(letter, 'niet bekend', '€ 100,01', '4 huishoudens', '€ 25,01', 'servicekosten', 'één cent');
    expect(letter.subject).toContain('€ 25,01');
  });

  it('does not mention rounding when the cost divides evenly', () => {
    const letter = render({ kind: 'service_cost_notice', ...common, totalCents: 10000, shareCents: 2500, households: 4 });
    expect(letter.text).not.toContain('één cent');
  });
});

describe('neighbours notice', () => {
  const polluter = { name: 'P. Vervuiler', unit: '14-C', street: 'Kerkstraat', houseNumber: '14-C', postalCode: '1234 AC' };
  const neighbour: RecipientDetails = {
    name: 'A. Buurman',
    address: { street: 'Kerkstraat', houseNumber: '16', postalCode: '1234 AD', city: 'Utrecht' },
  };

  it.each(['self_cleaned', 'cleaned_and_charged', 'cleaned_at_corporation_cost'] as const)(
    'for a known polluter (%s) says the causer was held to account and contains none of the polluter’s data',
    (outcome) => {
      const letter = render(
        { kind: 'neighbours_notice', ...common, location: 'trappenhuis', outcome, polluterKnown: true },
        neighbour,
      );
      expectInBoth(letter, 'A. Buurman', 'Geachte bewoner,', 'opgelost', 'aangesproken');
      for (const output of [letter.subject, letter.text, letter.html]) {
        expect(output).not.toContain(polluter.name);
        expect(output).not.toContain('Vervuiler');
        expect(output).not.toContain(polluter.unit);
        expect(output).not.toContain(polluter.postalCode);
      }
    },
  );

  it('for an unknown polluter cleaned at service cost does not claim anyone was held to account', () => {
    const letter = render(
      { kind: 'neighbours_notice', ...common, outcome: 'cleaned_at_service_cost', polluterKnown: false },
      neighbour,
    );
    expect(letter.subject).toBe('Afgehandeld: vervuild trappenhuis');
    expectInBoth(letter, 'servicekosten', 'Kerkstraat 10-20, trappenhuis A');
    expect(letter.text).not.toContain('aangesproken');
  });
});

describe('HTML', () => {
  it('escapes markup in names, locations and the corporation name', () => {
    const letter = renderLetter(
      { kind: 'complainant_acknowledgement', ...common, location: '<script>alert("x")</script> & co' },
      { name: 'Jan <b>', address: null },
      { ...options, tenantLinkUrl: null, corporation: { ...corporation, name: 'Wonen & <Co>' } },
    );
    expect(letter.html).not.toContain('<script>');
    expect(letter.html).not.toContain('<b>');
    expect(letter.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(letter.html).toContain('Jan &lt;b&gt;');
    expect(letter.html).toContain('Wonen &amp; &lt;Co&gt;');
    expect(letter.text).toContain('<script>alert("x")</script> & co');
  });

  it('escapeHtml escapes all five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('does not turn a non-web link into an anchor', () => {
    const letter = render(
      { kind: 'formal_notice', ...common, ...deadline, tariffCents: null, linkExpiresAt: '2026-12-15T23:00:00Z' },
      tenant,
      { ...options, tenantLinkUrl: 'javascript:alert(1)' },
    );
    expect(letter.html).not.toContain('href="javascript:');
  });
});
