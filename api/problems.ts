import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  ApplicationFailure,
  isGrpcServiceError,
} from '@temporalio/client';
import { ZodError } from 'zod';
import { DomainError, IllegalStateError, NotFoundError, ValidationError } from '../domain/errors';
import { InvalidLinkError } from '../documents/links';
import { csvLineOf } from './csv-body';

export interface FieldProblem {
  /** `body.note`, `query.from`, `path.id`, `header.idempotency-key`, or `line 12: amount` for a CSV upload. */
  path: string;
  message: string;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error the API answers with as RFC 9457 problem+json. */
export class HttpProblem extends Error {
  readonly title: string;
  constructor(
    readonly status: number,
    detail: string,
    readonly errors: FieldProblem[] = [],
    /** Seconds, for 503 and 429: when trying again makes sense. */
    readonly retryAfter?: number,
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.title = titles[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
  }
}

export const unauthorized = (detail: string) => new HttpProblem(401, detail);
export const forbidden = (detail: string) => new HttpProblem(403, detail);
export const notFound = (detail: string) => new HttpProblem(404, detail);
export const conflict = (detail: string) => new HttpProblem(409, detail);
export const badRequest = (detail: string, errors: FieldProblem[] = []) => new HttpProblem(400, detail, errors);
export const unavailable = (detail: string, retryAfter = 5) => new HttpProblem(503, detail, [], retryAfter);

/** An error answer echoes at most a short excerpt of what was sent. */
const MAX_LISTED_ERRORS = 20;
const MAX_MESSAGE = 200;
const MAX_DETAIL = 500;

export function excerpt(text: string, max = MAX_MESSAGE): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const contextNames: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

function fieldPath(request: FastifyRequest | undefined, context: string, segments: (string | number)[]): string {
  const where = contextNames[context] ?? context;
  if (where === 'body' && request) {
    const line = typeof segments[0] === 'number' || /^\d+$/.test(String(segments[0] ?? '')) ? csvLineOf(request.body, Number(segments[0])) : null;
    if (line !== null) return segments.length > 1 ? `line ${line}: ${segments.slice(1).join('.')}` : `line ${line}`;
  }
  return [where, ...segments].join('.');
}

/** A 400 listing at most 20 of `errors`, its detail saying how many there are. */
export function validationProblem(errors: FieldProblem[]): HttpProblem {
  const count = errors.length;
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ path: excerpt(e.path, 100), message: excerpt(e.message) }));
  const detail =
    count === 1
      ? `the request is invalid: ${listed[0]!.path}: ${listed[0]!.message}`
      : count > MAX_LISTED_ERRORS
        ? `the request is invalid: ${count} problems, the first ${MAX_LISTED_ERRORS} listed`
        : `the request is invalid: ${count} problems`;
  return badRequest(detail, listed);
}

/** PostgreSQL or the network to it is down or restarting: the request can be tried again. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code))) {
    return true;
  }
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection to the database was lost/i.test(message);
}

/** Temporal does not answer, or not in time. */
export function isTemporalUnavailable(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const grpc = error instanceof ServiceError ? error.cause : error;
  // 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE, 1 CANCELLED (our own deadline).
  return isGrpcServiceError(grpc) && [1, 4, 14].includes(grpc.code);
}

/** Domain errors, validation, Temporal Update failures, dependencies down: each to the status a client can act on. */
export function toProblem(error: unknown, request?: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? 'body';
    return validationProblem(
      error.validation.map((v) => ({
        path: fieldPath(request, context, String(v.instancePath).split('/').filter(Boolean)),
        message: v.message ?? 'invalid',
      })),
    );
  }
  if (error instanceof ZodError) {
    return validationProblem(error.issues.map((i) => ({ path: fieldPath(request, 'body', i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))), message: i.message })));
  }
  if (error instanceof ValidationError) {
    return badRequest(
      excerpt(error.message, MAX_DETAIL),
      error.fields.slice(0, MAX_LISTED_ERRORS).map((f) => ({ path: f.path.startsWith('body') || f.path.startsWith('line ') ? f.path : `body.${f.path}`, message: excerpt(f.message) })),
    );
  }
  if (error instanceof IllegalStateError) return conflict(error.message);
  if (error instanceof NotFoundError) return notFound(error.message);
  if (error instanceof DomainError) return conflict(error.message);
  if (error instanceof InvalidLinkError) return unauthorized(error.message);
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) {
      if (cause.type === 'validation') return badRequest(cause.message);
      if (cause.type === 'not_found') return notFound(cause.message);
      if (cause.type === 'unstorable') return badRequest(cause.message);
      if (cause.type === 'retry') return unavailable(cause.message, 1);
      return conflict(cause.message);
    }
    return conflict(error.message);
  }
  if (error instanceof WorkflowNotFoundError) return notFound('no such incident');
  if (isTemporalUnavailable(error)) return unavailable('the workflow engine does not answer in time; try again shortly', 10);
  if (isDatabaseUnavailable(error)) return unavailable('the database is not reachable; try again shortly', 5);
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = excerpt(fastifyError.message ?? 'bad request', MAX_DETAIL);
    // A body that cannot be read at all (not JSON, empty, too large) is a problem of the body as a whole.
    const errors = status === 400 || status === 413 || status === 415 ? [{ path: 'body', message: excerpt(message) }] : [];
    return new HttpProblem(status, message, errors);
  }
  return new HttpProblem(500, 'something went wrong on our side');
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem, request: FastifyRequest) {
  if (problem.retryAfter !== undefined) void reply.header('retry-after', String(problem.retryAfter));
  return reply
    .status(problem.status)
    .type('application/problem+json')
    .send({
      type: `https://polluter-pays.local/problems/${problem.title.toLowerCase().replace(/\s+/g, '-')}`,
      title: problem.title,
      status: problem.status,
      detail: excerpt(problem.message, MAX_DETAIL),
      // The path only: a query string can hold a tenant's link token.
      instance: excerpt(request.url.split('?')[0] ?? '/', 300),
      ...(problem.errors.length > 0 ? { errors: problem.errors } : {}),
    });
}

/** Where a problem is better shown as a page (the workspace's), a renderer answers it; null lets the API answer. */
export type ProblemPage = (request: FastifyRequest, reply: FastifyReply, problem: HttpProblem) => FastifyReply | null;

/** Requests whose body was read and validated: an error after that is not the body's. */
const bodyRead = new WeakSet<FastifyRequest>();

/**
 * A multipart body that cannot be parsed (no boundary, cut off, a malformed part header) makes the
 * parser throw a plain Error before any handler runs: that is a problem of the body, not of ours.
 */
function unreadableMultipart(error: unknown, request: FastifyRequest): HttpProblem | null {
  if (!request.isMultipart() || bodyRead.has(request) || !(error instanceof Error) || (error as Partial<FastifyError>).statusCode !== undefined) return null;
  const message = excerpt(`the multipart form cannot be read: ${error.message}`);
  return badRequest(message, [{ path: 'body', message }]);
}

export function registerProblemHandlers(app: FastifyInstance, page: ProblemPage = () => null): void {
  app.addHook('preHandler', async (request) => {
    bodyRead.add(request);
  });
  const answer = (request: FastifyRequest, reply: FastifyReply, problem: HttpProblem) => page(request, reply, problem) ?? sendProblem(reply, problem, request);
  app.setErrorHandler((error, request, reply) => {
    const problem = unreadableMultipart(error, request) ?? toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return answer(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) => answer(request, reply, notFound(`no route ${request.method} ${excerpt(request.url.split('?')[0] ?? '/', 200)}`)));
}
