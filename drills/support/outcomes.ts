import { OUTCOME_UNKNOWN } from '../../common/errors';
import { type CancellationResult } from '../../common/result';
import { type Seeded } from '../../harness/targets';

/** `completed`, or the failure's type (`failed` when it has none). */
export function outcomeOf(r: CancellationResult): string {
  return isCompleted(r) ? 'completed' : (r.error?.type ?? r.status);
}

/** Results against expectations: the counts a drill reports and the targets that differ. */
export function judgeOutcomes(
  results: readonly CancellationResult[],
  seeded: readonly Seeded[],
  expected: readonly string[],
) {
  const got = results.map(outcomeOf);
  const unexpected = seeded.flatMap((s, i) =>
    got[i] === expected[i]
      ? []
      : [
          `${s.key} (${s.provider}): expected ${expected[i]}, got ${got[i]} ${results[i]!.error?.message ?? ''}`.trim(),
        ],
  );
  return {
    counts: {
      completed: got.filter((g) => g === 'completed').length,
      outcomeUnknown: got.filter((g) => g === OUTCOME_UNKNOWN).length,
      unexpectedOutcomes: unexpected.length,
    },
    unexpected,
  };
}

/** How many results reached each confirmation level, by provider (`rebilly effective: 125`). */
export function levelsOf(
  results: readonly CancellationResult[],
  seeded: readonly Seeded[],
): Record<string, number> {
  const levels: Record<string, number> = {};
  results.forEach((r, i) => {
    const key = `${seeded[i]!.provider} ${r.confirmation?.level ?? r.status}`;
    levels[key] = (levels[key] ?? 0) + 1;
  });
  return levels;
}

/** A completed cancellation carries the level the provider showed; anything else is not done. */
export const isCompleted = (r: CancellationResult) =>
  r.status === 'completed' && r.confirmation !== undefined;

/** A result that could not be read is reported as a failed one, so that it is counted. */
export function resultOrError(
  workflowId: string,
  read: Promise<CancellationResult>,
): Promise<CancellationResult> {
  return read.catch(
    (err: unknown) =>
      ({
        requestId: '',
        workflowId,
        status: 'failed',
        requestedAt: '',
        attempts: 0,
        error: { type: 'ResultUnreadable', message: String(err) },
      }) satisfies CancellationResult,
  );
}
