import { Option, type Command } from 'commander';
import { type Provider } from '../../common/request';
import { InvalidRequestError } from '../../common/validation';
import { type ProviderTarget } from '../../common/workflow-id';
import { parseTarget } from '../visibility';

/** One option per target field an operator may know (shared/CONTRACT.md, "Targets"). */
const targetOptions = [
  { flag: '--order-id', field: 'orderId', for: ['rebilly'] },
  { flag: '--service-id', field: 'serviceId', for: ['keliweb', 'billing-care'] },
  { flag: '--account-id', field: 'accountId', for: ['payway', 'billing-care'] },
  { flag: '--user-product-id', field: 'userProductId', for: ['payway'] },
  { flag: '--deal-id', field: 'dealId', for: ['billing-care'] },
  { flag: '--package-id', field: 'packageId', for: ['billing-care'] },
] as const satisfies { flag: string; field: string; for: Provider[] }[];

// Fields the contract types as integers; a command line only has strings.
const integerFields: Partial<Record<Provider, string[]>> = {
  keliweb: ['serviceId'],
  'billing-care': ['packageId'],
};

type OptionValues = Record<string, unknown>;

export function addTargetOptions(cmd: Command): Command {
  for (const o of targetOptions)
    cmd.addOption(new Option(`${o.flag} <id>`, `with --provider ${o.for.join('|')}: target.${o.field}`));
  return cmd;
}

const optionKey = (flag: string) => flag.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * The target named by the target options, validated by the request's schema for `provider`, or
 * undefined when none was given. Errors name the field and the option.
 */
export function targetFromOptions(
  provider: Provider | undefined,
  o: OptionValues,
): ProviderTarget | undefined {
  const given = targetOptions.filter((t) => o[optionKey(t.flag)] !== undefined);
  if (given.length === 0) return undefined;
  if (!provider)
    throw new InvalidRequestError(
      'provider',
      `provider: ${given.map((g) => g.flag).join(', ')} needs --provider to say whose id it is`,
      [],
    );
  const target: Record<string, unknown> = {};
  for (const g of given) {
    if (!(g.for as readonly Provider[]).includes(provider))
      throw new InvalidRequestError(
        `target.${g.field}`,
        `target.${g.field}: ${g.flag} is not a field of ${provider} targets (it is for ${g.for.join(', ')})`,
        [],
      );
    const raw = String(o[optionKey(g.flag)]);
    target[g.field] = integerFields[provider]?.includes(g.field) && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  try {
    return parseTarget(provider, target);
  } catch (err) {
    if (!(err instanceof InvalidRequestError)) throw err;
    const flag = targetOptions.find((t) => `target.${t.field}` === err.field)?.flag;
    const message = flag ? err.message.replace(err.field, `${err.field} (${flag})`) : err.message;
    throw new InvalidRequestError(err.field, message, err.issues);
  }
}
