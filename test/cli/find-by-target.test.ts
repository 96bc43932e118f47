import { IdHasher } from '../../codec/id-hash';
import { targetFromOptions } from '../../client/cli/target-options';
import {
  DEFAULT_TEMPORAL_UI_URL,
  temporalUiUrlFromEnv,
  uiLinks,
  workflowRunUrl,
} from '../../client/ui-links';
import { listQuery, subscriptionWorkflowIds } from '../../client/visibility';
import { parseCancellationRequest } from '../../common/validation';
import { workflowIdFor } from '../../common/workflow-id';

const ids = new IdHasher(Buffer.alloc(32, 7));
const pseudonym = (key: string) => ids.subscription(key);
const requested = (provider: string, target: object) =>
  workflowIdFor(
    parseCancellationRequest({ requestId: 'r', provider, target, timing: { mode: 'immediate' } }),
    pseudonym,
  );

describe('a target given by an operator maps to the workflow id its request started', () => {
  test.each([
    ['rebilly', { orderId: 'ord_123' }, { orderId: 'ord_123', prorated: true }],
    ['keliweb', { serviceId: '4812' }, { serviceId: 4812 }],
    [
      'payway',
      { accountId: 'AAAAAAAAAAAAAAAAAAAAAAAA', userProductId: 'up-1' },
      { accountId: 'aaaaaaaaaaaaaaaaaaaaaaaa', userProductId: 'up-1', cancellationReasonId: 'x' },
    ],
    [
      'billing-care',
      { accountId: '0.0.0.1+-account+1', dealId: '0.0.0.1+-deal+2' },
      { accountId: '0.0.0.1+-account+1', dealId: '0.0.0.1+-deal+2', serviceId: '0.0.0.1+-service+3' },
    ],
  ] as const)('%s', (provider, options, requestTarget) => {
    const target = targetFromOptions(provider, options);
    expect(target).toBeDefined();
    expect(subscriptionWorkflowIds(target!, pseudonym)).toContain(requested(provider, requestTarget));
  });

  test('another target gives another id', () => {
    const target = targetFromOptions('rebilly', { orderId: 'ord_124' })!;
    expect(subscriptionWorkflowIds(target, pseudonym)).not.toContain(
      requested('rebilly', { orderId: 'ord_123' }),
    );
  });

  test('Billing Care: each bundle field given is tried, since the request keyed on the first it named', () => {
    const target = targetFromOptions('billing-care', {
      accountId: '0.0.0.1+-account+1',
      serviceId: '0.0.0.1+-service+3',
      packageId: '7',
    })!;
    const candidates = subscriptionWorkflowIds(target, pseudonym);
    expect(candidates).toHaveLength(2);
    expect(candidates).toContain(
      requested('billing-care', { accountId: '0.0.0.1+-account+1', serviceId: '0.0.0.1+-service+3' }),
    );
    expect(candidates).toContain(
      requested('billing-care', { accountId: '0.0.0.1+-account+1', packageId: 7 }),
    );
  });

  test('no target options: no target', () => {
    expect(targetFromOptions('rebilly', { stage: 'scheduled' })).toBeUndefined();
    expect(targetFromOptions(undefined, {})).toBeUndefined();
  });
});

describe('a bad target names the field and the option', () => {
  test.each([
    [
      'payway',
      { accountId: 'xyz', userProductId: 'p' },
      'target.accountId',
      /target\.accountId \(--account-id\): must be 24 hexadecimal/,
    ],
    ['payway', { accountId: 'a'.repeat(24) }, 'target.userProductId', /--user-product-id/],
    ['rebilly', { orderId: 'bad id!' }, 'target.orderId', /--order-id/],
    ['keliweb', { serviceId: '-3' }, 'target.serviceId', /--service-id/],
    ['keliweb', { orderId: 'o' }, 'target.orderId', /--order-id is not a field of keliweb targets/],
    ['billing-care', { accountId: '0.0.0.1+-account+1' }, 'target.serviceId', /needs at least one of/],
    [undefined, { orderId: 'o' }, 'provider', /--order-id needs --provider/],
  ] as const)('%s %j', (provider, options, field, message) => {
    let thrown: unknown;
    try {
      targetFromOptions(provider, options);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'InvalidRequestError', field });
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('the visibility query of a subscription', () => {
  test('every run of each id and its verification runs', () => {
    const q = listQuery({ workflowIds: ['cancellation/rebilly/abc'] });
    expect(q).toContain("WorkflowId = 'cancellation/rebilly/abc'");
    expect(q).toContain("WorkflowId STARTS_WITH 'cancellation/rebilly/abc/verification/'");
    expect(q).toMatch(/WorkflowType IN \('[^']+', '[^']+'\)/);
  });
});

describe('Web UI links', () => {
  test("one run, in the UI's own form: namespace, the workflow id as one encoded segment, the run", () => {
    expect(workflowRunUrl('http://localhost:8233', 'default', 'cancellation/rebilly/abc', 'run-1')).toBe(
      'http://localhost:8233/namespaces/default/workflows/cancellation%2Frebilly%2Fabc/run-1/history',
    );
  });

  test('TEMPORAL_UI_URL, else the dev server UI; a malformed one is an error naming the variable', () => {
    expect(temporalUiUrlFromEnv({})).toBe(DEFAULT_TEMPORAL_UI_URL);
    expect(temporalUiUrlFromEnv({ TEMPORAL_UI_URL: 'https://temporal.example.com/ui/' })).toBe(
      'https://temporal.example.com/ui',
    );
    expect(() => temporalUiUrlFromEnv({ TEMPORAL_UI_URL: 'localhost:8233' })).toThrow(
      /TEMPORAL_UI_URL must be/,
    );
    expect(uiLinks('prod', { TEMPORAL_UI_URL: 'https://t.example.com' }).run('a/b', 'r')).toBe(
      'https://t.example.com/namespaces/prod/workflows/a%2Fb/r/history',
    );
  });
});
