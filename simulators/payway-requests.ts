import { type SimRequest, type SimResponse } from './framework';

// How the Payway simulator reads a request and words a refusal: the documented request checks
// (shared/seeds/002, shared/PROVIDERS.md) in the order a JSON API applies them, and its JSON errors
// `{code, field?, message}`. Kept apart from the state the simulator plays (payway.ts).

export type Params = Record<string, unknown>;

export const ACCOUNT_ID = /^[a-f\d]{24}$/i;
// The documented message prints the pattern without its `i` flag, although the check ignores case.
export const INVALID_ID_MESSAGE = 'Parameter must match format (/^[a-f\\d]{24}$/)';

export function paywayError(
  status: number,
  code: string,
  message: string,
  field?: string,
  headers?: Record<string, string>,
) {
  return {
    status,
    body: { code, ...(field !== undefined && { field }), message },
    ...(headers && { headers }),
  } satisfies SimResponse;
}

/** The body's parameters, or the documented refusal of a body that is not a JSON object of them. */
export function jsonParams(r: SimRequest, allowed: string[]): Params | SimResponse {
  if (!r.contentType.startsWith('application/json'))
    return paywayError(
      400,
      'invalid_content_type_error',
      "The request's Content-Type header isn't set to application/json",
    );
  if (r.body === undefined && r.rawBody.trim() !== '')
    return paywayError(400, 'json_parser_error', 'The request body could not be parsed as valid json');
  // An empty body is an empty object (then each required parameter is missing); JSON null is not.
  const body = r.body === undefined ? {} : r.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return paywayError(400, 'json_parser_error', 'The request body must be a JSON object');
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown) return paywayError(400, 'unknown_parameter', 'Unknown parameter', unknown);
  return body as Params;
}

/** ASSUMPTION: a missing or non-string parameter is answered with invalid_parameter. */
export function stringParam(p: Params, field: string, required: boolean): string | SimResponse | undefined {
  const v = p[field];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '')
    return paywayError(400, 'invalid_parameter', 'Parameter is required', field);
  return v;
}

export function isResponse(v: unknown): v is SimResponse {
  return (
    typeof v === 'object' && v !== null && 'status' in v && typeof (v as SimResponse).status === 'number'
  );
}
