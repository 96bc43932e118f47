import { z } from 'zod';
import { type SimResponse } from './framework';

// What Rebilly's PUT order-cancellations accepts (shared/seeds/003) and how it refuses the rest:
// RFC 7807 problems, with one invalidField per problem on a 422.

export interface InvalidField {
  field: string;
  message: string;
}

const ID = /^[@~\-.\w]+$/;
const BLANK = 'This value should not be blank.';
const DateTime = z.iso.datetime({ offset: true });
const LineItem = z.strictObject({
  type: z.string(),
  unitPriceAmount: z.number(),
  unitPriceCurrency: z.string().length(3),
  quantity: z.number().int(),
  description: z.string().optional(),
  periodStartTime: DateTime.optional(),
  periodEndTime: DateTime.optional(),
  createdTime: z.unknown().optional(),
  updatedTime: z.unknown().optional(),
});
// ASSUMPTION: Rebilly refuses body fields it does not document (422, like any other invalid
// field) and ignores the documented read-only ones (id, times, invoice ids, _links, subtotal).
export const PutBody = z.strictObject({
  orderId: z.string({ error: BLANK }).min(1, BLANK),
  churnTimePolicy: z.enum(['now', 'at-next-renewal']).nullish(),
  churnTime: DateTime.nullish(),
  canceledBy: z.enum(['merchant', 'customer', 'rebilly']).default('customer'),
  reason: z
    .enum([
      'did-not-use',
      'did-not-want',
      'missing-features',
      'bugs-or-problems',
      'do-not-remember',
      'risk-warning',
      'contract-expired',
      'too-expensive',
      'other',
      'billing-failure',
    ])
    .default('other'),
  // `completed` is read-only: set by Rebilly when churnTime passes.
  status: z.enum(['draft', 'confirmed', 'revoked']).default('confirmed'),
  prorated: z.boolean().default(false),
  description: z.string().max(255).nullish(),
  lineItems: z.array(LineItem).optional(),
  id: z.unknown().optional(),
  canceledTime: z.unknown().optional(),
  proratedInvoiceId: z.unknown().optional(),
  appliedInvoiceId: z.unknown().optional(),
  createdTime: z.unknown().optional(),
  updatedTime: z.unknown().optional(),
  _links: z.unknown().optional(),
  lineItemSubtotal: z.unknown().optional(),
});

export function rebillyProblem(
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
  extra = {},
) {
  return {
    status,
    contentType: 'application/problem+json',
    headers,
    body: {
      type: `https://api.rebilly.com/errors/${status}`,
      title,
      status,
      detail,
      instance: '',
      ...extra,
    },
  } satisfies SimResponse;
}

/** Every problem in the request, one invalidField each (unknown fields named one by one). */
export function invalidFieldsOf(id: string, body: unknown): InvalidField[] {
  const fields: InvalidField[] = [];
  if (id.length > 50 || !ID.test(id)) fields.push({ field: 'id', message: 'This value is not valid.' });
  // ASSUMPTION: a body that is not a JSON object is a 422 on `body` (the docs list no 400).
  const parsed = PutBody.safeParse(body);
  for (const issue of parsed.error?.issues ?? []) {
    if (issue.code === 'unrecognized_keys')
      issue.keys.forEach((k) => fields.push({ field: k, message: 'This field is not allowed.' }));
    else {
      const [field, ...inner] = issue.path.map(String);
      const where = inner.length ? `${inner.join('.')}: ` : '';
      fields.push({ field: field ?? 'body', message: `${where}${issue.message}` });
    }
  }
  return fields;
}
