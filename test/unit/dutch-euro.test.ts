import { parseEuroCents } from '../../web/dutch-report';

describe('an amount typed the Dutch way becomes integer cents', () => {
  test.each([
    ['125,50', 12550],
    ['125,5', 12550],
    ['125', 12500],
    ['€ 125,50', 12550],
    ['125,50 euro', 12550],
    ['1.250', 125000],
    ['1.250,75', 125075],
    ['12.345.678,90', 1234567890],
    ['1250.50', 125050],
    ['0,01', 1],
    [' 7 ', 700],
  ])('"%s" is %i cents', (typed, cents) => {
    expect(parseEuroCents(typed)).toBe(cents);
  });

  test.each(['', 'twaalf', '-5', '12,345', '1,2,3', '12.34.56', ',50', '1e3', '12,5,0'])('"%s" is not an amount', (typed) => {
    expect(parseEuroCents(typed)).toBeNull();
  });
});
