// Every provider tells a throttled client when to come back, each in its own way. One parser, so
// that the forms cannot drift apart between provider modules.

/**
 * How a provider writes its hint:
 * - `seconds`: a number of seconds to wait (Laravel's Retry-After);
 * - `seconds-or-http-date`: RFC 9110 Retry-After, seconds or an HTTP date;
 * - `unix-seconds`: the instant to retry at, in Unix seconds (Rebilly's X-RateLimit-Retry-After).
 */
export type RetryHintForm = 'seconds' | 'seconds-or-http-date' | 'unix-seconds';

/**
 * Milliseconds to wait before trying again, or undefined when the header is absent or unreadable.
 * A hint in the past means "now" (0), never a negative delay.
 */
export function retryAfterMs(
  header: string | string[] | undefined,
  form: RetryHintForm,
  now: Date,
): number | undefined {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!raw) return undefined;
  const numeric = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined;
  let ms: number | undefined;
  if (form === 'unix-seconds') ms = numeric === undefined ? undefined : numeric * 1000 - now.getTime();
  else if (numeric !== undefined) ms = numeric * 1000;
  else if (form === 'seconds-or-http-date') {
    const at = Date.parse(raw);
    ms = Number.isNaN(at) ? undefined : at - now.getTime();
  }
  return ms === undefined ? undefined : Math.max(0, Math.round(ms));
}
