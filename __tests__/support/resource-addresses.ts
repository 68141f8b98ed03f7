import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { synthesize, type TerraformJson } from './synthesized';

/**
 * Construct ids are a contract: they become the Terraform resource addresses, and an address
 * that changes is a resource Terraform destroys and creates again (an IAM role, a log group, the
 * StackSet). `resource-addresses.json` lists every `resource` and `data` address the example
 * configuration synthesizes; the test compares the synthesized set with it.
 *
 * Run as a script (`npm run addresses:update`) it rewrites the list from the current code:
 * for an address added or removed on purpose.
 */

export const ADDRESSES_FILE = resolve(__dirname, '..', 'stacks', 'resource-addresses.json');
export const UPDATE_COMMAND = 'npm run addresses:update';
const MOVED_BLOCKS = 'https://developer.hashicorp.com/terraform/language/modules/develop/refactoring';

/** `type.name` for each resource, `data.type.name` for each data source, sorted. */
export function addressesOf(json: TerraformJson): string[] {
  const addresses = [
    ...Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)),
    ...Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `data.${type}.${name}`)),
  ];
  return addresses.sort();
}

/** What changed between the checked-in list and the synthesized one, and what to do; undefined when nothing did. */
export function describeAddressChange(checkedIn: readonly string[], synthesized: readonly string[]): string | undefined {
  const removed = checkedIn.filter((address) => !synthesized.includes(address));
  const added = synthesized.filter((address) => !checkedIn.includes(address));
  if (removed.length === 0 && added.length === 0) return undefined;
  return [
    'The synthesized Terraform resource addresses differ from __tests__/stacks/resource-addresses.json.',
    ...removed.map((address) => `  removed: ${address}`),
    ...added.map((address) => `  added:   ${address}`),
    'A removed resource address is a resource Terraform destroys on the next apply (an added one of the same type is usually its renamed replacement); a data source only reads.',
    `If a construct id or scope changed by accident, put it back. If the move is intended, keep the deployed resources with a Terraform moved block (${MOVED_BLOCKS}); in cdktf, call moveFromId("<old address>") on the resource at its new place (or moveToId / moveTo).`,
    `If the change is intended (a new resource, a resource removed on purpose, or a move covered by a moved block), regenerate the list: ${UPDATE_COMMAND}`,
  ].join('\n');
}

export function writeAddresses(addresses: readonly string[]): void {
  const file = {
    '//': `Terraform addresses the example configuration synthesizes. A change replaces real resources: see __tests__/support/resource-addresses.ts. Regenerate with ${UPDATE_COMMAND}.`,
    addresses,
  };
  writeFileSync(ADDRESSES_FILE, `${JSON.stringify(file, null, 2)}\n`);
}

if (require.main === module) {
  const addresses = addressesOf(synthesize());
  writeAddresses(addresses);
  console.log(`${addresses.length} addresses written to ${ADDRESSES_FILE}`);
}
