import type { FastifyInstance, FastifyReply } from 'fastify';
import { subjectKeysOf } from '../../db/subject-keys';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { letterContentSchema, type LetterContent } from '../../domain/letters';
import { renderLetter, type RenderOptions } from '../../documents/letters';
import { signTenantLink, tenantLinkUrl } from '../../documents/links';
import { type PdfParty, renderLetterPdf, renderPostBatchPdf } from '../../documents/pdf';
import { buildingDetails } from '../../db/directory';
import { lettersWhere, recipientOf, type LetterQuery, type LetterRow } from '../../db/letters';
import { notFound } from '../problems';
import { corporationOf } from '../../config/config';
import { amsterdamDate, amsterdamInstant, addCalendarDays } from '../../domain/calendar';
import { asPrinted } from '../../domain/posting';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

/** Where a letter's PDF is: its id as it is, slashes and all (each segment encoded). */
export function letterPdfUrl(publicUrl: string, letterId: string): string {
  return `${publicUrl}/letters/${letterId.split('/').map(encodeURIComponent).join('/')}/pdf`;
}

const PDF_ROLES = ['consultant', 'admin', 'finance'] as const;

export function registerLetterRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db, config } = deps;
  const corporation = corporationOf(config);

  function linkFor(content: LetterContent, recipientId: string): string | null {
    if (!('linkExpiresAt' in content) || !content.linkExpiresAt) return null;
    return tenantLinkUrl(config.publicUrl, signTenantLink({ incidentId: content.incidentId, tenantId: recipientId, expiresAt: new Date(content.linkExpiresAt) }, config.linkSecret));
  }

  /** A letter as it went out (its dates as sent), to whom, and the options to render it with. */
  async function letterAsSent(letterId: string) {
    const rows = await lettersWhere(db, (q) => q.where('n.letter_id', '=', letterId));
    const row = rows[0];
    if (!row) throw notFound(`no letter ${letterId}`);
    return withOptions(row);
  }

  /**
   * A letter by post goes out when it is posted: it is dated that day and gives its dates as of then
   * (domain/posting.ts), as an e-mail gives them as of its sending. Not posted yet, it is printed to
   * be posted today.
   */
  async function withOptions(row: LetterRow): Promise<{ letterId: string; content: LetterContent; recipient: PdfParty; options: RenderOptions; row: LetterRow }> {
    const stored = await subjectKeysOf(db, config).reveal(letterContentSchema.parse(row.sent_content ?? row.content));
    const posting = row.posted_on && row.counted_from ? { postedOn: row.posted_on, countedFrom: row.counted_from } : null;
    const { content, letterDate } =
      row.channel === 'print' ? asPrinted(stored, posting, amsterdamDate(new Date())) : { content: stored, letterDate: amsterdamDate(row.delivered_at ?? row.recorded_at) };
    const options: RenderOptions = {
      tenantLinkUrl: linkFor(content, row.recipient_id),
      corporation,
      letterDate,
      building: content.kind === 'work_order' ? await buildingDetails(db, content.buildingId) : null,
    };
    return { letterId: row.letter_id, content, recipient: recipientOf(row), options, row };
  }

  async function sendPdf(reply: FastifyReply, letterId: string) {
    const { content, recipient, options } = await letterAsSent(letterId);
    const pdf = await renderLetterPdf(content, recipient, options);
    const name = `${content.kind}-${(content.incidentNumber ?? content.incidentId).replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${name}"`).send(pdf);
  }

  routes.get(
    '/letters/print-queue',
    {
      config: { access: { roles: ['consultant', 'admin'] } },
      schema: {
        operationId: 'printQueue',
        tags: ['letters'],
        summary: 'Letters for recipients without e-mail, rendered for print from the directory as it is now',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          includePosted,
          postedOn: s.localDate.optional().describe('only the letters posted that day'),
        }),
        response: { 200: z.object({ letters: z.array(s.printQueueEntrySchema) }), ...s.problemResponses },
      },
    },
    async (request) => {
      const rows = await lettersWhere(db, (q) =>
        (request.query.postedOn ? q.where('d.channel', '=', 'print').where('p.posted_on', '=', request.query.postedOn) : postedOrNot(q.where('d.channel', '=', 'print'), request.query.includePosted))
          .orderBy('n.recorded_at')
          .orderBy('n.letter_id')
          .limit(request.query.limit),
      );
      const letters = await Promise.all(rows.map(withOptions));
      return {
        letters: letters.map(({ letterId, content, recipient, options, row }) => {
          const rendered = renderLetter(content, recipient, { ...options, channel: 'post' });
          return {
            letterId,
            incidentId: row.incident_id,
            kind: row.kind,
            recipientId: row.recipient_id,
            recordedAt: row.recorded_at.toISOString(),
            queuedOn: amsterdamDate(row.delivered_at ?? row.recorded_at),
            postedOn: row.posted_on,
            subject: rendered.subject,
            text: rendered.text,
            pdfUrl: letterPdfUrl(config.publicUrl, letterId),
          };
        }),
      };
    },
  );

  routes.get(
    '/letters/print-queue/pdf',
    {
      config: { access: { roles: ['consultant', 'admin'] } },
      schema: {
        operationId: 'printQueuePdf',
        tags: ['letters'],
        summary:
          "The day's post as one PDF, each letter from a new page: every letter still to be posted; with a date, those queued for print that day (Europe/Amsterdam)",
        querystring: z.object({ date: s.localDate.optional().describe('the day the letters were queued; default: whatever day, still to be posted'), includePosted }),
      },
    },
    async (request, reply) => {
      const { date, includePosted: withPosted } = request.query;
      const rows = await lettersWhere(db, (q) => {
        const queued = postedOrNot(q.where('d.channel', '=', 'print'), withPosted);
        const thatDay = date
          ? queued.where('d.delivered_at', '>=', amsterdamInstant(date, '00:00')).where('d.delivered_at', '<', amsterdamInstant(addCalendarDays(date, 1), '00:00'))
          : queued;
        return thatDay.orderBy('d.delivered_at').orderBy('n.letter_id').limit(2000);
      });
      if (rows.length === 0) throw notFound(date ? `no letters were queued for print on ${date}` : 'no letters are waiting to be posted');
      const letters = await Promise.all(rows.map(withOptions));
      const day = date ?? amsterdamDate(new Date());
      const pdf = await renderPostBatchPdf(letters, corporation, day);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="post-${day}.pdf"`).send(pdf);
    },
  );

  routes.get(
    '/letters/:letterId/pdf',
    {
      config: { access: { roles: [...PDF_ROLES] } },
      schema: {
        operationId: 'letterPdf',
        tags: ['letters'],
        summary: 'Any letter as PDF, as it went out (for post, or to send again); a letter id with slashes may also be given as it is: /letters/incident-…/3/A-1/pdf',
        params: z.object({ letterId: z.string().min(1).max(300) }),
      },
    },
    async (request, reply) => sendPdf(reply, request.params.letterId),
  );

  // Letter ids have slashes (incident-…/3/A-1): the same PDF when the caller does not encode them.
  routes.get(
    '/letters/*',
    {
      config: { access: { roles: [...PDF_ROLES] } },
      schema: { hide: true, params: z.object({ '*': z.string().max(320) }) },
    },
    async (request, reply) => {
      const path = request.params['*'];
      if (!path.endsWith('/pdf') || path.length <= 4) throw notFound(`no route GET /letters/${path}`);
      return sendPdf(reply, path.slice(0, -'/pdf'.length));
    },
  );
}

const includePosted = z.enum(['true', 'false']).default('false').transform((v) => v === 'true').describe('true: also the letters already posted');

/** The print queue holds the letters not yet posted; with `includePosted`, the posted ones too. */
function postedOrNot(q: LetterQuery, includePosted: boolean): LetterQuery {
  return includePosted ? q : q.where('p.letter_id', 'is', null);
}
