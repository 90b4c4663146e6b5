import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { payloadFromJson, payloadToJson } from '../../config/payload-codec';
import type { Role } from '../../config/config';
import type { ApiDeps } from '../deps';
import { badRequest } from '../problems';
import { problemResponses } from '../schemas';

/** Who reads decoded histories: operators (admin) and the consultants whose incidents they are. */
export const codecRoles: readonly Role[] = ['admin', 'consultant'];

const base64 = z.string().max(4 * 1024 * 1024).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');
const jsonPayload = z
  .object({
    metadata: z.record(z.string().max(200), base64).nullish().describe('metadata values in base64 (encoding, encryption-key-id)'),
    data: base64.nullish().describe('the payload in base64'),
  })
  .describe('a Temporal Payload in proto3 JSON');
const payloadsSchema = z.object({ payloads: z.array(jsonPayload).max(10_000) }).describe('Temporal Payloads in proto3 JSON');

/** What the Temporal UI sends (remote codec protocol): a preflight allows only these. */
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization';

/**
 * Temporal's remote codec protocol (POST `<endpoint>/encode` and `<endpoint>/decode`, payloads as
 * proto3 JSON), so that the Temporal UI and the CLI (`--codec-endpoint`) show the histories that
 * Temporal keeps encrypted. It uses the API's own Temporal client's codecs: what the UI decodes is
 * what the API decodes. Behind staff sign-in: a session cookie (the UI's requests carry it when it
 * includes credentials) or an API key (`--codec-auth 'Bearer <key>'`); the Temporal UI's origin
 * (TEMPORAL_UI_ORIGIN) may call it from the browser.
 */
export function registerCodecRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const codecs = (): PayloadCodec[] => deps.temporal.options.loadedDataConverter.payloadCodecs;
  const allowedOrigin = deps.config.temporalUiOrigin;

  /** The UI's origin may read the answer, with the person's cookie; any other origin may not. */
  const allowOrigin = async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('vary', 'Origin');
    if (allowedOrigin !== undefined && request.headers.origin === allowedOrigin) {
      void reply.header('access-control-allow-origin', allowedOrigin);
      void reply.header('access-control-allow-credentials', 'true');
    }
  };

  const convert = async (payloads: z.infer<typeof jsonPayload>[], operation: 'encode' | 'decode') => {
    const converted: Payload[] = [];
    // One at a time, so that a payload that does not decode is named by its place.
    for (const [index, json] of payloads.entries()) {
      let payload = payloadFromJson(json);
      try {
        if (operation === 'encode') for (const codec of codecs()) [payload] = (await codec.encode([payload])) as [Payload];
        else for (const codec of [...codecs()].reverse()) [payload] = (await codec.decode([payload])) as [Payload];
      } catch (error) {
        if (!(error instanceof ValueError) && !(error instanceof SyntaxError)) throw error;
        throw badRequest(`payload ${index} cannot be ${operation}d: ${error.message}`, [{ path: `body.payloads.${index}`, message: error.message }]);
      }
      converted.push(payload);
    }
    return { payloads: converted.map(payloadToJson) };
  };

  for (const operation of ['encode', 'decode'] as const) {
    const url = `/codec/${operation}`;
    routes.post(
      url,
      {
        // No CSRF token: the UI cannot have one. Nothing changes here, and a cross-site page can
        // neither send JSON without a preflight (which only the UI's origin passes) nor read the answer.
        config: { access: { roles: codecRoles, csrf: 'none' } },
        bodyLimit: 16 * 1024 * 1024,
        onSend: async (request, reply) => allowOrigin(request, reply),
        schema: {
          operationId: operation === 'encode' ? 'codecEncode' : 'codecDecode',
          tags: ['operations'],
          summary:
            operation === 'encode'
              ? 'Encrypt payloads as the clients and workers do (Temporal remote codec protocol)'
              : 'Decrypt payloads from a Temporal history, for the Temporal UI and CLI (Temporal remote codec protocol)',
          headers: z.object({ 'x-namespace': z.string().max(200).optional().describe('the namespace, as the Temporal UI sends it; every namespace has the same keys') }),
          body: payloadsSchema,
          response: { 200: payloadsSchema, ...problemResponses },
        },
      },
      async (request) => convert(request.body.payloads, operation),
    );
    // The preflight of the UI's request (JSON, X-Namespace): answered for the allowed origin only.
    app.options(url, { config: { access: 'public' }, schema: { hide: true }, onSend: allowOrigin }, async (_request, reply) => {
      return reply
        .status(204)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    });
  }
}
