import { type Client } from '@temporalio/client';
import { type ActivityDeps } from '../deps';
import { createHttpClient } from '../http/client';
import { callbackSettings } from './config';
import { createCallbackDeliveryActivities } from './deliver';
import { createCallbackRunActivities } from './runs';

/**
 * The activities of completion callbacks: starting a delivery run, and the delivery itself. They
 * get an HTTP client of their own, with the callbacks' shorter timeout.
 */
export function createCallbackActivities(deps: ActivityDeps, temporal: { client: Client }) {
  const settings = callbackSettings(deps.env);
  const http = createHttpClient({ timeoutMs: settings.timeoutMs });
  return {
    ...createCallbackRunActivities({ client: temporal.client, settings }),
    ...createCallbackDeliveryActivities({ http, settings, clock: deps.clock }),
  };
}
