import type { FastifyInstance } from 'fastify';
import { subjectKeysOf } from '../../db/subject-keys';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { letterContentSchema } from '../../domain/letters';
import { lettersWhere, recipientOf } from '../../db/letters';
import { renderLetter } from '../../documents/letters';
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
      const [row] = await lettersWhere(db, (q) => q.where('n.letter_id', '=', request.params.letterId));
      if (!row) throw notFound(`no letter ${request.params.letterId}`);
      const content = await subjectKeysOf(db, config).reveal(letterContentSchema.parse(row.sent_content ?? row.content));
      const recipient = recipientOf(row);
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
