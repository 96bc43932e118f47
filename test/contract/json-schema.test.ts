import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { cancellationRequestJsonSchema } from '../../common/json-schema';

const committed = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../schema/cancellation-request.schema.json'), 'utf8'),
) as Record<string, unknown>;

describe('the request JSON Schema for other languages', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(committed);

  test('the committed schema is the one the code generates (npm run schema)', () => {
    expect(committed).toEqual(cancellationRequestJsonSchema());
  });

  test.each([
    { requestId: 'r1', provider: 'keliweb', target: { serviceId: 42 }, timing: { mode: 'immediate' } },
    {
      requestId: 'r2',
      provider: 'payway',
      target: { accountId: '585a4768edce2c5e6f000001', userProductId: '50f3ac249f6aef294d000007' },
      timing: { mode: 'end-of-billing-period', deferTo: 'provider' },
      reason: { code: 'unused', comment: 'x' },
    },
    {
      requestId: 'r3',
      provider: 'rebilly',
      target: { orderId: 'ord-1' },
      timing: { mode: 'at', at: '2027-01-01T00:00:00Z' },
    },
    {
      requestId: 'r4',
      provider: 'billing-care',
      target: { accountId: '0.0.0.1+-account+174257', dealId: '0.0.0.1+-deal+41056', packageId: 1 },
      timing: { mode: 'immediate' },
      requestedBy: 'system',
    },
  ])('accepts a valid $provider request', (request) => {
    expect(validate(request)).toBe(true);
  });

  test.each([
    [
      { requestId: 'r', provider: 'keliweb', target: { serviceId: -1 }, timing: { mode: 'immediate' } },
      'negative id',
    ],
    [
      {
        requestId: 'r',
        provider: 'payway',
        target: { accountId: 'xyz', userProductId: 'p' },
        timing: { mode: 'immediate' },
      },
      'bad account id',
    ],
    [
      { requestId: 'r', provider: 'rebilly', target: { orderId: 'o' }, timing: { mode: 'soon' } },
      'unknown timing',
    ],
    [
      {
        requestId: 'r',
        provider: 'rebilly',
        target: { orderId: 'o' },
        timing: { mode: 'immediate' },
        extra: 1,
      },
      'unknown field',
    ],
    [{ requestId: 'r', provider: 'stripe', target: {}, timing: { mode: 'immediate' } }, 'unknown provider'],
  ])('rejects %j (%s)', (request: object, _why: string) => {
    expect(validate(request)).toBe(false);
  });
});
