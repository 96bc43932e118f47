import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/**
 * One step of a cancellation's history, as the skeleton repeats it: the commands a run of the
 * product gives Temporal, stripped of what the product does between them.
 */
export type SkeletonStep =
  | 'upsert' // a search-attribute upsert
  | 'provider-activity' // an activity on the provider's task queue (submit, confirm, reads)
  | 'main-activity' // an activity on the main task queue
  | 'start-run' // an activity that starts another workflow run (the verification run)
  | 'local-start-run' // the same as a local activity (workflows/patches.ts ONE_TASK_COMPLETION)
  | 'timer';

/** The product activity that starts the verification run (workflows/verification-start.ts). */
const STARTS_A_RUN = new Set(['startVerificationRun']);

/** A history event, as much of it as the shape needs (the JSON of HistoryEvent). */
export interface ShapeEvent {
  eventType?: temporal.api.enums.v1.EventType | null;
  activityTaskScheduledEventAttributes?: {
    activityType?: { name?: string | null } | null;
    taskQueue?: { name?: string | null } | null;
  } | null;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: Array<{ data?: Uint8Array | null }> | null }> | null;
  } | null;
}

/**
 * The activity type of a local activity's marker: the SDK's core writes it as JSON in the marker's
 * `data` detail. Patch markers are not steps: a marker is an event, not a task, and the
 * TemporalChangeVersion upsert that comes with a patch is an upsert step of its own.
 */
function localActivityType(m: NonNullable<ShapeEvent['markerRecordedEventAttributes']>): string | undefined {
  if (m.markerName !== 'core_local_activity') return undefined;
  const data = m.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
  return parsed.activity_type;
}

/** The steps of one run of the product, in order, from its history. */
export function stepsOf(events: readonly ShapeEvent[], mainQueue: string): SkeletonStep[] {
  return events.flatMap((e): SkeletonStep[] => {
    if (e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) return ['upsert'];
    if (e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) return ['timer'];
    const marker = e.markerRecordedEventAttributes;
    if (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && marker) {
      const type = localActivityType(marker);
      if (type && !STARTS_A_RUN.has(type))
        throw new Error(`the skeleton has no step for local activity ${type}`);
      return type ? ['local-start-run'] : [];
    }
    const a = e.activityTaskScheduledEventAttributes;
    if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || !a) return [];
    if (STARTS_A_RUN.has(a.activityType?.name ?? '')) return ['start-run'];
    return [a.taskQueue?.name === mainQueue ? 'main-activity' : 'provider-activity'];
  });
}
