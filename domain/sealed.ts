/**
 * Personal free text (a report's description, a note, a dispute's reason) travels through Temporal
 * and into the event store sealed: encrypted with the data key of the subject it belongs to
 * (db/subject-keys.ts). A sealed text is an ordinary string, so that every event schema, workflow
 * and update that carried the plain text carries it unchanged, and events recorded before sealing
 * (plain text) still read: `sealed:v1:<key id>:<iv>:<ciphertext and tag>`, base64url.
 *
 * Workflows never open it (they hold no keys and stay deterministic); the API's read paths, the data
 * export and the letter renderer do, and show ERASED_TEXT once the key is destroyed.
 */
export const SEALED_PREFIX = 'sealed:v1:';
/** What a reader sees where the text was, once its subject's key has been destroyed. */
export const ERASED_TEXT = '[verwijderd]';

const b64 = '[A-Za-z0-9_-]+';
/** A sealed text, anywhere in a string (a credit note's reason can quote a sealed note). */
export const sealedPattern = new RegExp(`${SEALED_PREFIX}(${b64}):(${b64}):(${b64})`, 'g');

export interface SealedParts {
  keyId: string;
  iv: string;
  ciphertext: string;
}

export function isSealed(text: string): boolean {
  return text.includes(SEALED_PREFIX);
}

export function sealedText(parts: SealedParts): string {
  return `${SEALED_PREFIX}${parts.keyId}:${parts.iv}:${parts.ciphertext}`;
}

/** The key ids of every sealed text in a value (strings, arrays, objects). */
export function sealedKeyIds(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const match of value.matchAll(sealedPattern)) into.add(match[1]!);
  } else if (Array.isArray(value)) {
    for (const item of value) sealedKeyIds(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) sealedKeyIds(item, into);
  }
  return into;
}

/** The value with every sealed text replaced by what `open` makes of it (deep; other values unchanged). */
export function mapSealed<T>(value: T, open: (parts: SealedParts) => string): T {
  if (typeof value === 'string') {
    return (isSealed(value) ? value.replace(sealedPattern, (_all, keyId: string, iv: string, ciphertext: string) => open({ keyId, iv, ciphertext })) : value) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => mapSealed(item, open)) as T;
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapSealed(item, open)])) as T;
  }
  return value;
}

/** The text with its sealed parts left out: for records kept longer than the narrative (the billing ledger). */
export function withoutSealed(text: string): string {
  return isSealed(text) ? text.replace(sealedPattern, '(toelichting in het dossier)') : text;
}
