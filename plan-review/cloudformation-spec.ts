import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { ReplacementLookup } from './template';

/**
 * Which properties of a CloudFormation resource type replace the resource when they change
 * ("Update requires: Replacement" in the CloudFormation resource reference), read from the
 * CloudFormation resource specification as packaged by @aws-cdk/aws-service-spec.
 */
export async function loadReplacementLookup(): Promise<ReplacementLookup> {
  const db = await loadAwsServiceSpec();
  return (type) => {
    const [resource] = db.lookup('resource', 'cloudFormationType', 'equals', type);
    const result = new Map<string, 'yes' | 'maybe'>();
    for (const [name, property] of Object.entries(resource?.properties ?? {})) {
      if (property.causesReplacement === 'yes' || property.causesReplacement === 'maybe') result.set(name, property.causesReplacement);
    }
    return result;
  };
}
