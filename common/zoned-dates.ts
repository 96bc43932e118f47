// Calendar dates in a provider's own time zone (Keliweb's dates are local Italian dates): the
// adapter turns them into instants, the simulator turns its clock into them, with the same rules.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at an instant, as numbers. */
function wallClockOf(at: number, timeZone: string) {
  const parts = formatter(timeZone).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((x) => x.type === type)?.value);
  return {
    y: part('year'),
    mo: part('month'),
    d: part('day'),
    h: part('hour'),
    mi: part('minute'),
    s: part('second'),
  };
}

/** The zone's offset from UTC in milliseconds at an instant (positive: ahead of UTC). */
function offsetMs(at: number, timeZone: string): number {
  const w = wallClockOf(at, timeZone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(at / 1000) * 1000;
}

/** `YYYY-MM-DD` as the UTC instant its day begins in `timeZone`; undefined for impossible dates. */
export function zonedMidnight(date: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const wallClock = Date.UTC(y, mo - 1, d);
  const check = new Date(wallClock);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return undefined;
  // Two passes find the offset in force at local midnight even on the days the offset changes
  // (zones that change their clocks at midnight itself are not handled; Rome changes at 02:00/03:00).
  let at = wallClock - offsetMs(wallClock, timeZone);
  at = wallClock - offsetMs(at, timeZone);
  return new Date(at);
}

/** The calendar day in `timeZone` at an instant, `YYYY-MM-DD`. */
export function zonedDate(at: Date, timeZone: string): string {
  const w = wallClockOf(at.getTime(), timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.y}-${two(w.mo)}-${two(w.d)}`;
}
