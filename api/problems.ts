import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, ApplicationFailure } from '@temporalio/client';
import { ZodError } from 'zod';
import { DomainError, IllegalStateError, NotFoundError, ValidationError } from '../domain/errors';
import { InvalidLinkError } from '../activities/links';

export interface FieldProblem {
  path: string;
  message: string;
}

/** An error the API answers with as RFC 9457 problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const unauthorized = (detail: string) => new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
export const conflict = (detail: string) => new HttpProblem(409, 'Conflict', detail);
export const badRequest = (detail: string, errors: FieldProblem[] = []) => new HttpProblem(400, 'Bad Request', detail, errors);

function sendProblem(reply: FastifyReply, problem: HttpProblem, instance: string) {
  return reply
    .status(problem.status)
    .type('application/problem+json')
    .send({
      type: `https://polluter-pays.local/problems/${problem.title.toLowerCase().replace(/\s+/g, '-')}`,
      title: problem.title,
      status: problem.status,
      detail: problem.message,
      instance,
      ...(problem.errors.length > 0 ? { errors: problem.errors } : {}),
    });
}

/** Domain errors, validation, Temporal Update failures: each to the status a client can act on. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'body';
    return badRequest(
      'the request is invalid',
      error.validation.map((v) => ({
        path: [where, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      })),
    );
  }
  if (error instanceof ZodError) {
    return badRequest('the request is invalid', error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  if (error instanceof ValidationError) return badRequest(error.message, error.fields);
  if (error instanceof IllegalStateError) return conflict(error.message);
  if (error instanceof NotFoundError) return notFound(error.message);
  if (error instanceof DomainError) return conflict(error.message);
  if (error instanceof InvalidLinkError) return unauthorized(error.message);
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) {
      if (cause.type === 'validation') return badRequest(cause.message);
      if (cause.type === 'not_found') return notFound(cause.message);
      return conflict(cause.message);
    }
    return conflict(error.message);
  }
  if (error instanceof WorkflowNotFoundError) return notFound('no such incident');
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new HttpProblem(fastifyError.statusCode, fastifyError.statusCode === 415 ? 'Unsupported Media Type' : 'Bad Request', fastifyError.message ?? 'bad request');
  }
  return new HttpProblem(500, 'Internal Server Error', 'something went wrong on our side');
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem, request.url);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, notFound(`no route ${request.method} ${request.url.split('?')[0]}`), request.url));
}
