/**
 * A workspace form's body, whether it came urlencoded (a string per field) or as multipart
 * (@fastify/multipart with attachFieldsToBody: a field is `{ value }`, a file has `toBuffer()`).
 */
export interface FormFile {
  filename: string;
  mimetype: string;
  toBuffer(): Promise<Buffer>;
}

type Part = { type?: string; value?: unknown; filename?: string; mimetype?: string; toBuffer?: () => Promise<Buffer> };

const isFile = (part: unknown): part is Part & FormFile =>
  typeof part === 'object' && part !== null && (part as Part).type === 'file' && typeof (part as Part).toBuffer === 'function';

/** The text fields (the last value of a repeated one). */
export function fieldsOf(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [name, raw] of Object.entries(body as Record<string, unknown>)) {
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof last === 'string') out[name] = last;
    else if (typeof last === 'object' && last !== null && !isFile(last) && 'value' in last) out[name] = String((last as Part).value ?? '');
  }
  return out;
}

/** Every value of a repeated text field (hidden inputs of the same name). */
export function fieldValuesOf(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const raw = (body as Record<string, unknown>)[name];
  const parts = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return parts.flatMap((p) => (typeof p === 'string' ? [p] : typeof p === 'object' && p !== null && !isFile(p) && 'value' in p ? [String((p as Part).value ?? '')] : []));
}

/** The files chosen in a file field; an empty file input sends one part without a name, which is no file. */
export function filesOf(body: unknown, name: string): FormFile[] {
  if (typeof body !== 'object' || body === null) return [];
  const raw = (body as Record<string, unknown>)[name];
  const parts = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return parts.filter(isFile).filter((f) => f.filename !== '');
}
