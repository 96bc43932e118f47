import { z } from 'zod';

// Faults a test or the command line arms on a simulator (through simulators/control.ts): each rule
// matches requests by method, path and body, replaces or delays the answer, and disarms itself
// after `times` matching requests.

export const FaultSchema = z.discriminatedUnion('kind', [
  /** Answer with this status (and body) instead of running the handler. */
  z.object({ kind: z.literal('status'), status: z.number().int(), body: z.unknown().optional() }),
  /** Answer the way this provider throttles (its own headers and body). */
  z.object({ kind: z.literal('rate-limit'), retryAfterSeconds: z.number().min(0).default(1) }),
  /** Run the handler, but only answer after a delay. */
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0) }),
  /** Never answer: the client's timeout must fire. */
  z.object({ kind: z.literal('hang') }),
  /** Apply the change, then drop the connection before answering. */
  z.object({ kind: z.literal('lost-response') }),
]);
export type Fault = z.infer<typeof FaultSchema>;

export const FaultRuleSchema = z.object({
  /** Route to match: method and/or a substring of the path. Absent: every API request. */
  method: z.string().optional(),
  path: z.string().optional(),
  /** Only requests whose raw body contains this (e.g. one service id among many). */
  bodyIncludes: z.string().optional(),
  fault: FaultSchema,
  /** How many matching requests it applies to; 0 means every one until cleared. */
  times: z.number().int().min(0).default(1),
});
export type FaultRule = z.input<typeof FaultRuleSchema>;

interface ArmedRule {
  method?: string;
  path?: string;
  bodyIncludes?: string;
  fault: Fault;
  remaining: number; // Infinity for "until cleared"
}

export class FaultRules {
  private rules: ArmedRule[] = [];

  add(rule: FaultRule): void {
    const r = FaultRuleSchema.parse(rule);
    this.rules.push({
      ...(r.method !== undefined && { method: r.method.toUpperCase() }),
      ...(r.path !== undefined && { path: r.path }),
      ...(r.bodyIncludes !== undefined && { bodyIncludes: r.bodyIncludes }),
      fault: r.fault,
      remaining: r.times === 0 ? Infinity : r.times,
    });
  }

  /** The armed rules (for the control API). */
  armed(): readonly unknown[] {
    return this.rules;
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault of the first armed rule matching the request, counting it against the rule. */
  take(method: string, path: string, body: string): Fault | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (!r.method || r.method === method) &&
        (!r.path || path.includes(r.path)) &&
        (!r.bodyIncludes || body.includes(r.bodyIncludes)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.fault;
  }
}
