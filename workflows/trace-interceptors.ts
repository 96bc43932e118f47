import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import type * as OtelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import {
  type Headers,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/**
 * The SDK's OpenTelemetry workflow interceptors, for runs started with a trace context (a client
 * with tracing on sends one in the start headers). Runs without one, and every history recorded
 * before tracing existed, execute exactly as before: no spans, no extra yields, no sink calls, so
 * tracing can be switched on and off without touching determinism. The decision rests on the
 * start headers, which replay sees unchanged.
 */
export function traceInterceptors(): Required<WorkflowInterceptors> {
  let traced = false;
  let otel:
    | {
        inbound: OtelWorkflow.OpenTelemetryInboundInterceptor;
        outbound: OtelWorkflow.OpenTelemetryOutboundInterceptor;
        internals: OtelWorkflow.OpenTelemetryInternalsInterceptor;
      }
    | undefined;
  // Created on first use: their construction sets up a tracer inside the workflow's sandbox. The
  // module is loaded then too, not imported: every run evaluates its imports afresh, and this one
  // (the OpenTelemetry SDK) cost runs without a trace CPU and memory for nothing
  // (bench/PROFILE.md). A traced run loads it at the same point on replay: the headers decide.
  const sdk = () => {
    if (!otel) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by traced runs only (above)
      const m = require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OtelWorkflow;
      otel = {
        inbound: new m.OpenTelemetryInboundInterceptor(),
        outbound: new m.OpenTelemetryOutboundInterceptor(),
        internals: new m.OpenTelemetryInternalsInterceptor(),
      };
    }
    return otel;
  };
  const carries = (headers: Headers) => headers[TRACE_HEADER] !== undefined;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (!carries(input.headers)) return next(input);
      traced = true;
      return sdk().inbound.execute(input, next);
    },
    handleSignal: (input, next) =>
      carries(input.headers) ? sdk().inbound.handleSignal(input, next) : next(input),
    handleUpdate: (input, next) =>
      carries(input.headers) ? sdk().inbound.handleUpdate(input, next) : next(input),
    validateUpdate: (input, next) =>
      carries(input.headers) ? sdk().inbound.validateUpdate(input, next) : next(input),
    handleQuery: (input, next) =>
      carries(input.headers) ? sdk().inbound.handleQuery(input, next) : next(input),
  };

  // What the run starts (activities, children, signals) continues its trace, if it has one.
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (traced ? sdk().outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) =>
      traced ? sdk().outbound.scheduleLocalActivity(input, next) : next(input),
    startChildWorkflowExecution: (input, next) =>
      traced ? sdk().outbound.startChildWorkflowExecution(input, next) : next(input),
    signalWorkflow: (input, next) => (traced ? sdk().outbound.signalWorkflow(input, next) : next(input)),
    continueAsNew: (input, next) => (traced ? sdk().outbound.continueAsNew(input, next) : next(input)),
    getLogAttributes: (input, next) => (traced ? sdk().outbound.getLogAttributes(input, next) : next(input)),
  };

  const internals: WorkflowInternalsInterceptor = {
    dispose(input, next) {
      if (otel) void otel.internals.dispose(input, next);
      else next(input);
    },
  };

  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
}
