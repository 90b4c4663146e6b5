import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../config/config';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA, UnknownPayloadKeyError, developmentPayloadEncryption } from '../../config/payload-codec';

const key2025 = randomBytes(32);
const key2026 = randomBytes(32);
const report = { description: 'Zwarte vuilniszakken bij de lift 7e etage', polluterTenantId: 'A-4' };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('latin1');

describe('the encryption codec', () => {
  const codec2025 = new EncryptionCodec({ keyId: '2025', keys: new Map([['2025', key2025]]) });

  test('encrypts the whole payload (its json/plain metadata too), names the key, and decrypts it back', async () => {
    const [encrypted] = await codec2025.encode([defaultPayloadConverter.toPayload(report)]);
    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![KEY_ID_METADATA])).toBe('2025');
    expect(Object.keys(encrypted!.metadata!)).toEqual(['encoding', KEY_ID_METADATA]);
    for (const plain of ['vuilniszakken', 'A-4', 'json/plain']) expect(text(encrypted!.data)).not.toContain(plain);
    const [decrypted] = await codec2025.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(report);
  });

  test('the same payload encrypts differently each time (a fresh IV)', async () => {
    const payload = defaultPayloadConverter.toPayload(report);
    const [a, b] = await codec2025.encode([payload, payload]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('key rotation: after the encrypting key changes, payloads of the old key still decrypt; new ones use the new key', async () => {
    const [old] = await codec2025.encode([defaultPayloadConverter.toPayload(report)]);
    const rotated = new EncryptionCodec({ keyId: '2026', keys: new Map([['2026', key2026], ['2025', key2025]]) });
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual(report);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(report)]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('2026');
    // Once the old key is dropped, its payloads are named as unreadable, with the key they need.
    const withoutOld = new EncryptionCodec({ keyId: '2026', keys: new Map([['2026', key2026]]) });
    await expect(withoutOld.decode([old!])).rejects.toThrow(UnknownPayloadKeyError);
    await expect(withoutOld.decode([old!])).rejects.toThrow('the payload was encrypted with key "2025", which is not in TEMPORAL_PAYLOAD_KEYS');
  });

  test('a payload relabelled with another key id, or altered, does not decrypt', async () => {
    const both = new EncryptionCodec({ keyId: '2025', keys: new Map([['2025', key2025], ['2026', key2025]]) });
    const [encrypted] = await both.encode([defaultPayloadConverter.toPayload(report)]);
    const relabelled: Payload = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: Buffer.from('2026') } };
    await expect(both.decode([relabelled])).rejects.toThrow('does not decrypt with key "2026"');
    const altered = Buffer.from(encrypted!.data!);
    altered[20] = altered[20]! ^ 1;
    await expect(both.decode([{ ...encrypted!, data: altered }])).rejects.toThrow('does not decrypt with key "2025"');
  });

  test('payloads that were never encrypted (histories from before) pass through', async () => {
    const plain = defaultPayloadConverter.toPayload(report);
    expect(await codec2025.decode([plain])).toEqual([plain]);
  });
});

describe('the keys in the configuration', () => {
  const production = { NODE_ENV: 'production', API_KEYS: 'admin:an-admin-key-1', LINK_SECRET: 'a-link-secret-0123456789', SESSION_SECRET: 'x'.repeat(32), OIDC_ISSUER: 'https://login.example', OIDC_CLIENT_SECRET: 'secret' };
  const b64 = (key: Buffer) => key.toString('base64');
  const problems = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      // Only the keys' problems: this production lacks the corporation's settings too (config/production.ts names those).
      if (error instanceof ConfigError) return error.problems.filter((problem) => problem.startsWith('TEMPORAL_PAYLOAD'));
      throw error;
    }
  };

  test('development: the development key unless configured', () => {
    expect(loadConfig({}).payloadEncryption).toBe(developmentPayloadEncryption);
  });

  test('several keys: the one named encrypts, all decrypt', () => {
    const config = loadConfig({ TEMPORAL_PAYLOAD_KEYS: `2025:${b64(key2025)}, 2026:${b64(key2026)}`, TEMPORAL_PAYLOAD_KEY_ID: '2026' });
    expect(config.payloadEncryption.keyId).toBe('2026');
    expect([...config.payloadEncryption.keys.keys()]).toEqual(['2025', '2026']);
    expect(loadConfig({ TEMPORAL_PAYLOAD_KEYS: `only:${b64(key2025)}` }).payloadEncryption.keyId).toBe('only');
  });

  test('production refuses to run without keys, or with the development key', () => {
    expect(problems(production)).toEqual([expect.stringMatching(/^TEMPORAL_PAYLOAD_KEYS: required in production/)]);
    const developmentKey = b64(developmentPayloadEncryption.keys.get('development')!);
    expect(problems({ ...production, TEMPORAL_PAYLOAD_KEYS: `mine:${developmentKey}` })).toEqual([expect.stringContaining('"mine" is the development key')]);
    expect(problems({ ...production, TEMPORAL_PAYLOAD_KEYS: `2026:${b64(key2026)}` })).toEqual([]);
  });

  test('each bad value is named', () => {
    expect(problems({ TEMPORAL_PAYLOAD_KEYS: `short:${b64(randomBytes(16))}` })).toEqual([expect.stringContaining('the key "short" is 16 bytes; AES-256 needs 32')]);
    expect(problems({ TEMPORAL_PAYLOAD_KEYS: `a:${b64(key2025)},b:${b64(key2026)}` })).toEqual([expect.stringContaining('TEMPORAL_PAYLOAD_KEY_ID: required when TEMPORAL_PAYLOAD_KEYS lists more than one key')]);
    expect(problems({ TEMPORAL_PAYLOAD_KEYS: `a:${b64(key2025)}`, TEMPORAL_PAYLOAD_KEY_ID: 'b' })).toEqual([expect.stringContaining('"b" is not one of TEMPORAL_PAYLOAD_KEYS (a)')]);
    expect(problems({ TEMPORAL_PAYLOAD_KEYS: `a:${b64(key2025)},a:${b64(key2026)}` })).toEqual([expect.stringContaining('"a" is listed twice')]);
    expect(problems({ TEMPORAL_PAYLOAD_KEYS: b64(key2025) })).toEqual([expect.stringContaining('is not id:base64key')]);
  });
});
