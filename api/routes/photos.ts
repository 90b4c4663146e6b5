import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_PHOTO_BYTES, readPhoto, storePhoto } from '../../db/photos';
import { callerOf, rolesOf } from '../auth';
import { contractorsOfCaller } from './work-orders';
import { badRequest, forbidden, notFound, HttpProblem } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

/** A multipart file as @fastify/multipart attaches it to the body. */
interface UploadedFile {
  type: 'file';
  toBuffer(): Promise<Buffer>;
}
const isFile = (value: unknown): value is UploadedFile =>
  typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'file' && typeof (value as UploadedFile).toBuffer === 'function';

/**
 * Photos as evidence: uploaded first, then named by the action they belong to (`photoIds`).
 * Staff read every photo; a tenant, through their link, the photos of their incident.
 */
export function registerPhotoRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['photos'];

  routes.post(
    '/photos',
    {
      config: { access: { roles: ['consultant', 'contractor', 'admin'], tenantLink: true } },
      bodyLimit: MAX_PHOTO_BYTES + 64 * 1024,
      schema: {
        operationId: 'uploadPhoto',
        tags,
        summary: 'Upload a photo (multipart/form-data, field "photo": JPEG, PNG, WebP or HEIC, at most 10 MB); name it in an action with photoIds',
        consumes: ['multipart/form-data'],
        querystring: s.tenantTokenQuery,
        response: { 201: z.object({ photoId: z.string() }), ...s.problemResponses },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new HttpProblem(415, 'send the photo as multipart/form-data in the field "photo"', [{ path: 'body', message: 'not multipart' }]);
      const photo = (request.body as Record<string, unknown> | undefined)?.photo;
      const file = Array.isArray(photo) ? photo[0] : photo;
      if (!isFile(file)) throw badRequest('the form has no file in the field "photo"', [{ path: 'body.photo', message: 'required' }]);
      const caller = callerOf(request);
      const stored = await storePhoto(
        db,
        { bytes: await file.toBuffer(), uploadedBy: caller.actor, incidentId: caller.kind === 'tenant' ? caller.link.incidentId : null },
        'body.photo',
      );
      return reply.status(201).send(stored);
    },
  );

  routes.get(
    '/photos/:photoId',
    {
      config: { access: { roles: ['consultant', 'contractor', 'admin', 'manager'], tenantLink: true } },
      schema: {
        operationId: 'photo',
        tags,
        summary: 'The photo itself (image/jpeg, image/png, image/webp or image/heic)',
        params: z.object({ photoId: z.string().trim().min(1).max(100) }),
        querystring: s.tenantTokenQuery,
        response: { 200: z.any(), ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const photo = await readPhoto(db, request.params.photoId);
      if (!photo) throw notFound('no such photo');
      const caller = callerOf(request);
      if (caller.kind === 'tenant' && photo.incident_id !== caller.link.incidentId) throw forbidden('this link belongs to another incident');
      // A contractor sees the photos of the work orders of their own company, not any incident's.
      if (caller.kind !== 'tenant' && rolesOf(caller).every((role) => role === 'contractor')) {
        const companies = await contractorsOfCaller(db, caller);
        if (companies !== 'any') {
          const incident = photo.incident_id
            ? await db.selectFrom('incidents').select('contractor_id').where('incident_id', '=', photo.incident_id).executeTakeFirst()
            : undefined;
          if (!incident?.contractor_id || !companies.some((c) => c.contractorId === incident.contractor_id)) {
            throw forbidden('this photo belongs to an incident that is not a work order of your company');
          }
        }
      }
      return reply
        .header('content-type', photo.content_type)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('etag', `"${photo.sha256}"`)
        .header('content-disposition', 'inline')
        .send(photo.bytes);
    },
  );
}
