import { defaultPolicy, resolvePolicy, PolicyError } from '../../domain/policy';
import { splitToTheCent, formatEuro, centsToDecimal } from '../../domain/money';
import { loadConfig, ConfigError } from '../../config/config';

test("DESIGN.md's defaults: 2, 5 and 10 working days, noise/children/parking not handled, no administration fee", () => {
  const p = defaultPolicy.categories;
  expect([p.fouled_stairwell.noticePeriod, p.bulk_waste.noticePeriod, p.neglected_garden.noticePeriod]).toEqual([
    { kind: 'workingDays', days: 2 },
    { kind: 'workingDays', days: 5 },
    { kind: 'workingDays', days: 10 },
  ]);
  expect([p.living_noise.handled, p.children_playing.handled, p.parking.handled]).toEqual([false, false, false]);
  expect(p.bulk_waste.administrationFeeCents).toBe(0);
  expect(defaultPolicy.neighboursNoticeMinimumHouseholds).toBe(4);
});

test('a policy file overrides single fields per category, durations as working days or ISO-8601', () => {
  const policy = resolvePolicy({ categories: { bulk_waste: { noticePeriod: 'PT30S', fixedTariffCents: 15000 } }, neighboursNoticeMinimumHouseholds: 6 });
  expect(policy.categories.bulk_waste.noticePeriod).toEqual({ kind: 'iso', ms: 30_000, text: 'PT30S' });
  expect(policy.categories.bulk_waste.fixedTariffCents).toBe(15000);
  expect(policy.categories.bulk_waste.reminderBefore).toEqual({ kind: 'workingDays', days: 1 });
  expect(policy.neighboursNoticeMinimumHouseholds).toBe(6);
});

test('a bad policy is refused with every problem named', () => {
  try {
    resolvePolicy({ categories: { bulk_waste: { noticePeriod: 'soon', vatCode: '' }, vandalism: { serviceCostsForUnknownPolluter: true } }, bogus: 1 });
    throw new Error('accepted');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).issues.join('\n')).toMatch(/bogus/);
  }
  try {
    resolvePolicy({ categories: { bulk_waste: { noticePeriod: 'soon', vatCode: '' } } });
    throw new Error('accepted');
  } catch (error) {
    const issues = (error as PolicyError).issues.join('\n');
    expect(issues).toMatch(/categories\.bulk_waste\.noticePeriod/);
    expect(issues).toMatch(/categories\.bulk_waste\.vatCode/);
  }
  expect(() => resolvePolicy({ categories: { vandalism: { serviceCostsForUnknownPolluter: true } } })).toThrow(
    /vandalism is never charged to the service costs/,
  );
});

test('money splits to the cent: shares differ by at most one cent and add up exactly', () => {
  expect(splitToTheCent(10001, 6)).toEqual([1667, 1667, 1667, 1667, 1667, 1666]);
  expect(splitToTheCent(10001, 6).reduce((a, b) => a + b, 0)).toBe(10001);
  expect(() => splitToTheCent(10.5, 2)).toThrow(RangeError);
  expect(formatEuro(123456)).toBe('€ 1.234,56');
  expect(centsToDecimal(-5)).toBe('-0.05');
});

test('configuration is validated at start-up and names each bad value', () => {
  expect(() => loadConfig({ PORT: 'abc', API_KEYS: 'boss:12345678', LINK_SECRET: 'short' })).toThrow(ConfigError);
  try {
    loadConfig({ PORT: 'abc', API_KEYS: 'boss:12345678', LINK_SECRET: 'short' });
  } catch (error) {
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/API_KEYS/);
    expect(problems).toMatch(/LINK_SECRET/);
  }
  expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/API_KEYS: required in production/);
  const config = loadConfig({ API_KEYS: 'consultant:abcdefgh,finance:ijklmnop' });
  expect(config.apiKeys.get('abcdefgh')).toBe('consultant');
  expect(config.temporal.taskQueue).toBe('polluter-pays');
});

test('the API listens on loopback unless HOST says otherwise', () => {
  expect(loadConfig({}).host).toBe('127.0.0.1');
  expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
});

test('TENANT_LINK_RATE_LIMIT is requests per window (30/m by default); anything else is named', () => {
  expect(loadConfig({}).tenantLinkRateLimit).toEqual({ max: 30, windowMs: 60_000 });
  expect(loadConfig({ TENANT_LINK_RATE_LIMIT: '100/10m' }).tenantLinkRateLimit).toEqual({ max: 100, windowMs: 600_000 });
  expect(loadConfig({ TENANT_LINK_RATE_LIMIT: '5/30s' }).tenantLinkRateLimit).toEqual({ max: 5, windowMs: 30_000 });
  expect(loadConfig({ TENANT_LINK_RATE_LIMIT: '1000/h' }).tenantLinkRateLimit).toEqual({ max: 1000, windowMs: 3_600_000 });
  for (const bad of ['30', '0/m', '30/0m', '30 per minute', '-1/m']) {
    expect(() => loadConfig({ TENANT_LINK_RATE_LIMIT: bad })).toThrow(/TENANT_LINK_RATE_LIMIT: expected requests per window/);
  }
});
