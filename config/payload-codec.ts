import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

/** The encoding of an encrypted payload, as Temporal's samples and UI know it. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Which key encrypted a payload: a decoder picks the key by it, so that old keys keep working after a rotation. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Keys by id (32 bytes each, AES-256) and the id of the one that encrypts; every listed key decrypts. */
export interface PayloadEncryption {
  keyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** A payload encrypted with a key this process does not have (rotated out too early, or another deployment's). */
export class UnknownPayloadKeyError extends ValueError {
  constructor(readonly keyId: string) {
    // (Its name stays ValueError's: Temporal's errors keep theirs read-only.)
    super(`the payload was encrypted with key "${keyId}", which is not in TEMPORAL_PAYLOAD_KEYS`);
  }
}

const keyIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1 to 64 letters, digits, dots, dashes or underscores');

/** `id:base64key,id:base64key` (TEMPORAL_PAYLOAD_KEYS): each key 32 random bytes in base64. */
export const payloadKeysSchema = z.string().transform((text, ctx) => {
  const keys = new Map<string, Buffer>();
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf(':');
    const id = pair.slice(0, at);
    const key = Buffer.from(pair.slice(at + 1), 'base64');
    if (at <= 0 || !keyIdSchema.safeParse(id).success) {
      ctx.addIssue({ code: 'custom', message: `"${pair.slice(0, Math.max(at, 0))}…" is not id:base64key with an id of letters, digits, dots, dashes or underscores` });
      return z.NEVER;
    }
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `the key "${id}" is ${key.length} bytes; AES-256 needs 32 (openssl rand -base64 32)` });
      return z.NEVER;
    }
    if (keys.has(id)) {
      ctx.addIssue({ code: 'custom', message: `the key id "${id}" is listed twice` });
      return z.NEVER;
    }
    keys.set(id, key);
  }
  if (keys.size === 0) ctx.addIssue({ code: 'custom', message: 'no keys' });
  return keys;
});

/**
 * The development key: fixed, so that `npm start` reads the histories of its earlier runs. Known to
 * everyone who reads this file, so refused in production (config/config.ts).
 */
export const developmentPayloadEncryption: PayloadEncryption = {
  keyId: 'development',
  keys: new Map([['development', Buffer.from('polluter-pays development key!!!', 'utf8')]]),
};

export function isDevelopmentKey(key: Buffer): boolean {
  return key.equals(developmentPayloadEncryption.keys.get('development') as Buffer);
}

/** Binds the ciphertext to its key id: a payload relabelled with another id does not decrypt. */
const associatedData = (keyId: string) => Buffer.from(`${ENCRYPTED_ENCODING};${keyId}`, 'utf8');

/**
 * What is encrypted: the whole payload (its metadata, such as `json/plain`, and its data) in the
 * proto3 JSON form that the codec endpoint speaks too (api/routes/codec.ts).
 */
export interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

export function payloadToJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

export function payloadFromJson(json: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([key, value]) => [key, new Uint8Array(Buffer.from(value, 'base64'))])),
    data: new Uint8Array(Buffer.from(json.data ?? '', 'base64')),
  };
}

/**
 * AES-256-GCM over every payload the client and the worker send to Temporal: workflow inputs and
 * results, activity inputs and results, Update arguments and answers, summaries. Temporal keeps only
 * `binary/encrypted` payloads with the key id in their metadata; a payload that is not encrypted
 * (histories from before) passes through.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly encryption: PayloadEncryption) {
    if (!encryption.keys.has(encryption.keyId)) throw new Error(`TEMPORAL_PAYLOAD_KEY_ID "${encryption.keyId}" is not one of TEMPORAL_PAYLOAD_KEYS`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { keyId } = this.encryption;
    const key = this.encryption.keys.get(keyId) as Buffer;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associatedData(keyId));
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payloadToJson(payload)), 'utf8'), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) },
        data: new Uint8Array(Buffer.concat([iv, ciphertext, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!keyIdBytes) throw new ValueError(`an encrypted payload without "${KEY_ID_METADATA}" in its metadata`);
      const keyId = Buffer.from(keyIdBytes).toString();
      const key = this.encryption.keys.get(keyId);
      if (!key) throw new UnknownPayloadKeyError(keyId);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('an encrypted payload too short to hold its IV and tag');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(associatedData(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plaintext: string;
      try {
        plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new ValueError(`an encrypted payload does not decrypt with key "${keyId}" (altered, or another key under the same id)`);
      }
      return payloadFromJson(JSON.parse(plaintext) as JsonPayload);
    });
  }
}

/** The data converter of every Temporal client and worker of this system: the default converter, then encryption. */
export function temporalDataConverter(encryption: PayloadEncryption): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(encryption)] };
}
