// What the Keliweb simulator keeps, and the two shapes its lists are sent in. Split from
// simulators/keliweb.ts so that the API behaviour reads on its own.

import { zonedDate } from '../common/zoned-dates';

export type KeliwebServiceStatus =
  'Pending' | 'Active' | 'Completed' | 'Suspended' | 'Terminated' | 'Cancelled' | 'Fraud';
export type KeliwebCancelType = 'Immediate' | 'End of Billing Period';
export const CANCEL_TYPES: readonly KeliwebCancelType[] = ['Immediate', 'End of Billing Period'];

export interface KeliwebService {
  id: number;
  userid: number;
  name: string;
  domain: string;
  status: KeliwebServiceStatus;
  billingcycle: string;
  /** YYYY-MM-DD in Rome, or `0000-00-00` for services without one (free, one-time). */
  nextduedate: string;
  regdate: string;
  recurringamount: string;
  paymentmethod: string;
}
export interface KeliwebAddonRecord {
  id: number;
  userid: number;
  orderid: number;
  serviceid: number;
  addonid: number;
  name: string;
  setupfee: string;
  recurring: string;
  billingcycle: string;
  tax: string;
  status: string;
  regdate: string;
  nextduedate: string;
  nextinvoicedate: string;
  paymentmethod: string;
  notes: string;
}
export interface KeliwebCancelRequest {
  serviceid: number;
  type: KeliwebCancelType;
  reason: string;
  /** The day it was recorded, YYYY-MM-DD in Rome. */
  date: string;
}

/**
 * `flattened`: the PHP-array keys the Keliweb documents print (`addons[addon][0][status]`, every
 * value a string). `nested`: the JSON WHMCS itself answers (`addons: {addon: [...]}`, ids and counts
 * as numbers). PROVIDERS.md says either may arrive.
 * ASSUMPTION: nested answers carry ids and counts as JSON numbers, as WHMCS's own JSON does.
 */
export type KeliwebListShape = 'flattened' | 'nested';

/** A list answer's body: the counts and the items, in the chosen shape. */
export function renderList(
  shape: KeliwebListShape,
  list: string,
  item: string,
  rows: object[],
  counts: Record<string, number>,
): Record<string, unknown> {
  if (shape === 'nested') return { ...counts, [list]: { [item]: rows } };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(counts)) out[k] = String(v);
  rows.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) out[`${list}[${item}][${i}][${k}]`] = String(v);
  });
  return out;
}

/**
 * The calendar day in Rome at an instant, YYYY-MM-DD: Keliweb's dates are local.
 * ASSUMPTION: the provider's time zone is Europe/Rome (an Italian host; its documents name none).
 */
export function romeDate(at: Date): string {
  return zonedDate(at, 'Europe/Rome');
}
