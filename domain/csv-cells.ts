/**
 * CSV cells that a spreadsheet would take for a formula (CSV injection, OWASP): a text cell that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in front, so that Excel and
 * LibreOffice show it as text. Number columns (amounts, counts) are left as they are: `-187.50`
 * stays a number. Every CSV the product writes goes through `formulaSafeCast`.
 */

/** The first characters that make a spreadsheet read a cell as a formula. */
export const formulaStarts = ['=', '+', '-', '@', '\t', '\r'] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * csv-stringify's `cast` option for a CSV with these `columns`: every string cell is neutralised
 * except in the `numberColumns` (and the header row, which is ours). JavaScript numbers are not
 * strings and pass untouched.
 */
export function formulaSafeCast(columns: readonly string[], numberColumns: readonly string[] = []) {
  return {
    string: (value: string, context: { column?: string | number; header?: boolean }): string => {
      if (context.header) return value;
      const name = typeof context.column === 'number' ? columns[context.column] : context.column;
      return name !== undefined && numberColumns.includes(name) ? value : neutraliseFormula(value);
    },
  };
}
