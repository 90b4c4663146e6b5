import type { Db } from './connection';
import { financialLetterKinds } from '../domain/letters';
import type { PdfParty } from '../documents/pdf';

export type LetterQuery = ReturnType<typeof letterQuery>;
export type LetterRow = Awaited<ReturnType<LetterQuery['execute']>>[number];

export function lettersWhere(db: Db, where: (q: LetterQuery) => LetterQuery): Promise<LetterRow[]> {
  return where(letterQuery(db)).execute();
}

/** Letters with how they went out and their recipient (tenant or contractor) from the directory. */
export function letterQuery(db: Db) {
  return db
    .selectFrom('notifications as n')
    .leftJoin('letter_deliveries as d', 'd.letter_id', 'n.letter_id')
    .leftJoin('tenants as t', (join) => join.onRef('t.contract_number', '=', 'n.recipient_id').on('n.recipient_type', '=', 'tenant'))
    .leftJoin('contractors as c', (join) => join.onRef('c.contractor_id', '=', 'n.recipient_id').on('n.recipient_type', '=', 'contractor'))
    .leftJoin('letter_postings as p', 'p.letter_id', 'n.letter_id')
    // An erased tenant's invoices and credit notes keep their addressee (db/erasure.ts); their other letters do not.
    .leftJoin('billing_addressees as b', (join) =>
      join.onRef('b.contract_number', '=', 'n.recipient_id').on('n.recipient_type', '=', 'tenant').on('n.kind', 'in', financialLetterKinds),
    )
    .select((eb) => [
      'd.channel',
      'p.posted_on',
      'p.counted_from',
      'n.letter_id',
      'n.incident_id',
      'n.kind',
      'n.recipient_type',
      'n.recipient_id',
      'n.recorded_at',
      'n.content',
      'd.sent_content',
      'd.delivered_at',
      eb.fn.coalesce('t.name', 'b.name').as('name'),
      eb.fn.coalesce('t.street', 'b.street').as('street'),
      eb.fn.coalesce('t.house_number', 'b.house_number').as('house_number'),
      eb.fn.coalesce('t.postal_code', 'b.postal_code').as('postal_code'),
      eb.fn.coalesce('t.city', 'b.city').as('city'),
      'c.name as contractor_name',
    ]);
}

export function recipientOf(row: { recipient_type: string; recipient_id: string; name: string | null; contractor_name: string | null; street: string | null; house_number: string | null; postal_code: string | null; city: string | null }): PdfParty {
  if (row.recipient_type === 'contractor') return { name: row.contractor_name ?? `aannemer ${row.recipient_id}`, address: null };
  return {
    name: row.name ?? `huurder ${row.recipient_id}`,
    address: row.street ? { street: row.street, houseNumber: row.house_number ?? '', postalCode: row.postal_code ?? '', city: row.city ?? '' } : null,
  };
}
