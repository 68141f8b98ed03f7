import { PROTECTED_ROLE_PATTERN, protectedBy, protectedRoleArnSuffixes } from '../../../../functions/shared/iam';
import { BUILT_IN_PROTECTED_ROLES } from '../../../../stacks/config';

describe('protected role patterns', () => {
  it('cover a bare name at the root and under any path, and a path pattern only as written', () => {
    expect(protectedRoleArnSuffixes('cdk-*')).toEqual(['cdk-*', '*/cdk-*']);
    expect(protectedRoleArnSuffixes('aws-service-role/*')).toEqual(['aws-service-role/*']);
  });

  it.each([
    ['OrganizationAccountAccessRole', '/'],
    ['AWSControlTowerExecution', '/'],
    ['stacksets-exec-0123456789abcdef0123456789abcdef', '/'],
    ['AWSCloudFormationStackSetExecutionRole', '/'],
    ['cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1', '/'],
    ['AWSServiceRoleForSupport', '/aws-service-role/support.amazonaws.com/'],
    ['AWSReservedSSO_ReadOnly_0123456789abcdef', '/aws-reserved/sso.amazonaws.com/'],
    ['anything', '/aws-reserved/sso.amazonaws.com/eu-west-1/'],
  ])('the built-in list protects %s at %s', (roleName, path) => {
    expect(protectedBy(BUILT_IN_PROTECTED_ROLES, { roleName, path })).toBeDefined();
  });

  it('leaves ordinary app team roles alone', () => {
    for (const [roleName, path] of [
      ['ci-deployer', '/'],
      ['payments-cdk-deployer', '/'],
      ['reader', '/teams/aws-reserved-budget/'],
    ] as const) {
      expect(protectedBy(BUILT_IN_PROTECTED_ROLES, { roleName, path })).toBeUndefined();
    }
  });

  it('decides a role named without its path by the name patterns only', () => {
    expect(protectedBy(BUILT_IN_PROTECTED_ROLES, { roleName: 'cdk-hnb659fds-deploy-role-111122223333-us-east-1' })).toBe('cdk-*');
    expect(protectedBy(BUILT_IN_PROTECTED_ROLES, { roleName: 'AWSReservedSSO_Admin_0123456789abcdef' })).toBe('AWSReservedSSO_*');
    // `aws-service-role/*` cannot be decided from a name; it must not match every name either.
    expect(protectedBy(['aws-service-role/*'], { roleName: 'ci-deployer' })).toBeUndefined();
  });

  it('matches names regardless of case, as IAM role names are unique regardless of case', () => {
    expect(protectedBy(BUILT_IN_PROTECTED_ROLES, { roleName: 'organizationaccountaccessrole' })).toBe('OrganizationAccountAccessRole');
  });

  it('treats ? as one character and every other character literally', () => {
    expect(protectedBy(['team-?'], { roleName: 'team-a' })).toBe('team-?');
    expect(protectedBy(['team-?'], { roleName: 'team-ab' })).toBeUndefined();
    expect(protectedBy(['a.b'], { roleName: 'axb' })).toBeUndefined();
  });

  it('accepts every built-in pattern and refuses a leading slash or a foreign character', () => {
    for (const pattern of BUILT_IN_PROTECTED_ROLES) expect(pattern).toMatch(PROTECTED_ROLE_PATTERN);
    expect('/aws-service-role/*').not.toMatch(PROTECTED_ROLE_PATTERN);
    expect('role name').not.toMatch(PROTECTED_ROLE_PATTERN);
  });
});
