// Keliweb's wire format (shared/seeds/000, 001, shared/PROVIDERS.md): WHMCS answers behind a Laravel
// front. Kept apart from the activities so that the parsing can be read and tested on its own.
import { z } from 'zod';
import { type ReasonCode } from '../../common/request';
import { zonedMidnight } from '../../common/zoned-dates';

export const KELIWEB_TYPES = { now: 'Immediate', 'end-of-period': 'End of Billing Period' } as const;
export const SERVICE_NOT_FOUND = 'Service ID Not Found';
export const EXISTING_CANCEL_REQUEST = 'Existing Cancellation Request Exists';

export const KeliwebStatusSchema = z.enum([
  'Pending',
  'Active',
  'Completed',
  'Suspended',
  'Terminated',
  'Cancelled',
  'Fraud',
]);

// The documented (flattened) answers send every scalar as a string.
// ASSUMPTION: the nested JSON shape may send ids and counts as numbers, as WHMCS's JSON does.
const Str = z.union([z.string(), z.number()]).transform(String);
// Fields in the order of the documented answer (shared/seeds/001), so the two read side by side.
export const KeliwebAddonSchema = z.looseObject({
  id: Str,
  userid: Str.optional(),
  serviceid: Str,
  addonid: Str.optional(),
  name: z.string(),
  billingcycle: z.string().optional(),
  status: z.string(),
  nextduedate: z.string().optional(),
});
export type KeliwebAddon = z.output<typeof KeliwebAddonSchema>;

export const KeliwebProductSchema = z.looseObject({
  id: Str,
  status: KeliwebStatusSchema,
  nextduedate: z.string(),
  billingcycle: z.string(),
  clientid: Str.optional(),
  name: z.string().optional(),
});
export type KeliwebProduct = z.output<typeof KeliwebProductSchema>;

const Count = z.union([z.string().regex(/^\d+$/), z.number().int().min(0)]).transform(Number);
export const EnvelopeSchema = z.looseObject({
  result: z.enum(['success', 'error']),
  message: z.string().optional(),
});
// totalresults is documented for both lists; numreturned for get-clients-products (a page of it).
export const ListEnvelopeSchema = EnvelopeSchema.extend({
  totalresults: Count.optional(),
  numreturned: Count.optional(),
});
export const CancelAnswerSchema = EnvelopeSchema.extend({
  serviceid: Str.optional(),
  userid: Str.optional(),
});

// Laravel's error bodies: `{message}` from the framework, `{error, error_description}` from
// Passport, `{message, errors: {field: [..]}}` from validation.
export const LaravelErrorSchema = z.looseObject({
  message: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
export const TokenSchema = z.looseObject({
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
});

/**
 * Keliweb (like WHMCS behind it) flattens lists into PHP form-style keys such as
 * `addons[addon][0][status]`. Collects them back into one object per index, in index order.
 */
export function unflattenList(
  body: Record<string, unknown>,
  list: string,
  item: string,
): Record<string, unknown>[] {
  const prefix = `${list}[${item}][`;
  const byIndex = new Map<number, Record<string, unknown>>();
  for (const [key, value] of Object.entries(body)) {
    if (!key.startsWith(prefix)) continue;
    const m = /^(\d+)\]\[([^\]]+)\]$/.exec(key.slice(prefix.length));
    if (!m) continue;
    const index = Number(m[1]);
    const entry = byIndex.get(index) ?? {};
    entry[m[2] as string] = value;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

type Parsed<T> = { ok: true; items: T[] } | { ok: false; problem: string };

function validateAll<S extends z.ZodType>(
  rows: unknown[],
  schema: S,
  where: (i: number, field: string) => string,
): Parsed<z.output<S>> {
  const items: z.output<S>[] = [];
  for (const [i, raw] of rows.entries()) {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, problem: `${where(i, issue?.path.join('.') ?? '')}: ${issue?.message}` };
    }
    items.push(parsed.data);
  }
  return { ok: true, items };
}

/** Unflattens and validates a list; the issue path names the flattened key, as the provider sent it. */
export function parseFlattenedList<S extends z.ZodType>(
  body: Record<string, unknown>,
  list: string,
  item: string,
  schema: S,
): Parsed<z.output<S>> {
  return validateAll(unflattenList(body, list, item), schema, (i, f) => `${list}[${item}][${i}][${f}]`);
}

/**
 * The nested WHMCS shape, `{list: {item: [...]}}`. PHP's json_encode writes an array whose keys are
 * not 0..n-1 as an object, so an object of index keys is read as the same list.
 * ASSUMPTION: an empty list may arrive as `""`, `{}` or without the list key (WHMCS varies);
 * the count check below is what tells an empty list from a missing one.
 */
function nestedRows(value: unknown, item: string): unknown[] | string {
  if (value === undefined || value === '' || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return 'is not an object';
  const rows = (value as Record<string, unknown>)[item];
  if (rows === undefined) return [];
  if (Array.isArray(rows)) return rows;
  if (rows && typeof rows === 'object' && Object.keys(rows).every((k) => /^\d+$/.test(k)))
    return Object.entries(rows)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, row]) => row);
  return `${item} is not a list`;
}

/**
 * Reads a list in either shape Keliweb may send (the documented flattened keys, or WHMCS's nested
 * JSON) and checks it against the answer's own counts: a list that does not add up is a broken
 * answer, never an empty one.
 * ASSUMPTION: as in WHMCS, `numreturned` counts this page and `totalresults` every match, so
 * `numreturned` must equal the items and `totalresults` may exceed it; where no `numreturned` is
 * sent (get-clients-addons, which has no paging), `totalresults` must equal the items.
 */
export function parseKeliwebList<S extends z.ZodType>(
  body: z.output<typeof ListEnvelopeSchema>,
  list: string,
  item: string,
  schema: S,
): Parsed<z.output<S>> {
  const flatRows = unflattenList(body, list, item);
  const nested = nestedRows(body[list], item);
  if (typeof nested === 'string') return { ok: false, problem: `${list}: ${nested}` };
  if (flatRows.length > 0 && (nested.length > 0 || body[list] !== undefined))
    return { ok: false, problem: `${list} sent both flattened and nested` };
  const parsed =
    flatRows.length > 0
      ? parseFlattenedList(body, list, item, schema)
      : validateAll(nested, schema, (i, f) => `${list}.${item}[${i}].${f}`);
  if (!parsed.ok) return parsed;

  const n = parsed.items.length;
  const { totalresults, numreturned } = body;
  if (totalresults === undefined) return { ok: false, problem: `totalresults missing (${n} ${list} sent)` };
  if (numreturned !== undefined && numreturned !== n)
    return { ok: false, problem: `numreturned ${numreturned} but ${n} ${list} sent` };
  if (numreturned === undefined ? totalresults !== n : totalresults < n)
    return { ok: false, problem: `totalresults ${totalresults} but ${n} ${list} sent` };
  return parsed;
}

/**
 * A Keliweb date (`YYYY-MM-DD`, e.g. `nextduedate`) as the UTC instant its day begins in Rome;
 * undefined for WHMCS's `0000-00-00` ("no due date") and impossible dates.
 * ASSUMPTION: Keliweb's dates are local dates in Europe/Rome (an Italian host; no zone documented).
 * ASSUMPTION: a due date takes effect from the start of that local day; the provider's nightly run
 * that carries it out happens during that day at a time it does not document.
 */
/** ASSUMPTION: Keliweb's dates are local dates in Italy. */
export const KELIWEB_TIME_ZONE = 'Europe/Rome';

export function keliwebDateToIso(date: string | undefined): string | undefined {
  return date ? zonedMidnight(date, KELIWEB_TIME_ZONE)?.toISOString() : undefined;
}

/**
 * Keliweb's reason is free text (a WHMCS text column, no documented limit): kept whole, with our
 * code machine-findable and who asked and which request always recorded (shared/CONTRACT.md).
 */
export function keliwebReason(cmd: {
  reasonCode?: ReasonCode;
  comment?: string;
  requestedBy: string;
  requestId: string;
}): string {
  return [
    cmd.reasonCode && `[${cmd.reasonCode}]`,
    cmd.comment?.trim(),
    `(requested by ${cmd.requestedBy}; request ${cmd.requestId})`,
  ]
    .filter(Boolean)
    .join(' ');
}

export function summarizeAddons(addons: KeliwebAddon[]): string {
  const text = addons.map((a) => `${a.name} (${a.status})`).join(', ') || 'none';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
