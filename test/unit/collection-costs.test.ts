import {
  dutchStatutoryInterestRates,
  statutoryCollectionCostsCents,
  statutoryInterestCents,
  type StatutoryInterestRate,
} from '../../domain/collection-costs';

describe('statutory collection costs (Besluit vergoeding voor buitengerechtelijke incassokosten)', () => {
  // Each expected value worked out by hand, in cents; "t" is thousandths of a cent (15% of
  // 1 cent = 150 t), the unit in which the bands are summed before the single rounding.
  it.each<[string, number, number]>([
    // 1 cent: 15% = 0.15 cent -> 0; below the minimum, so EUR 40.
    ['EUR 0.01 owes the EUR 40 minimum', 1, 4_000],
    // 26,667 cents * 150 t = 4,000,050 t = 4,000.05 cents -> 4,000 (15% = EUR 40.0005 -> EUR 40.00).
    ['EUR 266.67 owes EUR 40.00 (15% is 40.0005)', 26_667, 4_000],
    // 26,668 * 150 = 4,000,200 t = 4,000.2 cents -> 4,000: 0.2 of a cent rounds down, EUR 40.00.
    ['EUR 266.68 still owes EUR 40.00 (15% is 40.002)', 26_668, 4_000],
    // 26,669 * 150 = 4,000,350 t = 4,000.35 cents -> 4,000: still below half a cent.
    ['EUR 266.69 still owes EUR 40.00 (15% is 40.0035)', 26_669, 4_000],
    // 26,670 * 150 = 4,000,500 t = 4,000.5 cents: exactly half a cent, rounded up -> 4,001.
    // This is the first principal whose costs exceed the minimum (each cent of principal adds
    // 0.15 cent, so it takes 4 cents of principal above 266.66 2/3 to reach half a cent).
    ['EUR 266.70 owes EUR 40.01 (15% is 40.005, half a cent rounds up)', 26_670, 4_001],
    // 15% of 2,500 = 375 exactly.
    ['EUR 2,500 owes EUR 375', 250_000, 37_500],
    // 375 + 10% of 0.01 = 375.001 -> 37,500.1 cents -> 37,500.
    ['EUR 2,500.01 (first cent of the 10% band) owes EUR 375.00', 250_001, 37_500],
    // 375 + 10% of 2,500 (250) = 625.
    ['EUR 5,000 owes EUR 625', 500_000, 62_500],
    // 625 + 5% of 5,000 (250) = 875.
    ['EUR 10,000 owes EUR 875', 1_000_000, 87_500],
    // 875 + 1% of 190,000 (1,900) = 2,775.
    ['EUR 200,000 owes EUR 2,775', 20_000_000, 277_500],
    // 2,775 + 0.5% of 800,000 (4,000) = 6,775: exactly the maximum.
    ['EUR 1,000,000 owes the EUR 6,775 maximum exactly', 100_000_000, 677_500],
    // 2,775 + 0.5% of 1,800,000 (9,000) = 11,775, capped at 6,775.
    ['EUR 2,000,000 owes the EUR 6,775 maximum', 200_000_000, 677_500],
    // 875 + 1% of 1,234.56 = 875 + 12.3456 = 887.3456 -> 88,734.56 cents -> 88,735.
    ['EUR 11,234.56 owes EUR 887.35', 1_123_456, 88_735],
  ])('%s', (_name, principal, expected) => {
    expect(statutoryCollectionCostsCents(principal)).toBe(expected);
  });

  it('charges nothing on a principal of zero', () => {
    expect(statutoryCollectionCostsCents(0)).toBe(0);
  });

  it('never owes less than the minimum or more than the maximum, and never falls as the principal grows', () => {
    const violations: string[] = [];
    let previous = 0;
    for (let principal = 1; principal < 120_000_000; principal += principal < 1_000_000 ? 97 : 99_991) {
      const costs = statutoryCollectionCostsCents(principal);
      if (costs < 4_000 || costs > 677_500 || costs < previous) violations.push(`${principal} -> ${costs}`);
      previous = costs;
    }
    expect(violations).toEqual([]);
    expect(previous).toBe(677_500);
    expect(statutoryCollectionCostsCents(Number.MAX_SAFE_INTEGER)).toBe(677_500);
  });

  it.each([-1, 0.5, 100.25, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects %p as a principal with a RangeError', (bad) => {
    expect(() => statutoryCollectionCostsCents(bad)).toThrow(RangeError);
  });
});

describe('statutory interest (art. 6:119 BW)', () => {
  const flat = (percent: number): StatutoryInterestRate[] => [{ from: '2000-01-01', percent }];

  it('over 365 days at one rate is that percentage of the principal', () => {
    // 2025-01-02 .. 2026-01-01 inclusive is 365 days: 6% of EUR 10,000 = EUR 600.
    expect(statutoryInterestCents(1_000_000, '2025-01-01', '2026-01-01', flat(6))).toBe(60_000);
  });

  it('counts the days after `from` up to and including `to`', () => {
    // One day: 36,500 cents * 4% / 365 = 4 cents.
    expect(statutoryInterestCents(36_500, '2025-03-01', '2025-03-02', flat(4))).toBe(4);
    expect(statutoryInterestCents(36_500, '2025-03-01', '2025-03-01', flat(4))).toBe(0);
  });

  it('counts the actual days over 365, so a leap year earns 366/365 of the rate', () => {
    // 2023-07-01 .. 2024-06-30 is 366 days (it holds 29 February 2024):
    // 1,000,000 * 6% * 366 / 365 = 60,164.38 cents -> 60,164.
    expect(statutoryInterestCents(1_000_000, '2023-06-30', '2024-06-30', flat(6))).toBe(60_164);
  });

  it('switches rate on the day a new rate applies', () => {
    // 2023-10-02 .. 2023-12-31: 30 + 30 + 31 = 91 days at 6%; 2024-01-01 .. 2024-03-31:
    // 31 + 29 + 31 = 91 days at 7%. On EUR 3,650 (365,000 cents):
    // 365,000 * 6% * 91 / 365 = 5,460 and 365,000 * 7% * 91 / 365 = 6,370; together 11,830.
    const rates = [
      { from: '2023-07-01', percent: 6 },
      { from: '2024-01-01', percent: 7 },
    ];
    expect(statutoryInterestCents(365_000, '2023-10-01', '2024-03-31', rates)).toBe(11_830);
    // The real table holds the same two rates for this period.
    expect(statutoryInterestCents(365_000, '2023-10-01', '2024-03-31', dutchStatutoryInterestRates)).toBe(11_830);
  });

  it('adds each full year of interest to the principal (art. 6:119 lid 2)', () => {
    // Year 1, 2021-03-16 .. 2022-03-15 (365 days): 6% of 1,000,000 = 60,000; the base becomes 1,060,000.
    // Year 2, 2022-03-16 .. 2023-03-15 (365 days): 6% of 1,060,000 = 63,600.
    // Together 123,600, where simple interest would have been 120,000.
    expect(statutoryInterestCents(1_000_000, '2021-03-15', '2023-03-15', flat(6))).toBe(123_600);
  });

  it('compounds per year counted from `from`, with simple interest in the last, partial year', () => {
    // As above, then 2023-03-16 .. 2023-04-14 (16 + 14 = 30 days) on 1,123,600:
    // 1,123,600 * 6% * 30 / 365 = 5,541.04 cents; total 123,600 + 5,541.04 = 129,141.04 -> 129,141.
    expect(statutoryInterestCents(1_000_000, '2021-03-15', '2023-04-14', flat(6))).toBe(129_141);
  });

  it('compounds across rate changes, each year on the base that includes the earlier years', () => {
    // Year 1, 2023-01-01 (exclusive) .. 2024-01-01: 180 days at 4% (2023-01-02 .. 2023-06-30:
    // 30 + 28 + 31 + 30 + 31 + 30), 184 days at 6% (2023-07-01 .. 2023-12-31), 1 day at 7% (2024-01-01):
    //   1,000,000 * (4*180 + 6*184 + 7*1) / 36,500 = 1,000,000 * 1,831 / 36,500 = 50,164.38...
    // Year 2, 2024-01-02 .. 2025-01-01: 365 days at 7% (2024-01-02 .. 2024-12-31), 1 day at 6%:
    //   on 1,050,164.38...: * (7*365 + 6) / 36,500 = * 2,561 / 36,500 = 73,684.14...
    // Exactly: 1,000,000 * (36,500 + 1,831) * (36,500 + 2,561) / 36,500^2 - 1,000,000
    //        = 1,000,000 * 38,331 * 39,061 / 1,332,250,000 - 1,000,000 = 123,848.52... -> 123,849.
    expect(statutoryInterestCents(1_000_000, '2023-01-01', '2025-01-01', dutchStatutoryInterestRates)).toBe(123_849);
  });

  it('ends a year that started on 29 February on 28 February', () => {
    // 2024-03-01 .. 2025-02-28 is 365 days; at 10% on 365,000 that is 36,500 and the base
    // becomes 401,500; the one day 2025-03-01 then earns 401,500 * 10% / 365 = 110.
    expect(statutoryInterestCents(365_000, '2024-02-29', '2025-03-01', flat(10))).toBe(36_500 + 110);
  });

  it('rounds the exact amount half up to the cent, once', () => {
    // 18,250 * 1% / 365 = 0.5 cent -> 1; 18,249 * 1% / 365 = 0.49997... -> 0.
    expect(statutoryInterestCents(18_250, '2025-01-01', '2025-01-02', flat(1))).toBe(1);
    expect(statutoryInterestCents(18_249, '2025-01-01', '2025-01-02', flat(1))).toBe(0);
    // A fractional rate: 36,500 * 2.5% * 10 / 365 = 25 exactly.
    expect(statutoryInterestCents(36_500, '2025-01-01', '2025-01-11', flat(2.5))).toBe(25);
  });

  it('is zero on a zero principal', () => {
    expect(statutoryInterestCents(0, '2024-01-01', '2025-01-01', dutchStatutoryInterestRates)).toBe(0);
  });

  it.each<[string, () => unknown]>([
    ['a negative principal', () => statutoryInterestCents(-1, '2025-01-01', '2025-02-01', flat(6))],
    ['a principal in fractions of a cent', () => statutoryInterestCents(10.5, '2025-01-01', '2025-02-01', flat(6))],
    ['`to` before `from`', () => statutoryInterestCents(100, '2025-02-01', '2025-01-01', flat(6))],
    ['a malformed date', () => statutoryInterestCents(100, '2025-02-30', '2025-03-01', flat(6))],
    ['an empty rate table', () => statutoryInterestCents(100, '2025-01-01', '2025-02-01', [])],
    [
      'an unsorted rate table',
      () =>
        statutoryInterestCents(100, '2025-01-01', '2025-02-01', [
          { from: '2025-01-01', percent: 6 },
          { from: '2024-01-01', percent: 7 },
        ]),
    ],
    ['a negative rate', () => statutoryInterestCents(100, '2025-01-01', '2025-02-01', flat(-1))],
    ['a day before the first rate', () => statutoryInterestCents(100, '2011-12-31', '2012-08-01', dutchStatutoryInterestRates)],
  ])('rejects %s with a RangeError', (_name, call) => {
    expect(call).toThrow(RangeError);
  });

  it('has a dated, sorted table of real rates', () => {
    expect(dutchStatutoryInterestRates).toContainEqual({ from: '2024-01-01', percent: 7 });
    expect(dutchStatutoryInterestRates).toContainEqual({ from: '2025-01-01', percent: 6 });
    const dates = dutchStatutoryInterestRates.map((r) => r.from);
    expect([...dates].sort()).toEqual(dates);
  });
});
