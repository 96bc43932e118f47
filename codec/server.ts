import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Payload, type PayloadCodec } from '@temporalio/common';
import { DataProtectionConfigError, loadDataProtectionConfig } from './config';
import { codecFor } from './data-converter';

// The remote codec protocol of Temporal's Web UI and CLI: POST .../encode and .../decode with
// {"payloads":[{"metadata":{"k":"<base64>"},"data":"<base64>"}]} (proto3 JSON of Payloads), only the
// last path segment decides which. Every request needs the token, either as
// `Authorization: Bearer <token>` or as the path segment before encode/decode
// (`https://host/<token>/decode`): the Web UI cannot send a fixed header, only an endpoint URL.

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The bearer token every encode/decode request must carry. */
  token: string;
  /** Origins allowed to call from a browser (the Web UI's), e.g. http://localhost:8233; `*` for any. */
  corsOrigins: string[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** If set, only these namespaces (X-Namespace header) are served. */
  namespaces?: string[];
}

export interface RunningCodecServer {
  /** Base URL, e.g. http://127.0.0.1:8888; POST {url}/encode and {url}/decode with the bearer token. */
  url: string;
  /** The endpoint for the Web UI (--ui-codec-endpoint, TEMPORAL_CODEC_ENDPOINT): carries the token in its path. */
  uiEndpoint: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new BadRequest(`metadata.${k} must be a base64 string`);
    metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  }
  if (p.data !== undefined && typeof p.data !== 'string')
    throw new BadRequest('data must be a base64 string');
  return { metadata, data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')) };
}

function toJson(p: Payload): JsonPayload {
  const b64 = (u: Uint8Array | null | undefined) => Buffer.from(u ?? new Uint8Array()).toString('base64');
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(p.data),
  };
}

class BadRequest extends Error {}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function createCodecRequestHandler(o: CodecServerOptions) {
  if (!o.token)
    throw new DataProtectionConfigError('the codec server needs a token (CANCELLATIONS_CODEC_TOKEN)');
  const expected = digest(o.token);
  const tokenMatches = (candidate: string | undefined) =>
    candidate !== undefined && timingSafeEqual(digest(candidate), expected);
  const anyOrigin = o.corsOrigins.includes('*');

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    const originAllowed = origin !== undefined && (anyOrigin || o.corsOrigins.includes(origin));
    if (originAllowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');

    const url = new URL(req.url ?? '/', 'http://codec.invalid');
    const segments = url.pathname.split('/').filter(Boolean);
    const action = segments[segments.length - 1];

    if (req.method === 'OPTIONS') {
      // Preflight: browsers send it without credentials, so it is answered without the token.
      if (origin !== undefined && !originAllowed) return send(res, 403, { error: 'origin not allowed' });
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      return send(res, 204);
    }
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
    if (action !== 'encode' && action !== 'decode') return send(res, 404, { error: 'not found' });
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return send(res, 405, { error: 'use POST' });
    }

    const auth = req.headers.authorization;
    const bearer = auth?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const pathToken = segments.length >= 2 ? decodeURIComponent(segments[segments.length - 2]!) : undefined;
    if (!tokenMatches(bearer) && !tokenMatches(pathToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="codec"');
      return send(res, 401, { error: 'unauthorized' });
    }
    const namespace = req.headers['x-namespace'];
    if (o.namespaces && typeof namespace === 'string' && !o.namespaces.includes(namespace))
      return send(res, 403, { error: `namespace ${namespace} is not served here` });

    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) return send(res, 413, { error: 'request too large' });
        chunks.push(chunk as Buffer);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw new BadRequest('body must be JSON {"payloads":[...]}');
      }
      const list = (body as { payloads?: unknown } | null)?.payloads;
      if (!Array.isArray(list)) throw new BadRequest('body must be JSON {"payloads":[...]}');
      const payloads = list.map((p) => fromJson((p ?? {}) as JsonPayload));
      const out = action === 'encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
      return send(res, 200, { payloads: out.map(toJson) });
    } catch (err) {
      // Codec errors name key ids, never keys or payload contents.
      const message = err instanceof Error ? err.message : 'invalid request';
      return send(res, 400, { error: message });
    }
  };
}

/** Starts the codec server in this process. */
export async function startCodecServer(o: CodecServerOptions): Promise<RunningCodecServer> {
  const handler = createCodecRequestHandler(o);
  const server = createServer((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    uiEndpoint: `${url}/${encodeURIComponent(o.token)}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Starts the codec server from the environment: CANCELLATIONS_ENCRYPTION_KEYS / _KEY_ID (the keys),
 * CANCELLATIONS_CODEC_TOKEN (required), CANCELLATIONS_CODEC_HOST (127.0.0.1),
 * CANCELLATIONS_CODEC_PORT (8888; 0 for any free port), CANCELLATIONS_CODEC_CORS_ORIGINS
 * (http://localhost:8233,http://127.0.0.1:8233).
 */
export async function startCodecServerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Pick<CodecServerOptions, 'port' | 'host' | 'corsOrigins' | 'namespaces'>> = {},
): Promise<RunningCodecServer> {
  const config = loadDataProtectionConfig(env);
  if (!config.encryption)
    throw new DataProtectionConfigError(
      'CANCELLATIONS_ENCRYPTION_KEYS: not set, so there is nothing for the codec server to decode',
    );
  if (!config.codec.token)
    throw new DataProtectionConfigError(
      'CANCELLATIONS_CODEC_TOKEN: required to start the codec server (it protects decoded customer data)',
    );
  return startCodecServer({
    codec: codecFor(config.encryption),
    token: config.codec.token,
    host: config.codec.host,
    port: config.codec.port,
    corsOrigins: config.codec.corsOrigins,
    ...overrides,
  });
}
