import { parseEuroCents } from '../../web/dutch-report';
import { houseNumbers } from '../../db/work-orders';

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

describe("a building's house numbers on a work order", () => {
  test.each([
    [['1', '2', '3', '4'], '1–4'],
    [['12', '11', '9', '10'], '9–12'],
    [['1', '2', '4'], '1, 2, 4'],
    [['3', '1', '2', '7', '9a', '9'], '1–3, 7, 9, 9a'],
    [['5'], '5'],
  ])('%j is "%s"', (numbers, text) => {
    expect(houseNumbers(numbers)).toBe(text);
  });
});
