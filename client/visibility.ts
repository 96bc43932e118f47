import { type Client } from '@temporalio/client';
import { type Provider } from '../common/request';
import {
  SA_CONFIRMATION,
  SA_CUSTOMER_ID,
  SA_PROVIDER,
  SA_REQUEST_ID,
  SA_SCHEDULED_FOR,
  SA_STAGE,
  SA_VERIFICATION,
  type Stage,
} from '../common/search-attributes';
import { type VerificationStatus } from '../common/result';
import { VERIFICATION_WORKFLOW_TYPE, WORKFLOW_TYPE } from '../workflows/definitions';

export interface ListFilter {
  stage?: Stage;
  provider?: Provider;
  /** The keyed hash of the customer id (search attributes are plaintext). */
  hashedCustomerId?: string;
  /** Lists verification runs in this state instead of cancellations. */
  verification?: VerificationStatus;
  limit?: number;
}

export interface ListedCancellation {
  workflowId: string;
  runId: string;
  provider?: string;
  stage?: string;
  requestId?: string;
  scheduledFor?: string;
  confirmation?: string;
  verification?: string;
  /** With a verification filter: the run that carries out the verification. */
  verificationWorkflowId?: string;
  status: string;
  startTime: string;
}

// Values come from closed enums or our own hashes; quotes are still refused, not escaped.
const is = (key: { name: string }, value: string) => `${key.name} = '${value.replace(/'/g, '')}'`;

/** The visibility query for a filter, in Temporal's SQL-like list filter syntax. */
export function listQuery(filter: ListFilter): string {
  const type = filter.verification ? VERIFICATION_WORKFLOW_TYPE : WORKFLOW_TYPE;
  return [
    `WorkflowType = '${type}'`,
    filter.hashedCustomerId !== undefined && is(SA_CUSTOMER_ID, filter.hashedCustomerId),
    filter.stage && is(SA_STAGE, filter.stage),
    filter.provider && is(SA_PROVIDER, filter.provider),
    filter.verification && is(SA_VERIFICATION, filter.verification),
  ]
    .filter(Boolean)
    .join(' AND ');
}

/** The cancellation run a verification run belongs to (workflows/cancellation.ts names it). */
export function cancellationOf(verificationWorkflowId: string): string {
  return verificationWorkflowId.replace(/\/verification\/[^/]+$/, '');
}

export async function listCancellations(client: Client, filter: ListFilter): Promise<ListedCancellation[]> {
  const out: ListedCancellation[] = [];
  for await (const wf of client.workflow.list({ query: listQuery(filter) })) {
    const sa = wf.typedSearchAttributes;
    const scheduledFor = sa.get(SA_SCHEDULED_FOR);
    const verifying = wf.type === VERIFICATION_WORKFLOW_TYPE;
    out.push({
      workflowId: verifying ? cancellationOf(wf.workflowId) : wf.workflowId,
      runId: wf.runId,
      status: wf.status.name,
      startTime: wf.startTime.toISOString(),
      ...optional('provider', sa.get(SA_PROVIDER)),
      ...optional('stage', sa.get(SA_STAGE)),
      ...optional('requestId', sa.get(SA_REQUEST_ID)),
      ...optional('confirmation', sa.get(SA_CONFIRMATION)),
      ...optional('verification', sa.get(SA_VERIFICATION)),
      ...(verifying && { verificationWorkflowId: wf.workflowId }),
      ...(scheduledFor && { scheduledFor: scheduledFor.toISOString() }),
    });
    if (out.length >= (filter.limit ?? 100)) break;
  }
  return out;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
