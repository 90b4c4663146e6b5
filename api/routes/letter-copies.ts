import type { FastifyInstance } from 'fastify';
import { subjectKeysOf } from '../../db/subject-keys';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { financialLetterKinds, letterContentSchema } from '../../domain/letters';
import { renderLetter, type RecipientDetails } from '../../documents/letters';
import { corporationOf } from '../../config/config';
import { amsterdamDate } from '../../domain/calendar';
import { notFound } from '../problems';
import type { ApiDeps } from '../deps';

/**
 * A copy of a letter as its recipient read it (HTML), for the incident's file: rendered from the
 * content as sent (a letter that went out late carries its moved dates) and the directory as it is
 * now. The tenant's personal link is not in the copy (it would let a reader act as the tenant): its
 * place says so.
 */
export const LINK_IN_COPY = '[hier stond de persoonlijke link van de huurder]';

export function registerLetterCopyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db, config } = deps;

  routes.get(
    '/letters/:letterId/html',
    {
      config: { access: { roles: ['consultant', 'admin', 'finance'] } },
      schema: {
        operationId: 'letterHtml',
        tags: ['letters'],
        summary: 'A copy of a letter as HTML, as it was sent (without the tenant\'s personal link)',
        params: z.object({ letterId: z.string().min(1).max(300) }),
      },
    },
    async (request, reply) => {
      const row = await db
        .selectFrom('notifications as n')
        .leftJoin('letter_deliveries as d', 'd.letter_id', 'n.letter_id')
        .leftJoin('tenants as t', (join) => join.onRef('t.contract_number', '=', 'n.recipient_id').on('n.recipient_type', '=', 'tenant'))
        .leftJoin('contractors as c', (join) => join.onRef('c.contractor_id', '=', 'n.recipient_id').on('n.recipient_type', '=', 'contractor'))
        // An erased tenant's invoices and credit notes keep their addressee (db/erasure.ts).
        .leftJoin('billing_addressees as b', (join) =>
          join.onRef('b.contract_number', '=', 'n.recipient_id').on('n.recipient_type', '=', 'tenant').on('n.kind', 'in', financialLetterKinds),
        )
        .select((eb) => [
          'n.content', 'n.recipient_id', 'n.recipient_type', 'n.recorded_at', 'd.sent_content', 'd.delivered_at',
          eb.fn.coalesce('t.name', 'b.name').as('name'),
          eb.fn.coalesce('t.street', 'b.street').as('street'),
          eb.fn.coalesce('t.house_number', 'b.house_number').as('house_number'),
          eb.fn.coalesce('t.postal_code', 'b.postal_code').as('postal_code'),
          eb.fn.coalesce('t.city', 'b.city').as('city'),
          'c.name as contractor_name',
        ])
        .where('n.letter_id', '=', request.params.letterId)
        .executeTakeFirst();
      if (!row) throw notFound(`no letter ${request.params.letterId}`);
      const content = await subjectKeysOf(db, config).reveal(letterContentSchema.parse(row.sent_content ?? row.content));
      const recipient: RecipientDetails =
        row.recipient_type === 'contractor'
          ? { name: row.contractor_name ?? `aannemer ${row.recipient_id}`, address: null }
          : {
              name: row.name ?? `huurder ${row.recipient_id}`,
              address: row.street ? { street: row.street, houseNumber: row.house_number ?? '', postalCode: row.postal_code ?? '', city: row.city ?? '' } : null,
            };
      const linked = 'linkExpiresAt' in content && content.linkExpiresAt !== null && row.recipient_type === 'tenant';
      const rendered = renderLetter(content, recipient, {
        tenantLinkUrl: linked ? LINK_IN_COPY : null,
        corporation: corporationOf(config),
        // Dated the day it went out (not yet sent: the day it was made).
        letterDate: amsterdamDate(row.delivered_at ?? row.recorded_at),
      });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(rendered.html);
    },
  );
}
