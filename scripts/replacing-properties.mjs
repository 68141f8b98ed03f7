// @ts-check
// npm run replacing:update: writes __tests__/plan-review/fixtures/replacing-properties.json, the
// snapshot of the CloudFormation specification's replacing properties that the plan review's
// suites read instead of the whole database (seconds to load). Run it after upgrading
// @aws-cdk/aws-service-spec, when __tests__/plan-review/cloudformation-spec.test.ts names the
// types that differ; review the diff like any change of the specification.
import { writeFileSync } from 'node:fs';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';

const db = await loadAwsServiceSpec();
const types = [...new Set([...db.all('resource')].map((resource) => resource.cloudFormationType))].sort();
/** @type {Record<string, Record<string, 'yes' | 'maybe'>>} */
const snapshot = {};
for (const type of types) {
  // The first resource of the type, as plan-review/cloudformation-spec.ts reads it.
  const [resource] = db.lookup('resource', 'cloudFormationType', 'equals', type);
  const replacing = Object.entries(resource?.properties ?? {}).filter(
    ([, p]) => p.causesReplacement === 'yes' || p.causesReplacement === 'maybe',
  );
  if (replacing.length > 0)
    snapshot[type] = Object.fromEntries(replacing.map(([name, p]) => [name, /** @type {'yes' | 'maybe'} */ (p.causesReplacement)]));
}
writeFileSync('__tests__/plan-review/fixtures/replacing-properties.json', `${JSON.stringify(snapshot, null, 2)}\n`);
console.log(`replacing-properties.json: ${Object.keys(snapshot).length} of ${types.length} resource types have a replacing property`);
