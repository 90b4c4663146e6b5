import { csvAmountCents } from '../../api/routes/invoices';

describe('an amount in a payment CSV', () => {
  it.each([
    ['187.50', 18750],
    ['187,5', 18750],
    ['0.01', 1],
    ['000012', 1200],
    ['1000000.00', 100_000_000],
  ])('%s is %d cents', (text, cents) => {
    expect(csvAmountCents(text)).toEqual({ cents });
  });

  it.each([
    ['0.00', 'must be more than 0.00'],
    ['1000000.01', 'at most 1000000.00 a payment'],
    ['99999999999999999999', 'at most 1000000.00 a payment'],
    ['-5.00', 'expected an amount in euros such as 187.50'],
    ['1.234', 'expected an amount in euros such as 187.50'],
    ['tien', 'expected an amount in euros such as 187.50'],
    ['', 'expected an amount in euros such as 187.50'],
  ])('%j is refused: %s', (text, problem) => {
    expect(csvAmountCents(text)).toEqual({ problem });
  });
});
