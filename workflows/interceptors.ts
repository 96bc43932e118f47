// The workflow interceptor module: bundled with the workflows (workers/bundle.ts and the worker's
// interceptors.workflowModules both name WORKFLOW_INTERCEPTORS_PATH, workers/telemetry.ts).
import { type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { OutcomeMetricsInterceptor } from './outcome-metrics';
import { traceInterceptors } from './trace-interceptors';

export const interceptors: WorkflowInterceptorsFactory = () => {
  const tracing = traceInterceptors();
  return {
    // Tracing outermost, so that the run's span covers everything the metrics observe.
    inbound: [...tracing.inbound, new OutcomeMetricsInterceptor()],
    outbound: tracing.outbound,
    internals: tracing.internals,
  };
};
