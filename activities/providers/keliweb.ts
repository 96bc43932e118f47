import { ApplicationFailure } from '@temporalio/common';
import { type ActivityDeps } from '../deps';
import { failureFromHttp, notFound, notYetConfirmed, periodEndUnknown } from '../http/failures';
import { activitySignal } from './activity-context';
import { createKeliwebClient, PROVIDER } from './keliweb-http';
import {
  CancelAnswerSchema,
  EXISTING_CANCEL_REQUEST,
  KELIWEB_TYPES,
  KeliwebAddonSchema,
  keliwebDateToIso,
  KeliwebProductSchema,
  keliwebReason,
  SERVICE_NOT_FOUND,
  summarizeAddons,
  type KeliwebProduct,
} from './keliweb-wire';
import { acknowledgedReceipt } from './receipts';
import {
  type Confirmation,
  type ConfirmQuery,
  type LevelEvidence,
  type ProviderActivities,
  type ProviderReference,
} from './types';

// The wire helpers live in keliweb-wire.ts; these are re-exported for importers of this module.
export {
  EXISTING_CANCEL_REQUEST,
  KELIWEB_TYPES,
  keliwebDateToIso,
  keliwebReason,
  SERVICE_NOT_FOUND,
} from './keliweb-wire';

export const KELIWEB_LEVELS: LevelEvidence = {
  accepted:
    'add-cancel-request answered `success`, or `Existing Cancellation Request Exists` (a request exists ' +
    'for the service). Keliweb documents no read of cancel requests, so while get-clients-products ' +
    "still shows the service Active the write's answer is all there is; effectiveAt is the service's " +
    'nextduedate for an End of Billing Period request we made, none otherwise.',
  effective:
    'get-clients-products shows the service Cancelled or Terminated (the nightly run carried it out).',
  verification:
    'get-clients-products: Cancelled or Terminated is verified; any other status is not-applied, with that status.',
};

/**
 * The statuses in which the provider shows the service ended.
 * ASSUMPTION: Terminated ends a service as surely as Cancelled (the nightly run sets Cancelled in
 * WHMCS; an administrator's termination also ends it); every other status leaves it running.
 */
const ENDED: ReadonlySet<KeliwebProduct['status']> = new Set(['Cancelled', 'Terminated']);
/** What a receipt says of a request Keliweb already held: it shows that one exists, nothing more. */
const TYPE_OF_EXISTING = 'unknown (a request already existed)';

/** Our own End of Billing Period request, acknowledged: the only one whose date nextduedate gives. */
function isOwnEndOfPeriod(q: ConfirmQuery<'keliweb'>): boolean {
  const r = q.receipt;
  return (
    q.effect === 'end-of-period' &&
    r.acknowledged &&
    !r.alreadyExisted &&
    r.providerReference.type === KELIWEB_TYPES['end-of-period']
  );
}

/** A failed informational read, told briefly for the receipt (failure messages carry no secrets). */
function describeFailure(f: ApplicationFailure): string {
  const status = (f.details?.[0] as { status?: number } | undefined)?.status;
  return `${f.type ?? 'failure'}${status !== undefined ? ` (HTTP ${status})` : ''}: ${f.message}`;
}

export function createKeliwebActivities(deps: ActivityDeps): ProviderActivities<'keliweb'> {
  const { clock } = deps;
  // One client per factory call: the worker builds the activities once, so all executions share
  // its token cache.
  const { tokens, call, list } = createKeliwebClient(deps);

  const getService = async (serviceId: number): Promise<KeliwebProduct> => {
    const method = 'get-clients-products';
    const { res, items } = await list(
      method,
      { serviceid: String(serviceId) },
      'products',
      'product',
      KeliwebProductSchema,
    );
    const product = items.find((p) => p.id === String(serviceId));
    if (!product) {
      throw notFound({
        provider: PROVIDER,
        operation: method,
        status: res.statusCode,
        message: SERVICE_NOT_FOUND,
        field: 'serviceid',
      });
    }
    return product;
  };

  /**
   * The service's addons, for the record only: a failed read is reported as unknown and never
   * keeps the cancel request from going out.
   */
  const readAddons = async (serviceId: number): Promise<ProviderReference> => {
    try {
      const { items } = await list(
        'get-clients-addons',
        { serviceid: String(serviceId) },
        'addons',
        'addon',
        KeliwebAddonSchema,
      );
      return { addons: summarizeAddons(items), addonCount: items.length };
    } catch (err) {
      // A cancelled activity stops here rather than writing after it was told to stop.
      if (!(err instanceof ApplicationFailure) || activitySignal()?.aborted) throw err;
      return { addons: 'unknown', addonsError: describeFailure(err) };
    }
  };

  /** Posts add-cancel-request; `existed` when Keliweb already holds one for the service. */
  const addCancelRequest = async (serviceId: number, effect: 'now' | 'end-of-period', reason: string) => {
    const method = 'add-cancel-request';
    const { res, data } = await call(
      method,
      { serviceid: String(serviceId), type: KELIWEB_TYPES[effect], reason },
      CancelAnswerSchema,
    );
    if (data.result === 'success') return { existed: false, serviceId: data.serviceid, userId: data.userid };
    const message = data.message ?? 'result: error';
    if (message === EXISTING_CANCEL_REQUEST)
      return { existed: true, serviceId: undefined, userId: undefined };
    const outcome = {
      provider: PROVIDER,
      operation: method,
      status: res.statusCode,
      message,
      providerCode: message,
    };
    if (message === SERVICE_NOT_FOUND) throw notFound({ ...outcome, field: 'serviceid' });
    throw failureFromHttp(outcome);
  };

  return {
    async submitCancellation(cmd) {
      const { serviceId } = cmd.target;
      // A token failure dooms the cancel request too: let it fail the activity before any read.
      await tokens.get();
      const addons = await readAddons(serviceId);
      const answer = await addCancelRequest(serviceId, cmd.effect, keliwebReason(cmd));
      // `Existing Cancellation Request Exists` shows that a request exists for the service: ours
      // after a lost response, or one made elsewhere. Its type is not in the answer, so not claimed.
      const request: ProviderReference = answer.existed
        ? { serviceId: String(serviceId), type: TYPE_OF_EXISTING }
        : {
            serviceId: answer.serviceId ?? String(serviceId),
            ...(answer.userId !== undefined && { userId: answer.userId }),
            type: KELIWEB_TYPES[cmd.effect],
          };
      // Both answers are the provider's own word that a cancel request is recorded.
      return acknowledgedReceipt(clock(), { ...request, ...addons }, answer.existed);
    },

    async confirmCancellation(q): Promise<Confirmation> {
      // Keliweb documents no read of cancel requests: the service's status is all a read shows.
      const service = await getService(q.target.serviceId);
      const observedAt = clock().toISOString();
      const providerReference = {
        serviceId: service.id,
        status: service.status,
        nextduedate: service.nextduedate,
      };
      if (ENDED.has(service.status))
        return {
          level: 'effective',
          observedAt,
          providerState: `service ${service.status}`,
          providerReference,
        };
      if (!q.receipt.acknowledged) {
        throw notYetConfirmed(
          PROVIDER,
          `service ${service.id} is ${service.status} and no answer to add-cancel-request was seen`,
        );
      }
      // PROVIDERS.md: an End of Billing Period request is carried out at the service's nextduedate.
      const effectiveAt = isOwnEndOfPeriod(q) ? keliwebDateToIso(service.nextduedate) : undefined;
      const recorded = q.receipt.alreadyExisted
        ? 'a cancel request already existed'
        : 'cancel request recorded';
      return {
        level: 'accepted',
        observedAt,
        providerState: `${recorded}; service still ${service.status}`,
        ...(effectiveAt !== undefined && { effectiveAt }),
        providerReference,
      };
    },

    async verifyCancellation(q) {
      const service = await getService(q.target.serviceId);
      return {
        status: ENDED.has(service.status) ? 'verified' : 'not-applied',
        checkedAt: clock().toISOString(),
        providerState: service.status,
      };
    },

    async readPeriodEnd(target) {
      const service = await getService(target.serviceId);
      const periodEnd = keliwebDateToIso(service.nextduedate);
      if (!periodEnd) {
        throw periodEndUnknown(
          PROVIDER,
          `service ${service.id} has no usable nextduedate (${service.nextduedate || 'empty'}, ${service.billingcycle})`,
        );
      }
      return { periodEnd, source: 'products.nextduedate' };
    },
  };
}
