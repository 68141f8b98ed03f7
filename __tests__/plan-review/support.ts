import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reviewContext } from '../../plan-review/context';
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
