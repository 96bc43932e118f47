import { type Client } from '@temporalio/client';
import { z } from 'zod';
import {
  BillingCareTargetSchema,
  KeliwebTargetSchema,
  PaywayTargetSchema,
  RebillyTargetSchema,
  type Provider,
} from '../common/request';
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
import { issuesOf, orThrow } from '../common/validation';
import { workflowIdFor, type ProviderTarget } from '../common/workflow-id';
import { VERIFICATION_WORKFLOW_TYPE, WORKFLOW_TYPE } from '../workflows/definitions';

export interface ListFilter {
  stage?: Stage;
  provider?: Provider;
  /** The keyed hash of the customer id (search attributes are plaintext). */
  hashedCustomerId?: string;
  /** Lists verification runs in this state instead of cancellations. */
  verification?: VerificationStatus;
  /** Only the runs of these workflow ids (every run of each) and, unless `verification` says
   *  otherwise, their verification runs too (see subscriptionWorkflowIds). */
  workflowIds?: string[];
  limit?: number;
}

export interface ListedCancellation {
  /** The cancellation's workflow id, also for a verification run (see verificationWorkflowId). */
  workflowId: string;
  runId: string;
  kind: 'cancellation' | 'verification';
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
  const ids = filter.workflowIds?.map((id) => id.replace(/'/g, ''));
  const type = filter.verification
    ? `WorkflowType = '${VERIFICATION_WORKFLOW_TYPE}'`
    : ids
      ? `WorkflowType IN ('${WORKFLOW_TYPE}', '${VERIFICATION_WORKFLOW_TYPE}')`
      : `WorkflowType = '${WORKFLOW_TYPE}'`;
  return [
    type,
    ids &&
      `(${ids.flatMap((id) => [`WorkflowId = '${id}'`, `WorkflowId STARTS_WITH '${id}/verification/'`]).join(' OR ')})`,
    filter.hashedCustomerId !== undefined && is(SA_CUSTOMER_ID, filter.hashedCustomerId),
    filter.stage && is(SA_STAGE, filter.stage),
    filter.provider && is(SA_PROVIDER, filter.provider),
    filter.verification && is(SA_VERIFICATION, filter.verification),
  ]
    .filter(Boolean)
    .join(' AND ');
}

const targetSchemas = {
  keliweb: KeliwebTargetSchema,
  payway: PaywayTargetSchema,
  rebilly: RebillyTargetSchema,
  'billing-care': BillingCareTargetSchema,
} as const satisfies Record<Provider, z.ZodType>;

/**
 * A target as an operator gives it, checked by the request's own target schema; throws
 * InvalidRequestError naming the field (`target.orderId`).
 */
export function parseTarget(provider: Provider, target: unknown): ProviderTarget {
  const parsed = z.strictObject({ target: targetSchemas[provider] }).safeParse({ target });
  const checked = parsed.success
    ? { ok: true as const, value: parsed.data.target }
    : { ok: false as const, issues: issuesOf(parsed.error) };
  // The schema was picked by `provider`, so the pair is one member of the union.
  return { provider, target: orThrow(checked) } as ProviderTarget;
}

/**
 * The workflow ids a subscription's cancellations run under: the keyed hash of provider and target
 * (common/workflow-id.ts). Billing Care keys a bundle by the first of dealId, serviceId and
 * packageId that the request named, so each one given here is tried on its own.
 */
export function subscriptionWorkflowIds(t: ProviderTarget, pseudonym: (key: string) => string): string[] {
  if (t.provider !== 'billing-care') return [workflowIdFor(t, pseudonym)];
  const { accountId, dealId, serviceId, packageId } = t.target;
  const bundles = [
    dealId !== undefined && { accountId, dealId },
    serviceId !== undefined && { accountId, serviceId },
    packageId !== undefined && { accountId, packageId },
  ].filter((b) => b !== false);
  return [
    ...new Set(bundles.map((target) => workflowIdFor({ provider: 'billing-care', target }, pseudonym))),
  ];
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
      kind: verifying ? 'verification' : 'cancellation',
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
