import { zonedDate, zonedMidnight } from '../../common/zoned-dates';

const midnight = (date: string, zone = 'Europe/Rome') => zonedMidnight(date, zone)?.toISOString();

describe('zonedMidnight: a local calendar day as the instant it begins', () => {
  test.each([
    ['2030-01-15', '2030-01-14T23:00:00.000Z'], // CET, UTC+1
    ['2030-07-15', '2030-07-14T22:00:00.000Z'], // CEST, UTC+2
    // The clocks change at 02:00/03:00 on these Sundays: midnight is still in the old offset.
    ['2030-03-31', '2030-03-30T23:00:00.000Z'],
    ['2030-04-01', '2030-03-31T22:00:00.000Z'],
    ['2030-10-27', '2030-10-26T22:00:00.000Z'],
    ['2030-10-28', '2030-10-27T23:00:00.000Z'],
    ['2028-02-29', '2028-02-28T23:00:00.000Z'],
  ])('%s in Rome begins at %s', (date, instant) => {
    expect(midnight(date)).toBe(instant);
  });

  test('zones ahead of, at and behind UTC', () => {
    expect(midnight('2030-01-15', 'UTC')).toBe('2030-01-15T00:00:00.000Z');
    expect(midnight('2030-01-15', 'America/New_York')).toBe('2030-01-15T05:00:00.000Z');
    expect(midnight('2030-01-15', 'Asia/Kolkata')).toBe('2030-01-14T18:30:00.000Z');
  });

  test.each([
    '0000-00-00',
    '2030-02-29',
    '2030-02-30',
    '2030-13-01',
    '2030-04-31',
    '2030-1-5',
    'x2030-01-01',
    '2030-01-01x',
    '',
  ])('%p is no date', (date) => {
    expect(zonedMidnight(date, 'Europe/Rome')).toBeUndefined();
  });
});

describe('zonedDate: the local calendar day at an instant', () => {
  test.each([
    ['2030-01-14T22:59:59.999Z', '2030-01-14'],
    ['2030-01-14T23:00:00.000Z', '2030-01-15'],
    ['2030-07-04T21:59:59.000Z', '2030-07-04'],
    ['2030-07-04T22:00:00.000Z', '2030-07-05'],
    ['2030-12-31T23:30:00.000Z', '2031-01-01'],
  ])('%s is %s in Rome', (instant, day) => {
    expect(zonedDate(new Date(instant), 'Europe/Rome')).toBe(day);
  });

  test('round trip: the day an instant falls on begins at or before it', () => {
    for (const day of ['2030-03-31', '2030-10-27', '2030-06-01']) {
      const begins = zonedMidnight(day, 'Europe/Rome');
      expect(begins && zonedDate(begins, 'Europe/Rome')).toBe(day);
      expect(begins && zonedDate(new Date(begins.getTime() - 1), 'Europe/Rome')).not.toBe(day);
    }
  });
});
