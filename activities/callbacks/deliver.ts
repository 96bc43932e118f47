import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { RequestError } from 'got';
import { CallbackUrlSchema, SIGNATURE_HEADER, type CallbackEvent } from '../../common/callbacks';
import {
  CALLBACK_HOST_NOT_ALLOWED,
  CALLBACK_NOT_CONFIGURED,
  CALLBACK_REJECTED,
  CALLBACK_UNAVAILABLE,
  CALLBACK_URL_REFUSED,
} from '../../common/errors';
import { type HttpClient } from '../http/client';
import { isAllowed, type CallbackSettings } from './config';
import { signatureHeader } from './signature';

export interface CallbackDelivery {
  url: string;
  event: CallbackEvent;
}

export interface DeliveryReceipt {
  status: number;
  attempt: number;
  deliveredAt: string;
}

export interface CallbackDeps {
  http: HttpClient;
  settings: CallbackSettings;
  clock: () => Date;
}

/**
 * POSTs one signed event. Every attempt sends the same body (so the same delivery id) with a fresh
 * timestamp and signature. Messages and details name the host only: a URL's path or query may
 * carry a receiver's own identifiers, and failures are shown in the Web UI.
 */
export function createCallbackDeliveryActivities({ http, settings, clock }: CallbackDeps) {
  return {
    async deliverCallback({ url, event }: CallbackDelivery): Promise<DeliveryReceipt> {
      const target = allowedTarget(url, settings);
      if (!settings.secret) {
        throw ApplicationFailure.create({
          type: CALLBACK_NOT_CONFIGURED,
          message: 'this worker has no callback secret: set CANCELLATIONS_CALLBACK_SECRET',
          details: [{ field: 'CANCELLATIONS_CALLBACK_SECRET' }],
        });
      }
      const body = JSON.stringify(event);
      const t = Math.floor(clock().getTime() / 1000);
      const attempt = Context.current().info.attempt;
      let status: number;
      try {
        const response = await http.post(target.href, {
          body,
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signatureHeader(settings.secret, t, body),
          },
          responseType: 'text',
        });
        status = response.statusCode;
      } catch (err) {
        if (!(err instanceof RequestError)) throw err;
        throw ApplicationFailure.create({
          type: CALLBACK_UNAVAILABLE,
          message: `${event.type} to ${target.host}: no answer (${err.code})`,
          details: [{ host: target.host, code: err.code }],
        });
      }
      if (status >= 200 && status < 300) return { status, attempt, deliveredAt: clock().toISOString() };
      // 408 and 429 say "later"; any other 4xx says this event will never be taken as sent.
      const final = status >= 400 && status < 500 && status !== 408 && status !== 429;
      throw ApplicationFailure.create({
        type: final ? CALLBACK_REJECTED : CALLBACK_UNAVAILABLE,
        message: `${event.type} to ${target.host}: HTTP ${status}`,
        details: [{ host: target.host, status }],
      });
    },
  };
}

/** The https rule (common/callbacks.ts) and the worker's allow-list, checked before any request. */
function allowedTarget(url: string, settings: CallbackSettings): URL {
  if (!CallbackUrlSchema.safeParse(url).success) {
    throw ApplicationFailure.create({
      type: CALLBACK_URL_REFUSED,
      message: 'callbackUrl must be https (http only for a loopback host)',
      details: [{ field: 'callbackUrl' }],
    });
  }
  const parsed = new URL(url);
  if (!isAllowed(parsed, settings.allowedHosts)) {
    throw ApplicationFailure.create({
      type: CALLBACK_HOST_NOT_ALLOWED,
      message: `${parsed.host} is not in this worker's CANCELLATIONS_CALLBACK_HOSTS`,
      details: [{ host: parsed.host, field: 'callbackUrl' }],
    });
  }
  return parsed;
}
