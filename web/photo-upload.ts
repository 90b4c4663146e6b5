import { MAX_PHOTOS_PER_ACTION, storePhoto } from '../db/photos';
import type { Db } from '../db/connection';
import { ValidationError } from '../domain/errors';
import { fieldValuesOf, filesOf } from './form-fields';

/**
 * The photos of a workspace form: those chosen now (stored at once with storePhoto, as the person
 * who sends the form, so that the action may name them) and those kept from an earlier attempt of
 * the same form (hidden `photoId` fields), at most MAX_PHOTOS_PER_ACTION. A file that is not a photo,
 * or too large, is refused in Dutch; the others are kept.
 */
export async function photosOfForm(db: Db, body: unknown, input: { field: string; uploadedBy: string }): Promise<{ photoIds: string[]; problem: string | null }> {
  const kept = fieldValuesOf(body, 'photoId').filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const photoIds = [...new Set(kept)];
  let problem: string | null = null;
  for (const file of filesOf(body, input.field)) {
    const bytes = await file.toBuffer();
    if (photoIds.length >= MAX_PHOTOS_PER_ACTION) {
      problem = `Hoogstens ${MAX_PHOTOS_PER_ACTION} foto's; de eerste ${MAX_PHOTOS_PER_ACTION} zijn bewaard.`;
      break;
    }
    try {
      photoIds.push((await storePhoto(db, { bytes, uploadedBy: input.uploadedBy })).photoId);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problem = photoProblem(file.filename, error.fields[0]?.message ?? '');
    }
  }
  return { photoIds, problem };
}

export function photoProblem(filename: string, message: string): string {
  const name = filename ? `${filename}: ` : '';
  if (message === 'too large') return `${name}een foto mag hoogstens 10 MB zijn.`;
  if (message === 'empty') return `${name}het bestand is leeg.`;
  if (message === 'not an image') return `${name}dit bestand is geen foto (JPEG, PNG, WebP of HEIC).`;
  return `${name}deze foto kan hier niet worden gebruikt.`;
}
