import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities, AttemptedReceipt } from '../activities';
import type { Confirmation, ConfirmQuery, PeriodEnd, SubmitCommand } from '../activities/providers/types';
import type { Provider, TargetOf } from '../common/request';

const PREFIX = {
  keliweb: 'keliweb',
  payway: 'payway',
  rebilly: 'rebilly',
  'billing-care': 'billingCare',
} as const satisfies Record<Provider, string>;

type Prefix = (typeof PREFIX)[Provider];
// Compile-time check that every provider registers all three activities under these names.
type _AllRegistered = [
  `${Prefix}SubmitCancellation`,
  `${Prefix}ConfirmCancellation`,
  `${Prefix}ReadPeriodEnd`,
] extends [keyof Activities, keyof Activities, keyof Activities]
  ? true
  : never;
export const allProvidersRegistered: _AllRegistered = true;

type AnyActivity = (...args: unknown[]) => Promise<unknown>;

/** The three activities of one provider, proxied with the given options and a summary for the UI. */
export function providerActivities<P extends Provider>(provider: P, options: ActivityOptions) {
  const acts = proxyActivities<Record<string, AnyActivity>>(options);
  const prefix = PREFIX[provider];
  return {
    submit: acts[`${prefix}SubmitCancellation`] as unknown as (
      cmd: SubmitCommand<P>,
    ) => Promise<AttemptedReceipt>,
    confirm: acts[`${prefix}ConfirmCancellation`] as unknown as (q: ConfirmQuery<P>) => Promise<Confirmation>,
    readPeriodEnd: acts[`${prefix}ReadPeriodEnd`] as unknown as (t: TargetOf<P>) => Promise<PeriodEnd>,
  };
}
