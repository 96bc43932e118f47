/** The baseline's one activity: does nothing, so what is measured is Temporal's own round trip. */
export async function noop(): Promise<string> {
  return 'ok';
}
