import { parse as parseCsv, CsvError } from 'csv-parse/sync';

/** The line in the file on which each record of a parsed CSV body starts, for error paths (`line 12: amount`). */
const recordLines = new WeakMap<object, number[]>();

export class CsvBodyError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
    this.name = 'CsvBodyError';
  }
}

/** Records of a CSV upload with a header row, as objects of trimmed strings; empty lines skipped. */
export function parseCsvBody(text: string): Record<string, string>[] {
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as typeof parsed;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? null;
      const reason = error.message.length > 200 ? `${error.message.slice(0, 199)}…` : error.message;
      throw new CsvBodyError(`the CSV cannot be read: ${reason}`, line);
    }
    throw error;
  }
  const records = parsed.map((p) => p.record);
  // info.lines is the line on which the record ends; a record spans as many lines as its newlines.
  recordLines.set(
    records,
    parsed.map((p) => p.info.lines - Object.values(p.record).reduce((n, value) => n + (value.match(/\n/g)?.length ?? 0), 0)),
  );
  return records;
}

/** The line number of record `index` of a body parsed by parseCsvBody, or null for any other body. */
export function csvLineOf(body: unknown, index: number): number | null {
  if (typeof body !== 'object' || body === null) return null;
  return recordLines.get(body)?.[index] ?? null;
}
