import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { letterContentSchema } from '../../domain/letters';
import { renderLetter } from '../../documents/letters';
import { signTenantLink, tenantLinkUrl } from '../../documents/links';
import { renderFinancialPdf } from '../../documents/pdf';
import { toFinancialLetter } from '../../documents/pdf';
import { notFound } from '../problems';
import { corporationOf } from '../../config/config';
import { amsterdamDate } from '../../domain/calendar';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

export function registerLetterRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db, config } = deps;

  routes.get(
    '/letters/print-queue',
    {
      config: { access: { roles: ['consultant', 'admin'] } },
      schema: {
        operationId: 'printQueue',
        tags: ['letters'],
        summary: 'Letters for recipients without e-mail, rendered for print from the directory as it is now',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: { 200: z.object({ letters: z.array(s.printQueueEntrySchema) }), ...s.problemResponses },
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('letter_deliveries as d')
        .innerJoin('notifications as n', 'n.letter_id', 'd.letter_id')
        .leftJoin('tenants as t', 't.contract_number', 'n.recipient_id')
        .select(['n.letter_id', 'n.incident_id', 'n.kind', 'n.recipient_id', 'n.recorded_at', 'n.content', 't.name', 't.street', 't.house_number', 't.postal_code', 't.city'])
        .where('d.channel', '=', 'print')
        .orderBy('n.recorded_at')
        .orderBy('n.letter_id')
        .limit(request.query.limit)
        .execute();
      return {
        letters: rows.map((row) => {
          const content = letterContentSchema.parse(row.content);
          const link =
            'linkExpiresAt' in content && content.linkExpiresAt
              ? tenantLinkUrl(
                  config.publicUrl,
                  signTenantLink({ incidentId: content.incidentId, tenantId: row.recipient_id, expiresAt: new Date(content.linkExpiresAt) }, config.linkSecret),
                )
              : null;
          const rendered = renderLetter(
            content,
            {
              name: row.name ?? `huurder ${row.recipient_id}`,
              address: row.street ? { street: row.street, houseNumber: row.house_number ?? '', postalCode: row.postal_code ?? '', city: row.city ?? '' } : null,
            },
            { tenantLinkUrl: link, corporation: corporationOf(config), letterDate: amsterdamDate(row.recorded_at) },
          );
          return {
            letterId: row.letter_id,
            incidentId: row.incident_id,
            kind: row.kind,
            recipientId: row.recipient_id,
            recordedAt: row.recorded_at.toISOString(),
            subject: rendered.subject,
            text: rendered.text,
          };
        }),
      };
    },
  );

  routes.get(
    '/letters/:letterId/pdf',
    {
      config: { access: { roles: ['consultant', 'admin', 'finance'] } },
      schema: {
        operationId: 'letterPdf',
        tags: ['letters'],
        summary: 'An invoice, payment reminder, 14-day letter or credit note as PDF (for print, or to send again)',
        params: z.object({ letterId: z.string().min(1).max(300) }),
      },
    },
    async (request, reply) => {
      const row = await db
        .selectFrom('notifications as n')
        .leftJoin('tenants as t', 't.contract_number', 'n.recipient_id')
        .select(['n.content', 'n.recipient_id', 't.name', 't.street', 't.house_number', 't.postal_code', 't.city'])
        .where('n.letter_id', '=', request.params.letterId)
        .executeTakeFirst();
      if (!row) throw notFound(`no letter ${request.params.letterId}`);
      const letter = toFinancialLetter(letterContentSchema.parse(row.content));
      if (!letter) throw notFound(`letter ${request.params.letterId} is not a financial document`);
      const pdf = await renderFinancialPdf(
        letter,
        {
          name: row.name ?? `huurder ${row.recipient_id}`,
          address: row.street ? { street: row.street, houseNumber: row.house_number ?? '', postalCode: row.postal_code ?? '', city: row.city ?? '' } : null,
        },
        { name: config.corporationName, iban: config.corporationIban, address: config.corporationAddress },
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${letter.kind}-${'invoiceNumber' in letter ? letter.invoiceNumber : ''}.pdf"`)
        .send(pdf);
    },
  );
}
