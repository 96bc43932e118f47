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
}

/** The steps of one run of the product, in order, from its history. */
export function stepsOf(events: readonly ShapeEvent[], mainQueue: string): SkeletonStep[] {
  return events.flatMap((e): SkeletonStep[] => {
    if (e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) return ['upsert'];
    if (e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) return ['timer'];
    const a = e.activityTaskScheduledEventAttributes;
    if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || !a) return [];
    if (STARTS_A_RUN.has(a.activityType?.name ?? '')) return ['start-run'];
    return [a.taskQueue?.name === mainQueue ? 'main-activity' : 'provider-activity'];
  });
}
