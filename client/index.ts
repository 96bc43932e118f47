export { CancellationClient, type RequestAccepted, type ListedCancellation } from './cancellation-client';
export * from './errors';
export {
  CancellationRequestSchema,
  type CancellationRequestInput,
  type CancellationRequest,
} from '../common/request';
export { type CancellationResult, type CancellationStatus } from '../common/result';
export { WORKFLOW_TYPE } from '../workflows/definitions';
export { DEFAULT_TASK_QUEUE } from '../common/task-queue';
