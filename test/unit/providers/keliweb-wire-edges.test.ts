// Edges of Keliweb's wire format that the happy-path answers never show: keys that only look like
// list indices, index keys that JavaScript does not order for us, and a request without a comment.
import {
  KeliwebAddonSchema,
  ListEnvelopeSchema,
  keliwebReason,
  parseKeliwebList,
  unflattenList,
} from '../../../activities/providers/keliweb-wire';

const addon = (i: number) => ({ id: `${i}`, serviceid: '42', name: `Addon ${i}`, status: 'Active' });
const list = (body: Record<string, unknown>) =>
  parseKeliwebList(
    ListEnvelopeSchema.parse({ result: 'success', ...body }),
    'addons',
    'addon',
    KeliwebAddonSchema,
  );

describe('Keliweb list keys that only look like indices', () => {
  test('a flattened key whose index merely ends in digits is not a row', () => {
    expect(
      unflattenList(
        { 'addons[addon][0][id]': '1', 'addons[addon][x1][id]': 'junk', 'addons[addon][-2][id]': 'junk' },
        'addons',
        'addon',
      ),
    ).toEqual([{ id: '1' }]);
  });

  test.each([
    ['ends in digits', 'x1'],
    ['starts with digits', '1x'],
  ])('a nested object with a key that %s is not a list', (_what, key) => {
    expect(list({ totalresults: 2, addons: { addon: { '0': addon(1), [key]: addon(2) } } })).toEqual({
      ok: false,
      problem: 'addons: addon is not a list',
    });
  });

  test('nested index keys with leading zeros are still put in index order', () => {
    // JavaScript enumerates "9" and "10" first (array indices), then "02" (a plain string key):
    // only the numeric sort puts the rows in the provider's order.
    expect(
      list({ totalresults: 3, addons: { addon: { '10': addon(3), '02': addon(1), '9': addon(2) } } }),
    ).toEqual({ ok: true, items: [addon(1), addon(2), addon(3)] });
  });
});

describe('the Keliweb reason', () => {
  test('a request without a comment (it is optional) still records the code and who asked', () => {
    expect(keliwebReason({ reasonCode: 'unused', requestedBy: 'merchant', requestId: 'r-3' })).toBe(
      '[unused] (requested by merchant; request r-3)',
    );
    expect(keliwebReason({ requestedBy: 'system', requestId: 'r-4' })).toBe(
      '(requested by system; request r-4)',
    );
  });
});
