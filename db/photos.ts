import { createHash, randomUUID } from 'node:crypto';
import type { Db } from './connection';
import { ValidationError } from '../domain/errors';

/** A phone's photo fits; a raw camera file or a video does not. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Photos one action may carry. */
export const MAX_PHOTOS_PER_ACTION = 4;

/** What the bytes are, by their signature: the type a browser claims is not trusted. */
export function imageTypeOf(bytes: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp' && ['heic', 'heix', 'mif1', 'msf1'].includes(bytes.toString('latin1', 8, 12))) return 'image/heic';
  return null;
}

export interface NewPhoto {
  bytes: Buffer;
  uploadedBy: string;
  /** Known when a tenant uploads through their link: the link's incident. */
  incidentId?: string | null;
}

/** Stores a photo and answers its id; refuses what is not an image or is too large (ValidationError). */
export async function storePhoto(db: Db, photo: NewPhoto, field = 'photo'): Promise<{ photoId: string }> {
  if (photo.bytes.length === 0) throw new ValidationError('the photo is empty', [{ path: field, message: 'empty' }]);
  if (photo.bytes.length > MAX_PHOTO_BYTES) {
    throw new ValidationError(`a photo may be at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB`, [{ path: field, message: 'too large' }]);
  }
  const contentType = imageTypeOf(photo.bytes);
  if (contentType === null) throw new ValidationError('the file is not a photo (JPEG, PNG, WebP or HEIC)', [{ path: field, message: 'not an image' }]);
  const photoId = randomUUID();
  await db
    .insertInto('photos')
    .values({
      photo_id: photoId,
      incident_id: photo.incidentId ?? null,
      content_type: contentType,
      byte_size: photo.bytes.length,
      sha256: createHash('sha256').update(photo.bytes).digest('hex'),
      bytes: photo.bytes,
      uploaded_by: photo.uploadedBy,
    })
    .execute();
  return { photoId };
}

export async function readPhoto(db: Db, photoId: string) {
  return db.selectFrom('photos').select(['photo_id', 'incident_id', 'content_type', 'bytes', 'sha256']).where('photo_id', '=', photoId).executeTakeFirst();
}

/**
 * The photos an action may name: each exists and belongs to no other incident; a photo not yet
 * attached was uploaded by the same caller (nobody attaches another person's upload). Before the
 * incident exists (a report), `incidentId` is null.
 */
export async function checkPhotos(db: Db, photoIds: readonly string[], caller: string, incidentId: string | null, field = 'photoIds'): Promise<void> {
  if (photoIds.length === 0) return;
  const rows = await db.selectFrom('photos').select(['photo_id', 'incident_id', 'uploaded_by']).where('photo_id', 'in', [...photoIds]).execute();
  const byId = new Map(rows.map((r) => [r.photo_id, r]));
  const problems = photoIds.flatMap((id, i) => {
    const row = byId.get(id);
    if (!row) return [{ path: `${field}.${i}`, message: 'no such photo' }];
    if (row.incident_id !== null && row.incident_id !== incidentId) return [{ path: `${field}.${i}`, message: 'belongs to another incident' }];
    if (row.incident_id === null && row.uploaded_by !== caller) return [{ path: `${field}.${i}`, message: 'uploaded by someone else' }];
    return [];
  });
  if (problems.length > 0) throw new ValidationError('a photo cannot be used here', problems);
}

/** The photos an action names become the incident's (checked first); a retried action attaches nothing twice. */
export async function attachPhotos(db: Db, incidentId: string, photoIds: readonly string[], caller: string, field = 'photoIds'): Promise<void> {
  if (photoIds.length === 0) return;
  await checkPhotos(db, photoIds, caller, incidentId, field);
  await db.updateTable('photos').set({ incident_id: incidentId }).where('photo_id', 'in', [...photoIds]).where('incident_id', 'is', null).execute();
}
