import { z } from 'zod';

/** Where a worker's own HTTP endpoint listens (metrics, health): `host:port`, IPv6 in brackets. */
export const listenAddress = (example: string) =>
  z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, `must be host:port, e.g. ${example}`);
