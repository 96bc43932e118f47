import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import { errorTypeLabel } from '../../common/metrics';
import { recordProviderCall } from '../metrics';
import { routeTemplate } from './route-template';

const tracer = trace.getTracer('subscription-cancellations/provider-http');

export interface ProviderCall {
  provider: string;
  /** A fixed name per endpoint (`get order`), never built from data. */
  operation: string;
  method: string;
  url: string;
}

/**
 * Runs one provider HTTP call as a client span (a child of the activity's span) and records its
 * latency and status in the provider metrics. The span names the route template and the
 * provider, never the URL, a header or a body: those carry ids and credentials.
 */
export async function observed<R extends { statusCode: number }>(
  call: ProviderCall,
  request: () => Promise<R>,
): Promise<R> {
  const route = routeTemplate(call.url);
  const span = tracer.startSpan(`${call.method} ${route}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': call.method,
      'http.route': route,
      'server.address': hostOf(call.url),
      'cancellations.provider': call.provider,
      'cancellations.operation': call.operation,
    },
  });
  const started = performance.now();
  const done = (status: number | 'no-answer') =>
    recordProviderCall({ ...call, status, durationMs: performance.now() - started });
  try {
    const res = await request();
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    done(res.statusCode);
    return res;
  } catch (err) {
    const type = err instanceof ApplicationFailure ? err.type : (err as Error | undefined)?.name;
    span.setAttributes({ 'error.type': errorTypeLabel(type) });
    span.setStatus({ code: SpanStatusCode.ERROR });
    done('no-answer');
    throw err;
  } finally {
    span.end();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
