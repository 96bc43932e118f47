import {
  KeliwebAddonSchema,
  ListEnvelopeSchema,
  keliwebDateToIso,
  keliwebReason,
  parseFlattenedList,
  parseKeliwebList,
  summarizeAddons,
  unflattenList,
} from '../../../activities/providers/keliweb-wire';

const addon = (i: number, status = 'Active') => ({ id: `${i}`, serviceid: '42', name: `Addon ${i}`, status });
const envelope = (extra: Record<string, unknown>) =>
  ListEnvelopeSchema.parse({ result: 'success', ...extra });
const list = (body: Record<string, unknown>) =>
  parseKeliwebList(envelope(body), 'addons', 'addon', KeliwebAddonSchema);

describe('unflattenList: PHP form keys back into rows', () => {
  test('collects each index into one object, in index order, ignoring other keys', () => {
    expect(
      unflattenList(
        {
          result: 'success',
          'addons[addon][10][id]': '3',
          'addons[addon][2][id]': '1',
          'addons[addon][2][name]': 'A',
          'addons[addon][9][id]': '2',
          'addons[other][0][id]': 'x',
          'products[addon][0][id]': 'y',
          'addons[addon][x][id]': 'z',
          'addons[addon][1][id]extra': 'z',
          'addons[addon][1]': 'z',
          'xaddons[addon][0][id]': 'z',
        },
        'addons',
        'addon',
      ),
    ).toEqual([{ id: '1', name: 'A' }, { id: '2' }, { id: '3' }]);
  });
});

describe('parseKeliwebList: either shape, checked against its own counts', () => {
  test('flattened rows with a matching total', () => {
    const r = list({
      totalresults: '2',
      'addons[addon][0][id]': '1',
      'addons[addon][0][serviceid]': '42',
      'addons[addon][0][name]': 'A',
      'addons[addon][0][status]': 'Active',
      'addons[addon][1][id]': '2',
      'addons[addon][1][serviceid]': 42,
      'addons[addon][1][name]': 'B',
      'addons[addon][1][status]': 'Cancelled',
    });
    expect(r).toEqual({
      ok: true,
      items: [
        { id: '1', serviceid: '42', name: 'A', status: 'Active' },
        { id: '2', serviceid: '42', name: 'B', status: 'Cancelled' },
      ],
    });
  });

  test('a flattened row of the wrong shape names the key as sent', () => {
    expect(
      list({
        totalresults: 1,
        'addons[addon][0][id]': '1',
        'addons[addon][0][serviceid]': '42',
        'addons[addon][0][status]': 'x',
      }),
    ).toEqual({
      ok: false,
      problem: 'addons[addon][0][name]: Invalid input: expected string, received undefined',
    });
  });

  test('the nested shape, as an array or as an object of index keys', () => {
    expect(list({ totalresults: 2, addons: { addon: [addon(1), addon(2)] } })).toEqual({
      ok: true,
      items: [addon(1), addon(2)],
    });
    expect(
      list({ totalresults: 3, addons: { addon: { '10': addon(3), '2': addon(1), '9': addon(2) } } }),
    ).toEqual({
      ok: true,
      items: [addon(1), addon(2), addon(3)],
    });
  });

  test('a nested row of the wrong shape names its path', () => {
    expect(list({ totalresults: 1, addons: { addon: [{ ...addon(1), name: 7 }] } })).toEqual({
      ok: false,
      problem: 'addons.addon[0].name: Invalid input: expected string, received number',
    });
  });

  test.each([[''], [null], [{}], [undefined]])('an empty list may come as %p', (value) => {
    expect(list({ totalresults: 0, addons: value })).toEqual({ ok: true, items: [] });
  });

  test.each([
    ['a string', { totalresults: 0, addons: 'none' }, 'addons: is not an object'],
    ['an array', { totalresults: 0, addons: [] }, 'addons: is not an object'],
    ['an item that is no list', { totalresults: 0, addons: { addon: 'x' } }, 'addons: addon is not a list'],
    [
      'an object with other keys',
      { totalresults: 0, addons: { addon: { a: addon(1) } } },
      'addons: addon is not a list',
    ],
    ['a null item', { totalresults: 0, addons: { addon: null } }, 'addons: addon is not a list'],
  ])('%s is a broken answer', (_what, body, problem) => {
    expect(list(body)).toEqual({ ok: false, problem });
  });

  test('both shapes at once is a broken answer', () => {
    const flat = {
      'addons[addon][0][id]': '1',
      'addons[addon][0][serviceid]': '42',
      'addons[addon][0][name]': 'A',
      'addons[addon][0][status]': 'Active',
    };
    expect(list({ totalresults: 1, ...flat, addons: { addon: [addon(1)] } })).toEqual({
      ok: false,
      problem: 'addons sent both flattened and nested',
    });
    expect(list({ totalresults: 1, ...flat, addons: '' })).toEqual({
      ok: false,
      problem: 'addons sent both flattened and nested',
    });
    expect(list({ totalresults: 1, ...flat }).ok).toBe(true);
  });

  test('counts that do not add up are a broken answer, never an empty list', () => {
    expect(list({ addons: { addon: [addon(1)] } })).toEqual({
      ok: false,
      problem: 'totalresults missing (1 addons sent)',
    });
    expect(list({ totalresults: 1, addons: '' })).toEqual({
      ok: false,
      problem: 'totalresults 1 but 0 addons sent',
    });
    expect(list({ totalresults: 0, addons: { addon: [addon(1)] } })).toEqual({
      ok: false,
      problem: 'totalresults 0 but 1 addons sent',
    });
    // A page: numreturned counts it exactly, totalresults may be larger but not smaller.
    expect(list({ totalresults: 5, numreturned: 1, addons: { addon: [addon(1)] } }).ok).toBe(true);
    expect(list({ totalresults: 1, numreturned: 1, addons: { addon: [addon(1)] } }).ok).toBe(true);
    expect(list({ totalresults: 0, numreturned: 1, addons: { addon: [addon(1)] } })).toEqual({
      ok: false,
      problem: 'totalresults 0 but 1 addons sent',
    });
    expect(list({ totalresults: 5, numreturned: 2, addons: { addon: [addon(1)] } })).toEqual({
      ok: false,
      problem: 'numreturned 2 but 1 addons sent',
    });
    expect(list({ totalresults: 5, numreturned: 0, addons: { addon: [addon(1)] } })).toEqual({
      ok: false,
      problem: 'numreturned 0 but 1 addons sent',
    });
  });

  test('counts are digits or non-negative integers', () => {
    expect(ListEnvelopeSchema.safeParse({ result: 'success', totalresults: '12' }).data?.totalresults).toBe(
      12,
    );
    for (const bad of ['1.5', '-1', 'x1', '1x', -1, 1.5])
      expect(ListEnvelopeSchema.safeParse({ result: 'success', totalresults: bad }).success).toBe(false);
  });

  test('parseFlattenedList on its own', () => {
    expect(parseFlattenedList({}, 'addons', 'addon', KeliwebAddonSchema)).toEqual({ ok: true, items: [] });
  });
});

describe('Keliweb dates and texts', () => {
  test('a due date is the start of that day in Rome; 0000-00-00 and absence are no date', () => {
    expect(keliwebDateToIso('2030-02-01')).toBe('2030-01-31T23:00:00.000Z');
    expect(keliwebDateToIso('0000-00-00')).toBeUndefined();
    expect(keliwebDateToIso('')).toBeUndefined();
    expect(keliwebDateToIso(undefined)).toBeUndefined();
  });

  test('the reason records the code, the comment and always who asked', () => {
    expect(
      keliwebReason({ reasonCode: 'unused', comment: ' moving ', requestedBy: 'customer', requestId: 'r-1' }),
    ).toBe('[unused] moving (requested by customer; request r-1)');
    expect(keliwebReason({ comment: '  ', requestedBy: 'system', requestId: 'r-2' })).toBe(
      '(requested by system; request r-2)',
    );
  });

  test('addon summaries are short', () => {
    expect(summarizeAddons([])).toBe('none');
    expect(summarizeAddons([addon(1), addon(2, 'Cancelled')].map((a) => KeliwebAddonSchema.parse(a)))).toBe(
      'Addon 1 (Active), Addon 2 (Cancelled)',
    );
    const long = Array.from({ length: 30 }, (_, i) => KeliwebAddonSchema.parse(addon(i)));
    const text = summarizeAddons(long);
    expect(text).toHaveLength(200);
    expect(text.endsWith('…')).toBe(true);
    const exact = [KeliwebAddonSchema.parse({ ...addon(1), name: 'x'.repeat(200 - ' (Active)'.length) })];
    expect(summarizeAddons(exact)).toHaveLength(200);
    expect(summarizeAddons(exact).endsWith(')')).toBe(true);
  });
});
