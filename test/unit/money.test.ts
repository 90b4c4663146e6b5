import { ValidationError } from '../../domain/errors';
import {
  assertCents,
  centsToDecimal,
  formatEuro,
  InvalidCentsError,
  InvalidEuroAmountError,
  MAX_PAYMENT_CENTS,
  parseEuroAmountCents,
  splitToTheCent,
} from '../../domain/money';

describe('parseEuroAmountCents (the amount column of a payment CSV)', () => {
  it.each<[string, number]>([
    ['187.50', 18_750],
    ['187,50', 18_750],
    ['187.5', 18_750],
    ['187', 18_700],
    ['0.01', 1],
    ['0,29', 29], // 0.29 * 100 is 28.999999999999996 in floating point
    ['1.15', 115],
    ['000187.50', 18_750],
    ['1000000.00', 100_000_000],
    ['1000000', MAX_PAYMENT_CENTS],
  ])('reads %j as %i cents', (text, cents) => {
    expect(parseEuroAmountCents(text)).toBe(cents);
  });

  it.each<[string, RegExp]>([
    ['', /expected euros/],
    [' ', /expected euros/],
    [' 187.50', /expected euros/],
    ['187.50 ', /expected euros/],
    ['1 000.00', /expected euros/],
    ['-187.50', /expected euros/],
    ['+187.50', /expected euros/],
    ['187.500', /expected euros/],
    ['187.505', /expected euros/],
    ['1.000,00', /expected euros/],
    ['1,000.00', /expected euros/],
    ['1e3', /expected euros/],
    ['187.', /expected euros/],
    ['.50', /expected euros/],
    ['€ 187,50', /expected euros/],
    ['１８７', /expected euros/],
    ['NaN', /expected euros/],
    ['Infinity', /expected euros/],
    ['0', /more than 0\.00/],
    ['0.00', /more than 0\.00/],
    ['000,0', /more than 0\.00/],
    ['1000000.01', /more than € 1\.000\.000,00/],
    ['99999999999999999999', /more than € 1\.000\.000,00/],
    ['9'.repeat(100_000), /more than € 1\.000\.000,00/],
  ])('refuses %j with an InvalidEuroAmountError (%p), a ValidationError the API answers with 400', (text, reason) => {
    expect(() => parseEuroAmountCents(text)).toThrow(InvalidEuroAmountError);
    expect(() => parseEuroAmountCents(text)).toThrow(ValidationError);
    expect(() => parseEuroAmountCents(text)).toThrow(reason);
  });

  it('names the field and the text in the error', () => {
    try {
      parseEuroAmountCents('12.345');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toMatchObject({ name: 'InvalidEuroAmountError', code: 'validation', text: '12.345', fields: [{ path: 'amount' }] });
    }
  });
});

describe('money found by the property tests', () => {
  it('splits a large negative total exactly (total - base * parts rounded past 2^53)', () => {
    const shares = splitToTheCent(-Number.MAX_SAFE_INTEGER, 3);
    expect(shares).toEqual([-3_002_399_751_580_330, -3_002_399_751_580_330, -3_002_399_751_580_331]);
    expect(shares.reduce((sum, s) => sum + BigInt(s), 0n)).toBe(-BigInt(Number.MAX_SAFE_INTEGER));
  });

  it.each([0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)])('refuses %p cents with an InvalidCentsError (still a RangeError)', (bad) => {
    for (const call of [() => assertCents(bad), () => formatEuro(bad), () => centsToDecimal(bad), () => splitToTheCent(bad, 2)]) {
      expect(call).toThrow(InvalidCentsError);
      expect(call).toThrow(RangeError);
    }
    expect(() => assertCents(bad)).toThrow(/amount must be a whole number of cents/);
  });
});
