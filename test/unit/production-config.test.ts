import { ConfigError, loadConfig } from '../../config/config';
import { productionRequiredSettings } from '../../config/production';
import { productionSettings } from '../support/production-settings';

/** A production environment with the corporation's own details: the one that starts. */
const production: NodeJS.ProcessEnv = {
  NODE_ENV: 'production',
  ...productionSettings,
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

test('a production environment with the corporation\'s own settings starts', () => {
  const config = loadConfig(production);
  expect(config.production).toBe(true);
  expect(config.corporationIban).toBe('NL20INGB0001234567');
  expect(config.publicUrl).toBe('https://vervuiler.woonstede.nl');
});

test('every production setting left out is named, all at once', () => {
  let error: unknown;
  try {
    loadConfig({ NODE_ENV: 'production' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).settings).toEqual([...productionRequiredSettings]);
  for (const problem of (error as ConfigError).problems) expect(problem).toMatch(/^[A-Z_]+: required in production/);
});

test.each(productionRequiredSettings)('production without %s refuses to start, naming it', (setting) => {
  const { [setting]: _left, ...rest } = production;
  expect(problemsOf(rest)).toEqual([expect.stringMatching(new RegExp(`^${setting}: required in production`))]);
});

test.each([
  ['CORPORATION_NAME', 'Woningcorporatie'],
  ['CORPORATION_IBAN', 'NL91ABNA0417164300'],
  ['CORPORATION_BIC', 'ABNANL2A'],
  ['CORPORATION_KVK', '12345678'],
  ['CORPORATION_ADDRESS', 'Postbus 1, 3500 AA Utrecht'],
  ['CORPORATION_VISITING_ADDRESS', 'Stationsplein 1, 3511 ED Utrecht'],
  ['CORPORATION_PHONE', '088 123 45 67'],
  ['CORPORATION_EMAIL', 'info@woningcorporatie.example'],
  ['MAIL_FROM', 'Woningcorporatie <geen-antwoord@polluter-pays.local>'],
])('production refuses the development placeholder of %s', (setting, placeholder) => {
  expect(problemsOf({ ...production, [setting]: placeholder })).toEqual([`${setting}: still the development placeholder "${placeholder}"; set the corporation's own`]);
  // The same value is fine in development.
  expect(() => loadConfig({ [setting]: placeholder })).not.toThrow();
});

test.each(['http://localhost:3000', 'http://127.0.0.1:3000', 'https://app.localhost', 'http://0.0.0.0:3000', 'http://[::1]:3000'])(
  'production refuses PUBLIC_URL %s: tenants cannot follow links to this machine',
  (url) => {
    expect(problemsOf({ ...production, PUBLIC_URL: url })).toEqual([`PUBLIC_URL: ${url} points at this machine; tenants cannot follow links to it`]);
  },
);

test('production refuses an IBAN that fails mod 97 or does not fit its country, and a malformed BIC', () => {
  // One digit off from the valid NL20INGB0001234567.
  expect(problemsOf({ ...production, CORPORATION_IBAN: 'NL20INGB0001234568' })).toEqual([
    'CORPORATION_IBAN: NL20INGB0001234568 fails the IBAN check digits (mod 97): a typing error?',
  ]);
  expect(problemsOf({ ...production, CORPORATION_IBAN: 'NL20INGB00012345678' })).toEqual([
    expect.stringMatching(/^CORPORATION_IBAN: NL20INGB00012345678 is not a valid IBAN/),
  ]);
  expect(problemsOf({ ...production, CORPORATION_IBAN: 'XX20INGB0001234567' })).toEqual([
    'CORPORATION_IBAN: XX20INGB0001234567 does not start with a country that has IBANs',
  ]);
  expect(problemsOf({ ...production, CORPORATION_BIC: 'INGBXX2A' })).toEqual(['CORPORATION_BIC: INGBXX2A is not a valid BIC']);
  // Development takes any IBAN-shaped value (tests and demos make up their own).
  expect(loadConfig({ CORPORATION_IBAN: 'NL20INGB0001234568' }).corporationIban).toBe('NL20INGB0001234568');
});

test('production refuses mail addresses on domains that receive no mail', () => {
  expect(problemsOf({ ...production, CORPORATION_EMAIL: 'info@woonstede.test', MAIL_FROM: 'Woonstede <noreply@woonstede.local>' })).toEqual([
    'CORPORATION_EMAIL: info@woonstede.test is on a domain that receives no mail',
    'MAIL_FROM: Woonstede <noreply@woonstede.local> is on a domain that receives no mail',
  ]);
});

test('a malformed value and the missing production settings are reported together', () => {
  const { CORPORATION_NAME: _name, ...rest } = production;
  const problems = problemsOf({ ...rest, PORT: 'abc', CORPORATION_KVK: '123' });
  expect(problems).toEqual([
    expect.stringMatching(/^PORT: /),
    expect.stringMatching(/^CORPORATION_KVK: expected the 8 digits of a KvK number/),
    expect.stringMatching(/^CORPORATION_NAME: required in production/),
  ]);
});
