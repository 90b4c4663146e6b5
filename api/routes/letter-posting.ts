import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { amsterdamDate, type LocalDate } from '../../domain/calendar';
import { letterContentSchema } from '../../domain/letters';
import { letterPosted, type PostedLetter } from '../../domain/posting';
import { incidentIdOfStream, invoiceNumberOfStream } from '../../domain/streams';
import { appendToStream, ConcurrencyError, readStream } from '../../db/event-store';
import { incidentWorkflowId, invoiceWorkflowId, recordInvoicePostingUpdate, recordPostingUpdate, type PostingArgs } from '../../workflows/messages';
import { staffOf } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict, notFound, unavailable } from '../problems';
import * as s from '../schemas';
import { executeUpdate, idempotencyHeaders, updateIdOf, withinTemporalLimit } from '../temporal-calls';
import { letterPdfUrl } from './letters';

/** Who does the post: those who see the print queue. */
export const POSTING_ROLES = ['consultant', 'admin'] as const;

const postingBody = z
  .object({ postedOn: s.localDate.optional().describe('the day the letter went into the post (Europe/Amsterdam); default today') })
  .strict();

const postingResult = z.object({
  letterId: z.string(),
  incidentId: z.string(),
  kind: z.string(),
  postedOn: s.localDate,
  pdfUrl: z.string().describe('the letter as PDF, with the dates as posted'),
});

/**
 * `POST /letters/:letterId/posting`: the clerk who does the post records the day a letter from the
 * print queue was posted. The workflow whose event carried the letter decides it (domain/posting.ts):
 * LetterPosted, and where the letter gives a term or a final date that counts from then, the move.
 * A workflow that has ended (a closed incident's warning, a credited invoice's credit note) waits for
 * nothing any more: LetterPosted is appended to its stream directly, decided by the same rule.
 */
export function registerLetterPostingRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db, temporal, config } = deps;

  async function letterToPost(letterId: string) {
    const row = await db
      .selectFrom('notifications as n')
      .innerJoin('events as e', 'e.event_id', 'n.event_id')
      .leftJoin('letter_deliveries as d', 'd.letter_id', 'n.letter_id')
      .leftJoin('letter_postings as p', 'p.letter_id', 'n.letter_id')
      .select(['n.letter_id', 'n.incident_id', 'n.kind', 'n.recipient_id', 'n.content', 'e.stream_id', 'd.channel', 'd.delivered_at', 'd.sent_content', 'p.posted_on'])
      .where('n.letter_id', '=', letterId)
      .executeTakeFirst();
    if (!row) throw notFound(`no letter ${letterId}`);
    if (!row.channel || !row.delivered_at) throw conflict('the letter has not gone out yet; try again in a moment');
    if (row.channel === 'email') throw conflict('the letter went by e-mail, not by post');
    return { ...row, delivered_at: row.delivered_at };
  }

  /** The stream's workflow has ended: nothing else appends to it, and nothing waits for a deadline. */
  async function appendToEndedStream(streamId: string, args: PostingArgs, actor: string): Promise<void> {
    const stored = await readStream(db, streamId);
    const posted: Record<string, LocalDate> = {};
    for (const e of stored) if (e.event.type === 'LetterPosted') posted[e.event.data.letterId] = e.event.data.postedOn;
    const events = letterPosted(posted, { ...args, now: new Date().toISOString() });
    const version = stored.at(-1)?.streamVersion ?? 0;
    try {
      await appendToStream(db, streamId, version, events.map((event, i) => ({ eventId: `${streamId}/${version + i + 1}`, event })), { actor });
    } catch (error) {
      if (error instanceof ConcurrencyError) throw conflict('the letter is being recorded as posted by someone else; reload and try again');
      throw error;
    }
  }

  async function recordPosting(request: FastifyRequest, letterId: string, postedOnAsked: LocalDate | undefined) {
    const caller = staffOf(request);
    const row = await letterToPost(letterId);
    const postedOn = postedOnAsked ?? amsterdamDate(new Date());
    const letter: PostedLetter = {
      letterId,
      recipientId: row.recipient_id,
      content: letterContentSchema.parse(row.sent_content ?? row.content),
      queuedOn: amsterdamDate(row.delivered_at),
    };
    const args: PostingArgs = { letter, postedOn, by: caller.actor };
    // The read model's answer first (the same rule the workflow applies): a refusal without a round trip.
    letterPosted(row.posted_on ? { [letterId]: row.posted_on } : {}, { ...args, now: new Date().toISOString() });
    const answer = { letterId, incidentId: row.incident_id, kind: row.kind, postedOn, pdfUrl: letterPdfUrl(config.publicUrl, letterId) };
    if (row.posted_on === postedOn) return answer;

    const invoiceNumber = invoiceNumberOfStream(row.stream_id);
    const workflowId = invoiceNumber ? invoiceWorkflowId(row.incident_id, invoiceNumber) : incidentWorkflowId(incidentIdOfStream(row.stream_id) ?? row.incident_id);
    const definition = invoiceNumber ? recordInvoicePostingUpdate : recordPostingUpdate;
    try {
      await executeUpdate<unknown, PostingArgs>(temporal, workflowId, definition, args, updateIdOf(request, definition.name, workflowId));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // Ended, or (an invoice just issued) not started yet: only an ended one may be appended to.
      const ended = await withinTemporalLimit(temporal, () => temporal.workflow.getHandle(workflowId).describe()).then(
        (description) => description.status.name !== 'RUNNING',
        (describeError: unknown) => {
          if (describeError instanceof WorkflowNotFoundError) return false;
          throw describeError;
        },
      );
      if (!ended) throw unavailable('the letter is still being sent; try again shortly', 2);
      await appendToEndedStream(row.stream_id, args, caller.actor);
    }
    return answer;
  }

  const schema = {
    tags: ['letters'],
    headers: idempotencyHeaders,
    body: postingBody,
    response: { 200: postingResult, ...s.problemResponses },
  };
  routes.post(
    '/letters/:letterId/posting',
    {
      config: { access: { roles: [...POSTING_ROLES] } },
      schema: {
        ...schema,
        operationId: 'recordPosting',
        summary:
          'Record the day a letter from the print queue was posted: it leaves the queue, and a notice\'s term or a 14-day letter\'s final date counts from then (a letter id with slashes may be given as it is)',
        params: z.object({ letterId: z.string().min(1).max(300) }),
      },
    },
    async (request) => recordPosting(request, request.params.letterId, request.body.postedOn),
  );
  // Letter ids have slashes (incident-…/3/A-1): the same action when the caller does not encode them.
  routes.post(
    '/letters/*',
    {
      config: { access: { roles: [...POSTING_ROLES] } },
      schema: { ...schema, hide: true, params: z.object({ '*': z.string().max(330) }) },
    },
    async (request) => {
      const path = request.params['*'];
      if (!path.endsWith('/posting') || path.length <= '/posting'.length) throw notFound(`no route POST /letters/${path}`);
      return recordPosting(request, path.slice(0, -'/posting'.length), request.body.postedOn);
    },
  );
}
