/**
 * One billing period on. ASSUMPTION (simulators only): none of the documents says how long a
 * period is, so subscriptions renew monthly, in UTC, keeping the day of the month where it exists.
 */
export function nextPeriod(iso: string): string {
  const d = new Date(iso);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(Math.min(day, new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()));
  return d.toISOString();
}
