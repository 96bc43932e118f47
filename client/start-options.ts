import { type CancellationRequest } from '../common/request';
import {
  SA_CUSTOMER_ID,
  SA_PROVIDER,
  SA_REQUEST_ID,
  SA_SCHEDULED_FOR,
  SA_STAGE,
} from '../common/search-attributes';
import { scheduledForOf } from '../common/timing';
import { timingLabel } from '../common/timing-label';
import { describeTarget } from '../common/workflow-id';

/**
 * What an operator sees of a run before it has done anything: its search attributes (plaintext,
 * so the customer id only as its keyed hash) and the summary and details shown in the Web UI
 * (encrypted by the payload codec like every other payload).
 */
export function visibleStartOptions(request: CancellationRequest, hashedCustomerId?: string) {
  const scheduledFor = scheduledForOf(request.provider, request.timing);
  const timing = timingLabel(request.timing);
  return {
    typedSearchAttributes: [
      { key: SA_PROVIDER, value: request.provider },
      { key: SA_STAGE, value: 'scheduled' },
      { key: SA_REQUEST_ID, value: request.requestId },
      ...(hashedCustomerId ? [{ key: SA_CUSTOMER_ID, value: hashedCustomerId }] : []),
      ...(scheduledFor ? [{ key: SA_SCHEDULED_FOR, value: new Date(scheduledFor) }] : []),
    ],
    staticSummary: `Cancel ${describeTarget(request)} (${timing})`,
    staticDetails: [
      `- **Request** ${request.requestId}, requested by ${request.requestedBy}`,
      `- **Provider** ${request.provider}`,
      `- **Target** ${describeTarget(request)}`,
      `- **Timing** ${timing}${scheduledFor ? `, submitted at ${scheduledFor}` : ''}`,
      request.reason?.code ? `- **Reason** ${request.reason.code}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
}
