import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { loadReplacementLookup } from '../../plan-review/cloudformation-spec';
import { replacementLookup } from './support';

describe("the plan review's reading of the CloudFormation specification", () => {
  it('tells, for every resource type, the properties that replace it, as the snapshot the other suites use records them', async () => {
    const db = await loadAwsServiceSpec();
    const types = [...new Set([...db.all('resource')].map((resource) => resource.cloudFormationType))];
    const fromTheSpecification = await loadReplacementLookup();
    const fromTheSnapshot = replacementLookup();

    // A difference after an upgrade of @aws-cdk/aws-service-spec: `npm run replacing:update` writes
    // the snapshot again from the specification (review its diff like the specification's).
    const differing = types.filter(
      (type) => JSON.stringify([...fromTheSpecification(type)].sort()) !== JSON.stringify([...fromTheSnapshot(type)].sort()),
    );
    expect(differing).toEqual([]);
    expect(types.length).toBeGreaterThan(1000);
    // What the review relies on most: an OIDC provider's URL, a role's name.
    expect(fromTheSpecification('AWS::IAM::OIDCProvider').get('Url')).toBe('yes');
    expect(fromTheSpecification('AWS::IAM::Role').get('RoleName')).toBe('yes');
    expect(fromTheSpecification('AWS::Not::AType').size).toBe(0);
  });
});
