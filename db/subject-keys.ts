import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './connection';
import { developmentSubjectKeysMasterKey } from '../config/config';
import type { Tx } from './event-store';
import { IllegalStateError } from '../domain/errors';
import { ERASED_TEXT, mapSealed, sealedKeyIds, sealedText, type SealedParts } from '../domain/sealed';

/**
 * Data keys per subject, for crypto-shredding (domain/sealed.ts). A subject is what a sealed text
 * belongs to: `incident:<id>`, the incident's narrative (its description and every note, reason and
 * remark recorded on it), whoever wrote it. Destroying the key is erasing every copy of the text at
 * once: in the events (which are never rewritten), in Temporal's histories, in backups of either.
 *
 * Keys are stored wrapped (AES-256-GCM) with a master key from the configuration, so that a dump of
 * the database alone reveals no text. The master key is rotated by giving the processes the new one
 * and the one before (SUBJECT_KEYS_PREVIOUS_MASTER_KEY), then rewrapping every key (rewrapAll). Nothing is cached: a key destroyed by another process is gone
 * for this one at once.
 */
export const incidentSubject = (incidentId: string) => `incident:${incidentId}`;

const ALGORITHM = 'aes-256-gcm';
const TAG_BYTES = 16;

/** A subject whose key was destroyed takes no new text (HTTP 409). */
export class SubjectErasedError extends IllegalStateError {
  constructor(readonly subject: string) {
    super(`the personal data of ${subject} has been erased: no new text is recorded about it`);
  }
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): { iv: string; ciphertext: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv: iv.toString('base64url'), ciphertext: ciphertext.toString('base64url') };
}

function decrypt(key: Buffer, iv: string, ciphertext: string, aad: string): Buffer {
  const bytes = Buffer.from(ciphertext, 'base64url');
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]);
}

export class SubjectKeys {
  constructor(
    private readonly db: Db | Tx,
    private readonly masterKey: Buffer,
    private readonly previousMasterKey?: Buffer,
  ) {
    if (masterKey.length !== 32 || (previousMasterKey && previousMasterKey.length !== 32)) throw new Error('the subject keys\' master keys must be 32 bytes');
  }

  /** The same keys, read and written inside a transaction. */
  within(trx: Tx): SubjectKeys {
    return new SubjectKeys(trx, this.masterKey, this.previousMasterKey);
  }

  private wrap(keyId: string, dataKey: Buffer): string {
    const { iv, ciphertext } = encrypt(this.masterKey, dataKey, keyId);
    return `${iv}:${ciphertext}`;
  }

  private unwrap(keyId: string, wrapped: string): Buffer {
    return this.unwrapWithCurrent(keyId, wrapped) ?? this.unwrapWithPrevious(keyId, wrapped);
  }

  private unwrapWithCurrent(keyId: string, wrapped: string): Buffer | null {
    const [iv, ciphertext] = wrapped.split(':');
    try {
      return decrypt(this.masterKey, iv!, ciphertext!, keyId);
    } catch (error) {
      if (!this.previousMasterKey) throw error;
      return null;
    }
  }

  private unwrapWithPrevious(keyId: string, wrapped: string): Buffer {
    const [iv, ciphertext] = wrapped.split(':');
    return decrypt(this.previousMasterKey!, iv!, ciphertext!, keyId);
  }

  /**
   * Rewrap every living key still under the previous master key with the current one, in batches;
   * a key rewrapped already (or made since) is left alone, so a run that stops can simply be run again.
   */
  async rewrapAll(batchSize = 500): Promise<{ rewrapped: number; alreadyCurrent: number }> {
    let after = '';
    let rewrapped = 0;
    let alreadyCurrent = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('subject_keys')
        .select(['key_id', 'wrapped_key'])
        .where('wrapped_key', 'is not', null)
        .where('key_id', '>', after)
        .orderBy('key_id')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) return { rewrapped, alreadyCurrent };
      for (const row of rows) {
        if (this.unwrapWithCurrent(row.key_id, row.wrapped_key!)) {
          alreadyCurrent += 1;
          continue;
        }
        let dataKey: Buffer;
        try {
          dataKey = this.unwrapWithPrevious(row.key_id, row.wrapped_key!);
        } catch (error) {
          throw new Error(`subject key ${row.key_id} opens with neither SUBJECT_KEYS_MASTER_KEY nor SUBJECT_KEYS_PREVIOUS_MASTER_KEY`, { cause: error });
        }
        // Only if nobody destroyed or rewrapped it meanwhile.
        const updated = await this.db
          .updateTable('subject_keys')
          .set({ wrapped_key: this.wrap(row.key_id, dataKey) })
          .where('key_id', '=', row.key_id)
          .where('wrapped_key', '=', row.wrapped_key)
          .executeTakeFirst();
        rewrapped += Number(updated.numUpdatedRows);
      }
      after = rows[rows.length - 1]!.key_id;
    }
  }

  /** The subject's key, made on first use; refused once destroyed. */
  private async keyOf(subject: string): Promise<{ keyId: string; key: Buffer }> {
    const keyId = randomBytes(12).toString('base64url');
    const dataKey = randomBytes(32);
    await this.db
      .insertInto('subject_keys')
      .values({ key_id: keyId, subject, wrapped_key: this.wrap(keyId, dataKey) })
      .onConflict((oc) => oc.column('subject').doNothing())
      .execute();
    const row = await this.db.selectFrom('subject_keys').select(['key_id', 'wrapped_key']).where('subject', '=', subject).executeTakeFirstOrThrow();
    if (row.wrapped_key === null) throw new SubjectErasedError(subject);
    return { keyId: row.key_id, key: this.unwrap(row.key_id, row.wrapped_key) };
  }

  /** The text sealed with its subject's key: what may enter a workflow and the event store. */
  async seal(subject: string, text: string): Promise<string> {
    const { keyId, key } = await this.keyOf(subject);
    return sealedText({ keyId, ...encrypt(key, Buffer.from(text, 'utf8'), keyId) });
  }

  async sealOptional<T extends string | null | undefined>(subject: string, text: T): Promise<T> {
    return (typeof text === 'string' && text !== '' ? await this.seal(subject, text) : text) as T;
  }

  /**
   * The value with every sealed text opened (deep: an event's data, a timeline, a letter's content);
   * a text whose key has been destroyed reads ERASED_TEXT. Plain text (events from before sealing) is as it was.
   */
  async reveal<T>(value: T): Promise<T> {
    const keyIds = [...sealedKeyIds(value)];
    if (keyIds.length === 0) return value;
    const rows = await this.db.selectFrom('subject_keys').select(['key_id', 'wrapped_key']).where('key_id', 'in', keyIds).execute();
    const keys = new Map(rows.filter((r) => r.wrapped_key !== null).map((r) => [r.key_id, this.unwrap(r.key_id, r.wrapped_key!)]));
    return mapSealed(value, (parts: SealedParts) => {
      const key = keys.get(parts.keyId);
      return key ? decrypt(key, parts.iv, parts.ciphertext, parts.keyId).toString('utf8') : ERASED_TEXT;
    });
  }

  /** Destroy the subjects' keys (those that exist and still live); the number destroyed. */
  async destroy(subjects: string[], because: string): Promise<number> {
    if (subjects.length === 0) return 0;
    const destroyed = await this.db
      .updateTable('subject_keys')
      .set({ wrapped_key: null, destroyed_at: sql<Date>`now()`, destroyed_because: because })
      .where('subject', 'in', subjects)
      .where('wrapped_key', 'is not', null)
      .executeTakeFirst();
    return Number(destroyed.numUpdatedRows);
  }

  /**
   * Mark subjects erased before any key was made for them (an incident with nothing sealed yet), so
   * that nothing can be sealed for them later either.
   */
  async refuseFromNowOn(subjects: string[], because: string): Promise<void> {
    if (subjects.length === 0) return;
    await this.db
      .insertInto('subject_keys')
      .values(subjects.map((subject) => ({ key_id: randomBytes(12).toString('base64url'), subject, wrapped_key: null, destroyed_at: sql<Date>`now()`, destroyed_because: because })))
      .onConflict((oc) => oc.column('subject').doNothing())
      .execute();
  }
}

/** The keys with the configuration's master key (the development one where a test or script gives none). */
export function subjectKeysOf(db: Db, config: { subjectKeysMasterKey?: Buffer; subjectKeysPreviousMasterKey?: Buffer }): SubjectKeys {
  return new SubjectKeys(db, config.subjectKeysMasterKey ?? developmentSubjectKeysMasterKey, config.subjectKeysPreviousMasterKey);
}
