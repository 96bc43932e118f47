import { type z } from 'zod';
import { type Response } from 'got';
import { protocolFailure } from './failures';

/** Parses a provider's JSON body with its zod schema; anything else is a protocol failure. */
export function parseJsonBody<S extends z.ZodType>(
  provider: string,
  operation: string,
  response: Response<string>,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw protocolFailure(
      provider,
      operation,
      response.statusCode,
      `body is not JSON: ${snippet(response.body)}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw protocolFailure(
      provider,
      operation,
      response.statusCode,
      `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Best-effort JSON for error bodies, whose shape is only loosely documented. */
export function tryJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat || '(empty body)';
}
