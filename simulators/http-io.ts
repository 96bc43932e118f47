import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type SimRequest, type SimResponse } from './framework';

// The HTTP plumbing every simulator shares: reading and parsing bodies, writing answers.

export function send(res: ServerResponse, r: SimResponse): void {
  const isText = typeof r.body === 'string';
  const payload = r.body === undefined ? '' : isText ? (r.body as string) : JSON.stringify(r.body);
  res.writeHead(r.status, {
    'content-type': r.contentType ?? (isText ? 'text/plain; charset=utf-8' : 'application/json'),
    ...r.headers,
  });
  res.end(payload);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function parseBody(
  contentType: string,
  raw: Buffer,
  headers: IncomingHttpHeaders,
): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    if (contentType.startsWith('application/json')) return JSON.parse(text) as unknown;
    if (contentType.startsWith('application/x-www-form-urlencoded'))
      return Object.fromEntries(new URLSearchParams(text));
    if (contentType.startsWith('multipart/form-data')) {
      // Node's fetch Request parses multipart bodies the way a real server framework would.
      const form = await new Request('http://simulator/', {
        method: 'POST',
        headers: { 'content-type': String(headers['content-type']) },
        body: raw,
      }).formData();
      const out: Record<string, string> = {};
      form.forEach((value, key) => (out[key] = typeof value === 'string' ? value : '[file]'));
      return out;
    }
  } catch {
    return undefined; // the route decides how this provider answers an unparseable body
  }
  return undefined;
}

/** Bearer token from an Authorization header, or undefined. */
export function bearerToken(req: SimRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(.+)$/i.exec(h) : null;
  return m?.[1];
}
