import { type Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { ALL_SEARCH_ATTRIBUTES } from '../common/search-attributes';

/** The project's search attributes as the operator API names their types. */
export function searchAttributeTypes(): Record<string, number> {
  return Object.fromEntries(
    ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]),
  );
}

/**
 * Registers the project's search attributes on a namespace; idempotent: attributes already
 * registered with the right type are left alone, a clash of types is an error.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string) {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const missing: Record<string, number> = {};
  const present: string[] = [];
  for (const [name, wanted] of Object.entries(searchAttributeTypes())) {
    const have = custom[name];
    if (have === undefined) missing[name] = wanted;
    else if (have !== wanted) throw new Error(`search attribute ${name} exists with another type (${have})`);
    else present.push(name);
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
  return { added: Object.keys(missing), present };
}
