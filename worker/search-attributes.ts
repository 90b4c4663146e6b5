import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { NativeConnection } from '@temporalio/worker';
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { searchAttributeKeys } from '../workflows/search-attributes';

/** How the Temporal CLI names a type (`--search-attribute IncidentNumber=Keyword`, `--type Keyword`). */
const cliTypeNames: Record<SearchAttributeType, string> = { TEXT: 'Text', KEYWORD: 'Keyword', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };

/** `Name=Type` for each search attribute, as `temporal server start-dev --search-attribute` takes them. */
export const searchAttributesForCli = (): string[] => searchAttributeKeys.map((key) => `${key.name}=${cliTypeNames[key.type]}`);

/**
 * Register the search attributes the workflows set (workflows/search-attributes.ts) in the
 * namespace, those that are missing; at every worker start, so that a new cluster needs no manual
 * step. Idempotent. Where the operator service refuses (Temporal Cloud registers them with tcld or
 * in its UI), the error names what to create.
 */
export async function ensureSearchAttributes(connection: Pick<NativeConnection | Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  const wanted = searchAttributeKeys.map((key) => ({ name: key.name, type: key.type, indexed: encodeSearchAttributeIndexedValueType(key.type) as number }));
  const { customAttributes, systemAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing = { ...(systemAttributes ?? {}), ...(customAttributes ?? {}) } as Record<string, number>;
  const clashing = wanted.filter((key) => existing[key.name] !== undefined && existing[key.name] !== key.indexed);
  if (clashing.length > 0) {
    throw new Error(`search attributes of another type in namespace ${namespace}: ${clashing.map((key) => `${key.name} (wanted ${key.type})`).join(', ')}`);
  }
  const missing = wanted.filter((key) => existing[key.name] === undefined);
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((key) => [key.name, key.indexed])) });
  } catch (error) {
    // Two workers starting at once: the other one added them.
    if (/already exists/i.test(error instanceof Error ? error.message : String(error))) return [];
    const commands = missing.map((key) => `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${cliTypeNames[key.type]}`);
    throw new Error(`cannot register the search attributes ${missing.map((key) => key.name).join(', ')} (${error instanceof Error ? error.message : String(error)}); create them once:\n  ${commands.join('\n  ')}`, {
      cause: error,
    });
  }
  return missing.map((key) => key.name);
}
