import { z } from 'zod';
import { CallbackUrlSchema } from './callbacks';

// The public request contract (shared/CONTRACT.md). Objects are strict: an unknown field is a
// caller's mistake (a typo in "periodEnd" must not silently become an immediate cancellation).

export const providers = ['keliweb', 'payway', 'rebilly', 'billing-care'] as const;
export const ProviderSchema = z.enum(providers);
export type Provider = z.infer<typeof ProviderSchema>;

export const reasonCodes = [
  'too_expensive',
  'unused',
  'missing_features',
  'switched_service',
  'low_quality',
  'customer_service',
  'too_complex',
  'billing_failure',
  'other',
] as const;
export const ReasonCodeSchema = z.enum(reasonCodes);
export type ReasonCode = z.infer<typeof ReasonCodeSchema>;

// Far enough out for any real billing period, near enough to catch a mistyped year.
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const LATEST = Date.parse('2100-01-01T00:00:00Z');
const IsoDateTime = z.iso.datetime({ offset: true }).refine((value) => {
  const ms = Date.parse(value);
  return ms >= EARLIEST && ms < LATEST;
}, 'must be between 2000-01-01 and 2100-01-01');

const brmId = (kind: string) =>
  z
    .string()
    .max(128)
    .regex(new RegExp(`^\\d+\\.\\d+\\.\\d+\\.\\d+ ?\\+-${kind}(-[a-z0-9_]+)*\\+\\d+$`), {
      message: `must be a BRM ${kind} id such as 0.0.0.1+-${kind}+174257`,
    });

const PrintableId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const KeliwebTargetSchema = z.strictObject({
  serviceId: z.number().int().positive().max(2_147_483_647),
});
export const PaywayTargetSchema = z.strictObject({
  accountId: z.string().regex(/^[a-f\d]{24}$/i, 'must be 24 hexadecimal characters'),
  userProductId: PrintableId,
  cancellationReasonId: PrintableId.optional(),
});
export const RebillyTargetSchema = z.strictObject({
  orderId: z
    .string()
    .min(1)
    .max(50)
    .regex(/^[@~\-.\w]+$/, 'must match ^[@~\\-.\\w]+$ (Rebilly id)'),
  prorated: z.boolean().optional(),
});
export const BillingCareTargetSchema = z
  .strictObject({
    accountId: brmId('account'),
    serviceId: brmId('service').optional(),
    dealId: brmId('deal').optional(),
    packageId: z.number().int().min(0).max(2_147_483_647).optional(),
  })
  .refine((t) => t.serviceId !== undefined || t.dealId !== undefined || t.packageId !== undefined, {
    message: 'needs at least one of serviceId, dealId or packageId to say which bundle to cancel',
    path: ['serviceId'],
  });

export const TimingSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('immediate') }),
  z.strictObject({
    mode: z.literal('end-of-billing-period'),
    periodEnd: IsoDateTime.optional(),
    deferTo: z.enum(['orchestrator', 'provider']).default('orchestrator'),
  }),
  z.strictObject({ mode: z.literal('at'), at: IsoDateTime }),
]);

export const ReasonSchema = z.strictObject({
  code: ReasonCodeSchema.optional(),
  comment: z.string().max(255).optional(),
});

const common = {
  requestId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._:-]+$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -'),
  timing: TimingSchema,
  reason: ReasonSchema.optional(),
  requestedBy: z.enum(['customer', 'merchant', 'system']).default('customer'),
  customerId: PrintableId.optional(),
  /** Where the worker POSTs signed completion events (common/callbacks.ts, docs/callbacks.md). */
  callbackUrl: CallbackUrlSchema.optional(),
};

export const CancellationRequestSchema = z.discriminatedUnion('provider', [
  z.strictObject({ ...common, provider: z.literal('keliweb'), target: KeliwebTargetSchema }),
  z.strictObject({ ...common, provider: z.literal('payway'), target: PaywayTargetSchema }),
  z.strictObject({ ...common, provider: z.literal('rebilly'), target: RebillyTargetSchema }),
  z.strictObject({ ...common, provider: z.literal('billing-care'), target: BillingCareTargetSchema }),
]);

/** What callers send (defaults not yet applied). */
export type CancellationRequestInput = z.input<typeof CancellationRequestSchema>;
/** What the system works with (defaults applied). */
export type CancellationRequest = z.output<typeof CancellationRequestSchema>;
export type Timing = CancellationRequest['timing'];
export type TargetOf<P extends Provider> = Extract<CancellationRequest, { provider: P }>['target'];

/** Arguments of the reschedule update; `at` is also checked against the clock (common/timing.ts). */
export const RescheduleSchema = z.strictObject({ at: IsoDateTime });

/** Arguments of the withdraw update. The reason is kept in the workflow log and the status. */
export const WithdrawSchema = z.strictObject({ reason: z.string().max(255).optional() });
export type WithdrawArgs = z.input<typeof WithdrawSchema>;

/**
 * Options of a run, beside the request (the workflow's optional second argument): how the
 * orchestrator itself behaves, not what the caller asks of the provider.
 */
export const RunOptionsSchema = z.strictObject({
  /** Time given to the provider's automation after the effective date before verifying (seconds). */
  verificationGraceSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .optional(),
});
export type RunOptions = z.input<typeof RunOptionsSchema>;
