import { type Attributes, type AttributeValue, type Context } from '@opentelemetry/api';
import {
  type ReadableSpan,
  type Span,
  type SpanProcessor,
  type TimedEvent,
} from '@opentelemetry/sdk-trace-base';
import { redactText } from '../codec/redact';

/** Attributes the SDK may set whose values are free text from a caller. */
const FREE_TEXT_ATTRIBUTES = new Set(['temporalTerminateReason']);
/** Of an exception event, only the type is kept: messages and stacks quote providers and URLs. */
const EXCEPTION_KEPT = new Set(['exception.type', 'exception.escaped']);

/**
 * The last step before any exporter: spans leave the process without secrets and without free
 * text. Error messages and stack traces may quote a provider's answer or a URL with an order id
 * (the failure converter encrypts them in histories for the same reason), so a span keeps its error
 * type and status code, not its message; structured values (objects) are dropped; configured
 * secret values are redacted wherever they would still appear.
 */
export class ScrubbingSpanProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly secrets: readonly string[],
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.inner.onEnd(scrubbed(span, this.secrets));
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export function scrubbed(span: ReadableSpan, secrets: readonly string[]): ReadableSpan {
  const text = (s: string) => redactText(s, secrets);
  const attributes = (attrs: Attributes | undefined, keep: (key: string) => boolean): Attributes => {
    const out: Attributes = {};
    for (const [key, value] of Object.entries(attrs ?? {})) {
      if (!keep(key)) continue;
      const clean = primitive(value, text);
      if (clean !== undefined) out[key] = clean;
    }
    return out;
  };
  const events: TimedEvent[] = span.events.map((e) => ({
    time: e.time,
    name: text(e.name),
    attributes: attributes(e.attributes, (k) => e.name !== 'exception' || EXCEPTION_KEPT.has(k)),
  }));
  return {
    name: text(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanId !== undefined && { parentSpanId: span.parentSpanId }),
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes: attributes(span.attributes, (k) => !FREE_TEXT_ATTRIBUTES.has(k)),
    links: span.links.map((l) => ({ ...l, attributes: attributes(l.attributes, () => true) })),
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function primitive(value: unknown, text: (s: string) => string): AttributeValue | undefined {
  if (typeof value === 'string') return text(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null))
    return value.map((v: unknown) => (typeof v === 'string' ? text(v) : v)) as AttributeValue;
  return undefined;
}
