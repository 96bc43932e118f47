import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, PayloadDecryptionError, encryptionKeyIdOf } from '../../codec/aes-gcm-codec';
import { DataProtectionConfigError, loadDataProtectionConfig, parseEncryptionKeys } from '../../codec/config';
import { ensureDevDataProtectionEnv } from '../../codec/dev-keys';
import { IdHasher } from '../../codec/id-hash';
import { REDACTED, redactText, redactValue, secretValuesFromEnv } from '../../codec/redact';
import { startCodecServer, type RunningCodecServer } from '../../codec/server';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const b64 = (k: Buffer) => k.toString('base64');
const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);

describe('configuration', () => {
  test('keys as id:base64 list or JSON; the current key must be named when there are several', () => {
    expect([...parseEncryptionKeys(`a:${b64(keyA)}, b:${b64(keyB)}`).keys()]).toEqual(['a', 'b']);
    expect(parseEncryptionKeys(JSON.stringify({ a: b64(keyA) })).get('a')).toEqual(keyA);
    const one = loadDataProtectionConfig({ CANCELLATIONS_ENCRYPTION_KEYS: `a:${b64(keyA)}` });
    expect(one.encryption?.currentKeyId).toBe('a');
    const two = { CANCELLATIONS_ENCRYPTION_KEYS: `a:${b64(keyA)},b:${b64(keyB)}` };
    expect(() => loadDataProtectionConfig(two)).toThrow(/^CANCELLATIONS_ENCRYPTION_KEY_ID: required/);
    expect(
      loadDataProtectionConfig({ ...two, CANCELLATIONS_ENCRYPTION_KEY_ID: 'b' }).encryption?.currentKeyId,
    ).toBe('b');
    expect(loadDataProtectionConfig({}).encryption).toBeUndefined();
  });

  test('errors name the variable and never echo the key', () => {
    const short = b64(randomBytes(16));
    const err = (() => {
      try {
        loadDataProtectionConfig({ CANCELLATIONS_ENCRYPTION_KEYS: `a:${short}` });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(DataProtectionConfigError);
    expect(err?.message).toMatch(/^CANCELLATIONS_ENCRYPTION_KEYS: key "a" must be 32 bytes/);
    expect(err?.message).not.toContain(short);
    expect(() =>
      loadDataProtectionConfig({
        CANCELLATIONS_ENCRYPTION_KEYS: `a:${b64(keyA)}`,
        CANCELLATIONS_ENCRYPTION_KEY_ID: 'z',
      }),
    ).toThrow(/^CANCELLATIONS_ENCRYPTION_KEY_ID: "z" is not one of the ids/);
    expect(() => loadDataProtectionConfig({ CANCELLATIONS_ENCRYPTION_KEY_ID: 'a' })).toThrow(
      /CANCELLATIONS_ENCRYPTION_KEYS is not/,
    );
    expect(() => loadDataProtectionConfig({ CANCELLATIONS_CODEC_TOKEN: 'short' })).toThrow(
      /^CANCELLATIONS_CODEC_TOKEN:/,
    );
    expect(() => loadDataProtectionConfig({ CANCELLATIONS_ID_HASH_KEY: 'abc' })).toThrow(
      /^CANCELLATIONS_ID_HASH_KEY:/,
    );
  });

  test('npm start fills in development keys once and keeps them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dp-'));
    try {
      const file = path.join(dir, 'data-protection.json');
      const env: NodeJS.ProcessEnv = { CANCELLATIONS_CODEC_TOKEN: 'operator-chosen-token-1234' };
      const first = ensureDevDataProtectionEnv(env, file);
      expect(first.filled.sort()).toEqual([
        'CANCELLATIONS_ENCRYPTION_KEYS',
        'CANCELLATIONS_ENCRYPTION_KEY_ID',
        'CANCELLATIONS_ID_HASH_KEY',
      ]);
      expect(env.CANCELLATIONS_CODEC_TOKEN).toBe('operator-chosen-token-1234');
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(loadDataProtectionConfig(env).encryption).toBeDefined();
      const again: NodeJS.ProcessEnv = {};
      ensureDevDataProtectionEnv(again, file);
      expect(again.CANCELLATIONS_ENCRYPTION_KEYS).toBe(env.CANCELLATIONS_ENCRYPTION_KEYS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AES-256-GCM payload codec', () => {
  const codecA = new AesGcmCodec({ keys: new Map([['A', keyA]]), currentKeyId: 'A' });
  const codecAB = new AesGcmCodec({
    keys: new Map([
      ['A', keyA],
      ['B', keyB],
    ]),
    currentKeyId: 'B',
  });

  test('encrypts with the current key, names it in the metadata, and round-trips', async () => {
    const [enc] = await codecA.encode([payload({ customerId: 'cus-plain-1' })]);
    expect(encryptionKeyIdOf(enc!)).toBe('A');
    expect(Buffer.from(enc!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(enc!.data!).toString('latin1')).not.toContain('cus-plain-1');
    const [dec] = await codecA.decode([enc!]);
    expect(valueOf(dec!)).toEqual({ customerId: 'cus-plain-1' });
  });

  test('after rotation, new payloads use the new key and old ones still decrypt', async () => {
    const [old] = await codecA.encode([payload('old')]);
    const [fresh] = await codecAB.encode([payload('new')]);
    expect(encryptionKeyIdOf(fresh!)).toBe('B');
    expect((await codecAB.decode([old!, fresh!])).map(valueOf)).toEqual(['old', 'new']);
  });

  test('an unknown key id, a wrong key or altered data is a clear error, never garbage', async () => {
    const [fresh] = await codecAB.encode([payload('new')]);
    await expect(codecA.decode([fresh!])).rejects.toThrow(
      new PayloadDecryptionError(
        'payload was encrypted with key "B", which is not configured here (configured: A); add it to CANCELLATIONS_ENCRYPTION_KEYS',
      ),
    );
    const impostor = new AesGcmCodec({ keys: new Map([['B', keyA]]), currentKeyId: 'B' });
    await expect(impostor.decode([fresh!])).rejects.toThrow(/could not be decrypted with key "B"/);
    const altered = { ...fresh!, data: Uint8Array.from(fresh!.data!) };
    altered.data[20] = altered.data[20]! ^ 1;
    await expect(codecAB.decode([altered])).rejects.toBeInstanceOf(PayloadDecryptionError);
  });

  test('payloads that were never encrypted pass through', async () => {
    const plain = payload({ a: 1 });
    expect(await codecA.decode([plain])).toEqual([plain]);
  });
});

describe('identifier pseudonyms', () => {
  test('keyed, stable, and not the identifier', () => {
    const h = new IdHasher(keyA);
    expect(h.customerId('cus-1')).toBe(h.customerId('cus-1'));
    expect(h.customerId('cus-1')).toMatch(/^[0-9a-f]{32}$/);
    expect(h.customerId('cus-1')).not.toBe(new IdHasher(keyB).customerId('cus-1'));
    expect(h.customerId('x')).not.toBe(h.subscription('x'));
  });
});

describe('log redaction', () => {
  const secrets = secretValuesFromEnv({
    REBILLY_API_KEY: 'sk_live_abcdef123',
    PAYWAY_CLIENT_SECRET: 'pw-secret-987',
    CANCELLATIONS_ENCRYPTION_KEYS: `a:${b64(keyA)}`,
    CANCELLATIONS_CODEC_TOKEN: 'codec-token-0123456789',
    REBILLY_BASE_URL: 'http://127.0.0.1:1',
  });

  test('configured secret values and credential headers are hidden in text and metadata', () => {
    expect(secrets).toContain(b64(keyA));
    expect(secrets).not.toContain('http://127.0.0.1:1');
    expect(redactText('key sk_live_abcdef123 and Authorization: Bearer eyJhbGciOi.xyz', secrets)).toBe(
      `key ${REDACTED} and Authorization: Bearer ${REDACTED}`,
    );
    expect(redactText('{"access_token":"tok-123456","expires_in":3600}', secrets)).toBe(
      `{"access_token":"${REDACTED}","expires_in":3600}`,
    );
    const err = Object.assign(new Error('failed with pw-secret-987'), {
      options: { headers: { authorization: 'Bearer x' } },
      code: 'ERR_X',
    });
    const meta = redactValue(
      { error: err, headers: { 'REB-APIKEY': 'anything', accept: 'json' }, token: 'codec-token-0123456789' },
      secrets,
    );
    const text = JSON.stringify(meta);
    for (const s of [...secrets, 'Bearer x', 'anything']) expect(text).not.toContain(s);
    expect(text).toContain('ERR_X');
    expect(text).toContain('"accept":"json"');
  });
});

describe('codec server', () => {
  const token = 'codec-test-token-abcdefgh';
  let server: RunningCodecServer;
  beforeAll(async () => {
    server = await startCodecServer({
      codec: new AesGcmCodec({ keys: new Map([['A', keyA]]), currentKeyId: 'A' }),
      token,
      corsOrigins: ['http://localhost:8233'],
      port: 0,
    });
  });
  afterAll(() => server.close());

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const jsonPayloads = (ps: Payload[]) => ({
    payloads: ps.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data!).toString('base64'),
    })),
  });

  test('encode then decode with the bearer token, or with the token in the path (Web UI)', async () => {
    const enc = await post(`${server.url}/encode`, jsonPayloads([payload('hello')]), {
      authorization: `Bearer ${token}`,
    });
    expect(enc.status).toBe(200);
    const encoded = (await enc.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(encoded.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('A');
    const dec = await post(`${server.uiEndpoint}/decode`, encoded, { 'x-namespace': 'default' });
    expect(dec.status).toBe(200);
    const decoded = (await dec.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(decoded.payloads[0]!.data, 'base64').toString()).toBe('"hello"');
  });

  test('no token or a wrong one: 401', async () => {
    const body = jsonPayloads([payload('x')]);
    expect((await post(`${server.url}/decode`, body)).status).toBe(401);
    expect(
      (await post(`${server.url}/decode`, body, { authorization: 'Bearer wrong-token-xxxxxxxx' })).status,
    ).toBe(401);
    expect((await post(`${server.url}/wrong-token-xxxxxxxx/decode`, body)).status).toBe(401);
  });

  test('CORS preflight for the Web UI origin; other origins get no CORS grant', async () => {
    const pre = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:8233',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(
      /Authorization.*Content-Type.*X-Namespace/,
    );
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.test' },
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('a payload the server has no key for is a 400 naming the key id', async () => {
    const other = new AesGcmCodec({ keys: new Map([['Z', keyB]]), currentKeyId: 'Z' });
    const res = await post(`${server.url}/decode`, jsonPayloads(await other.encode([payload('x')])), {
      authorization: `Bearer ${token}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/encrypted with key "Z"/);
  });
});
