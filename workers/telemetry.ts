import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import { type OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import { type InjectedSink, type WorkerOptions } from '@temporalio/worker';
import { type WorkflowInfo } from '@temporalio/workflow';
import { activityOutcomeInterceptors } from '../activities/metrics';
import { activeTracing, type Tracing } from './tracing';

/**
 * The workflow interceptor module (metrics and traces, workflows/interceptors.ts). Workflow code
 * is bundled: a worker bundling from source names it in interceptors.workflowModules, a prebuilt
 * bundle carries it (workers/bundle.ts), as with FAILURE_CONVERTER_PATH.
 */
export const WORKFLOW_INTERCEPTORS_PATH = require.resolve('../workflows/interceptors');

/**
 * What every worker of the process adds for metrics and traces: the activity interceptors (the
 * SDK's OpenTelemetry ones when tracing is installed, then our outcome metrics), the workflow
 * interceptor module when it bundles from source, and the sink that takes workflow spans out of
 * the sandbox.
 */
export function workerTelemetry({
  bundled,
}: {
  bundled: boolean;
}): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = activeTracing();
  return {
    interceptors: {
      activity: [
        ...(tracing
          ? [
              (ctx: Parameters<typeof activityOutcomeInterceptors>[0]) => ({
                inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
                outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
              }),
            ]
          : []),
        activityOutcomeInterceptors,
      ],
      ...(!bundled && { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] }),
    },
    // Registered even without tracing: a run a tracing client started still calls it.
    sinks: { exporter: tracing ? workflowSpanSink(tracing) : discardSpans },
  };
}

const discardSpans: InjectedSink<OpenTelemetryWorkflowExporter> = { export: { fn: () => undefined } };

/**
 * The SDK's workflow span sink, told only what identifies the run. Its own version copies the
 * whole WorkflowInfo onto every span: memo and search attributes included (the memo holds the
 * request's fingerprint, with customer and target ids). The scrubber would drop those objects
 * anyway; this keeps workflow spans to an allow-list rather than relying on that.
 */
function workflowSpanSink(tracing: Tracing): InjectedSink<OpenTelemetryWorkflowExporter> {
  const sdk = makeWorkflowExporter(tracing.processor, tracing.resource);
  return {
    export: {
      fn: (info, spans) => {
        const identifying = {
          workflowType: info.workflowType,
          workflowId: info.workflowId,
          runId: info.runId,
          taskQueue: info.taskQueue,
          namespace: info.namespace,
          attempt: info.attempt,
        };
        // The SDK sink only spreads the info onto span attributes, so the subset is all it reads.
        void sdk.export.fn(identifying as WorkflowInfo, spans);
      },
    },
  };
}
