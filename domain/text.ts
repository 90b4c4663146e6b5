/**
 * Text PostgreSQL cannot store: NUL (refused in text and jsonb) and lone UTF-16 surrogates (refused
 * in jsonb, silently replaced in text). Refused at every boundary, and checked again on the events a
 * workflow is about to record, so that no such text reaches an append.
 */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters refused
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !unstorable.test(text);
}

/** The path of the first string (or object key) in `value` that cannot be stored, or null when all can. */
export function unstorableTextPath(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableTextPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, key];
      const found = unstorableTextPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

export const UNSTORABLE_TEXT_MESSAGE = 'contains a character that cannot be stored (NUL or a lone surrogate)';
