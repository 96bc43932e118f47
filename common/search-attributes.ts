import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Typed search attributes that make a run findable in the Web UI and by `cancellations list`.
// Registered on the dev server by the project (tests, npm start, `cancellations setup`).
export const SA_PROVIDER = defineSearchAttributeKey('CancellationProvider', SearchAttributeType.KEYWORD);
export const SA_STAGE = defineSearchAttributeKey('CancellationStage', SearchAttributeType.KEYWORD);
export const SA_CUSTOMER_ID = defineSearchAttributeKey('CancellationCustomerId', SearchAttributeType.KEYWORD);
export const SA_SCHEDULED_FOR = defineSearchAttributeKey(
  'CancellationScheduledFor',
  SearchAttributeType.DATETIME,
);
export const SA_REQUEST_ID = defineSearchAttributeKey('CancellationRequestId', SearchAttributeType.KEYWORD);

/** How much the provider showed: accepted, scheduled or effective (set when the run completes). */
export const SA_CONFIRMATION = defineSearchAttributeKey(
  'CancellationConfirmation',
  SearchAttributeType.KEYWORD,
);
/** pending, verified or not-applied; on the verification run (workflows/verification.ts). */
export const SA_VERIFICATION = defineSearchAttributeKey(
  'CancellationVerification',
  SearchAttributeType.KEYWORD,
);

export const ALL_SEARCH_ATTRIBUTES = [
  SA_PROVIDER,
  SA_STAGE,
  SA_CUSTOMER_ID,
  SA_SCHEDULED_FOR,
  SA_REQUEST_ID,
  SA_CONFIRMATION,
  SA_VERIFICATION,
];

export const verificationStatuses = ['pending', 'verified', 'not-applied'] as const;

export const stages = ['scheduled', 'submitting', 'confirming', 'completed', 'withdrawn', 'failed'] as const;
export type Stage = (typeof stages)[number];
