export const DEFAULT_TASK_QUEUE = 'cancellations';
