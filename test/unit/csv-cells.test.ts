import { stringify } from 'csv-stringify/sync';
import { formulaSafeCast, neutraliseFormula } from '../../domain/csv-cells';

describe('a CSV cell a spreadsheet would take for a formula', () => {
  it.each(['=2+3', '+31 6 1234', '-onterecht', '@SUM(A1)', '\tBTW', '\rx'])('%j gets a quote in front', (text) => {
    expect(neutraliseFormula(text)).toBe(`'${text}`);
  });

  it.each(['2026-000123', 'Betaling', '', "'al veilig", ' =spatie eerst', 'a=b'])('%j stays as it is', (text) => {
    expect(neutraliseFormula(text)).toBe(text);
  });

  it('neutralises the text columns of objects and arrays, leaves the named number columns and the header', () => {
    const columns = ['id', 'amount', 'note'] as const;
    const cast = formulaSafeCast(columns, ['amount']);
    expect(stringify([{ id: '=1', amount: '-187.50', note: '-x' }], { header: true, columns: [...columns], cast })).toBe("id,amount,note\n'=1,-187.50,'-x\n");
    expect(stringify([['@a', '-2.00', 3]], { header: true, columns: [...columns], cast })).toBe("id,amount,note\n'@a,-2.00,3\n");
  });
});
