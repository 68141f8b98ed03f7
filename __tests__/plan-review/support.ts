import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reviewContext } from '../../plan-review/context';
import type { Plan, ResourceChange } from '../../plan-review/plan';
import type { ReplacementLookup } from '../../plan-review/template';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';

/** The review context of the embedded example configuration (the one `synthesize()` uses). */
export const CONTEXT = reviewContext(parseConfig(EXAMPLE_CONFIG));

/**
 * Which properties replace a resource when they change, for every CloudFormation type, as
 * fixtures/replacing-properties.json records them. `loadReplacementLookup()` reads the same from
 * @aws-cdk/aws-service-spec, whose database takes seconds to load: once per suite, and once per
 * mutant under `npm run mutate`. cloudformation-spec.test.ts holds the snapshot equal to the
 * specification, type by type, so it cannot drift from what the review reads in production.
 */
let snapshot: Record<string, Record<string, 'yes' | 'maybe'>> | undefined;
export const replacementLookup = (): ReplacementLookup => {
  // Read once per suite: build-review.test.ts asks for it in every review it builds.
  snapshot ??= JSON.parse(readFileSync(join(__dirname, 'fixtures', 'replacing-properties.json'), 'utf8')) as Record<
    string,
    Record<string, 'yes' | 'maybe'>
  >;
  const read = snapshot;
  return (type) => new Map(Object.entries(read[type] ?? {}));
};

const AWS = 'registry.terraform.io/hashicorp/aws';
const AZUREAD = 'registry.terraform.io/hashicorp/azuread';

/** One hand-made resource change (`<type>.this`), with the fields a test names. */
export function change(type: string, actions: readonly string[], fields: Partial<ResourceChange> = {}): ResourceChange {
  return {
    address: `${type}.this`,
    mode: 'managed',
    type,
    name: 'this',
    providerName: type.startsWith('azuread_') ? AZUREAD : AWS,
    actions,
    before: null,
    after: null,
    afterUnknown: {},
    beforeSensitive: {},
    afterSensitive: {},
    replacePaths: [],
    ...fields,
  };
}

/** A plan of the given changes, with nothing else in it. */
export const planOf = (resourceChanges: readonly ResourceChange[], fields: Partial<Plan> = {}): Plan => ({
  formatVersion: '1.2',
  resourceChanges,
  configuration: {},
  errored: false,
  ...fields,
});
