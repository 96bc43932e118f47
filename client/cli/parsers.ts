import { InvalidArgumentError } from 'commander';

/** Option values that must be whole numbers from 1 up (--limit, --concurrency). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}
