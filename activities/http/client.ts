import got, { RequestError, type Got, type OptionsOfTextResponseBody, type Response } from 'got';
import { networkFailure } from './failures';
import { observed } from './observe';

export type HttpClient = Got;

export interface HttpClientOptions {
  /** Whole-request budget; a provider slower than this is treated as unavailable and retried later. */
  timeoutMs: number;
}

/**
 * The one got instance the activities use. got's own retries are off: Temporal's retry policy is
 * the single place that decides when to try again, so attempts are counted and visible in history.
 */
export function createHttpClient({ timeoutMs }: HttpClientOptions): HttpClient {
  return got.extend({
    retry: { limit: 0 },
    timeout: { request: timeoutMs },
    throwHttpErrors: false,
    followRedirect: false,
    headers: { 'user-agent': 'subscription-cancellations/0.1' },
  });
}

/**
 * Sends a request and returns whatever HTTP answer came back. Only the absence of an answer
 * (timeout, reset, refused, aborted) becomes a failure here, classified as retryable. Every call
 * is a span and a latency sample (observe.ts): the one place all provider HTTP goes through.
 */
export async function send(
  http: HttpClient,
  provider: string,
  operation: string,
  url: string,
  options: OptionsOfTextResponseBody,
): Promise<Response<string>> {
  const method = (options.method ?? 'GET').toUpperCase();
  return observed({ provider, operation, method, url }, async () => {
    try {
      return await http(url, { ...options, responseType: 'text' });
    } catch (err) {
      if (err instanceof RequestError) throw networkFailure(provider, operation, err);
      throw err;
    }
  });
}
