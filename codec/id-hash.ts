import { createHmac } from 'node:crypto';

/**
 * Keyed pseudonyms for identifiers that must stay searchable but not readable: the customer id
 * search attribute and the subscription part of workflow ids. Search attributes and workflow ids
 * are stored and shown in plaintext (the payload codec does not touch them), so they hold
 * HMAC-SHA256(key, kind + value), truncated to 128 bits, hex. Same key, same value: same pseudonym.
 */
export class IdHasher {
  constructor(private readonly key: Uint8Array) {
    if (key.length < 16) throw new Error('the identifier hash key must be at least 16 bytes');
  }

  hash(kind: 'customer' | 'subscription', value: string): string {
    return createHmac('sha256', this.key).update(`${kind}\0${value}`).digest('hex').slice(0, 32);
  }

  customerId(customerId: string): string {
    return this.hash('customer', customerId);
  }

  subscription(naturalKey: string): string {
    return this.hash('subscription', naturalKey);
  }
}
