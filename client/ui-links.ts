import { z } from 'zod';

/**
 * The Web UI of `temporal server start-dev` and of `npm start` (TEMPORAL_UI_PORT), both 8233 unless
 * told otherwise; a real cluster's UI is given by TEMPORAL_UI_URL.
 */
export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

const UiUrlSchema = z.url({
  protocol: /^https?$/,
  error: 'must be an http(s) URL such as http://localhost:8233',
});

/** TEMPORAL_UI_URL (without a trailing slash), or the dev server's UI; a malformed value is an error. */
export function temporalUiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.TEMPORAL_UI_URL?.trim() || DEFAULT_TEMPORAL_UI_URL;
  const parsed = UiUrlSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`TEMPORAL_UI_URL ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data.replace(/\/+$/, '');
}

/**
 * The page of one run, in the form the UI builds its own links (temporalio/ui
 * src/lib/utilities/route-for.ts, routeForEventHistory): the workflow id is one path segment,
 * so its slashes are percent-encoded.
 */
export function workflowRunUrl(base: string, namespace: string, workflowId: string, runId: string): string {
  const segments = [namespace, 'workflows', workflowId, runId].map(encodeURIComponent);
  return `${base}/namespaces/${segments.join('/')}/history`;
}

/** Link builder bound to one UI and namespace. */
export function uiLinks(namespace: string, env: NodeJS.ProcessEnv = process.env) {
  const base = temporalUiUrlFromEnv(env);
  return {
    base,
    run: (workflowId: string, runId: string) => workflowRunUrl(base, namespace, workflowId, runId),
  };
}
export type UiLinks = ReturnType<typeof uiLinks>;
