import type { Kysely } from 'kysely';
import { defineCellFunctions } from './2026-12-03T18-00-report-quarters';

/**
 * The recompute of the report cells (the rebuild's last step) sums an incident's and an invoice's
 * amounts as integers into bigints: PostgreSQL sums integers in a machine word and bigints in a
 * 128-bit state of its own per group and sum, which at 300,000 cells and six sums took a sixth
 * of the time and 140 MB. An amount fits: an incident's cost is at most 1,000,000.00 euros (the
 * API refuses more), its invoice a few per cent above it; an amount that did not fit would stop
 * the rebuild with an error, not wrap around. The cells' columns stay bigint.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await defineCellFunctions(db, 'with quarters', 'integer');
}

export async function down(db: Kysely<any>): Promise<void> {
  await defineCellFunctions(db, 'with quarters', 'bigint');
}
