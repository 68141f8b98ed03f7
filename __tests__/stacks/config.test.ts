import { ConfigError, identityObjectLimit, identityQuotaShare, parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';

/** The example with one field replaced (or removed, with `undefined`). */
function withField(path: string, value: unknown): unknown {
  const config = structuredClone(EXAMPLE_CONFIG) as Record<string, any>;
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((node, key) => node[key], config);
  const last = keys[keys.length - 1];
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return config;
}

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('accepts the embedded example and fills the defaults', () => {
    const config = parseConfig(EXAMPLE_CONFIG);

    expect(config.aws.automationRoleName).toBe('web-identity-automation');
    expect(config.aws.protectedRoles).toEqual([]);
    expect(config.logRetentionDays).toBe(90);
    expect(config.trustPolicyMaxChars).toBe(2048);
    expect(config.backend).toEqual({ type: 'local', path: 'terraform.tfstate' });
  });

  it.each([
    ['entra.tenantId', 'not-a-guid', /entra\.tenantId: expected the Entra tenant ID as a GUID/],
    ['entra.tokenVersion', 3, /entra\.tokenVersion: expected 1 or 2/],
    ['aws.centralAccountId', '12345', /aws\.centralAccountId: expected a 12-digit AWS account ID/],
    ['aws.centralAccountId', 111111111111, /aws\.centralAccountId: expected a 12-digit AWS account ID.*as a string/],
    ['aws.centralRegion', 'Frankfurt', /aws\.centralRegion: expected an AWS region name/],
    [
      'aws.centralRegion',
      'us-gov-west-1',
      /aws\.centralRegion: "us-gov-west-1" is a region of the aws-us-gov partition; only the aws partition is supported/,
    ],
    ['aws.centralRegion', 'cn-north-1', /aws\.centralRegion: "cn-north-1" is a region of the aws-cn partition; only the aws partition/],
    ['aws.centralRegion', 'us-iso-east-1', /aws\.centralRegion: "us-iso-east-1" is a region of the aws-iso partition/],
    ['aws.centralRegion', 'us-isob-east-1', /aws\.centralRegion: "us-isob-east-1" is a region of the aws-iso-b partition/],
    ['aws.centralRegion', 'eu-isoe-west-1', /aws\.centralRegion: "eu-isoe-west-1" is a region of the aws-iso-e partition/],
    ['aws.centralRegion', 'us-isof-south-1', /aws\.centralRegion: "us-isof-south-1" is a region of the aws-iso-f partition/],
    [
      'aws.centralRegion',
      'eusc-de-east-1',
      /aws\.centralRegion: "eusc-de-east-1" is a region of the aws-eusc partition.*Use a commercial region/,
    ],
    [
      'backend',
      { type: 's3', bucket: 'state', key: 'k', region: 'us-gov-east-1' },
      /backend\.region: "us-gov-east-1" is a region of the aws-us-gov partition/,
    ],
    ['aws.organizationId', 'org-1', /aws\.organizationId: expected an AWS Organization ID, e\.g\. "o-/],
    ['aws.targetOuIds', [], /aws\.targetOuIds: name at least one OU/],
    ['aws.targetOuIds', ['ou-bad'], /aws\.targetOuIds\.0: expected an OU ID like "ou-/],
    ['aws.stackSetCallAs', 'ADMIN', /aws\.stackSetCallAs: expected "SELF" or "DELEGATED_ADMIN"/],
    ['aws.automationRoleName', 'has space', /aws\.automationRoleName: expected an IAM role name/],
    [
      'aws.automationRoleName',
      'a'.repeat(56),
      /aws\.automationRoleName: expected an IAM role name of at most 55 characters \(the member roles add "-reader", "-audience" or "-pin"\)/,
    ],
    [
      'aws.protectedRoles',
      ['/aws-service-role/*'],
      /aws\.protectedRoles\.0: "\/aws-service-role\/\*" starts with "\/": write the part of the role ARN after "role\/".*without the leading "\/"/,
    ],
    ['aws.protectedRoles', ['break glass'], /aws\.protectedRoles\.0: "break glass" is not a role pattern/],
    ['aws.protectedRoles', ['*'], /aws\.protectedRoles\.0: "\*" would protect every role/],
    ['aws.protectedRoles', Array(21).fill('x-*'), /aws\.protectedRoles: name at most 20 patterns/],
    ['namePrefix', 'Web_Identity', /namePrefix: expected 2–24 lowercase letters/],
    ['automationCredential', { mode: 'password', secret: 'x' }, /automationCredential\.mode: expected \{ "mode": "federated"/],
    ['automationCredential.issuerUrl', 'http://issuer.example.com', /automationCredential\.issuerUrl: expected an https URL/],
    ['alarmEmail', 'platform-team', /alarmEmail: expected an e-mail address/],
    ['logRetentionDays', 42, /logRetentionDays: expected one of 1, 3, 5/],
    ['trustPolicyMaxChars', 1000, /trustPolicyMaxChars: IAM never allows fewer than 2048/],
    ['tags', { 'aws:owner': 'x' }, /tags\.aws:owner: tag keys starting with "aws:" are reserved/],
    ['backend', { type: 's3', bucket: 'Bad_Bucket', key: 'k', region: 'eu-west-1' }, /backend\.bucket: expected an S3 bucket name/],
    ['entra.tenantId', undefined, /entra\.tenantId: missing: expected the Entra tenant ID as a GUID/],
    ['aws.unknownField', 1, /aws\.unknownField: unknown field/],
    ['entra.audienceMode', 'gateway', /entra\.audienceMode: expected "per-role" or "shared"/],
    ['entra.automationIdentities', 0, /entra\.automationIdentities: at least 1/],
    ['entra.automationIdentities', 65, /entra\.automationIdentities: at most 64/],
    ['entra.quotaShare', 0, /entra\.quotaShare: expected a share in \(0, 1\]/],
    ['entra.quotaShare', 1.5, /entra\.quotaShare: expected a share in \(0, 1\]/],
    ['entra.quotaShare', 0.001, /entra\.quotaShare: 0\.001 of 250 objects leaves fewer than the 2 one role needs/],
    ['entra.maxApplicationsPerAccount', 0, /entra\.maxApplicationsPerAccount: at least 1, or leave it out/],
  ])('rejects %s = %j and says what it expects', (path, value, expected) => {
    const problems = problemsOf(withField(path, value));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('refuses the shared audience and the dual audience with v2 tokens, saying why', () => {
    const shared = problemsOf({ ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, tokenVersion: 2, audienceMode: 'shared' } });
    const dual = problemsOf({ ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, tokenVersion: 2, dualAudience: true } });

    expect(shared).toEqual([
      expect.stringMatching(/^entra\.audienceMode: "shared" needs tokenVersion 1: IAM reads a v2 token's azp claim/),
    ]);
    expect(dual).toEqual([expect.stringMatching(/^entra\.dualAudience: true needs tokenVersion 1/)]);
    expect(
      parseConfig({ ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, tokenVersion: 1, audienceMode: 'shared', dualAudience: true } })
        .entra,
    ).toMatchObject({
      audienceMode: 'shared',
      dualAudience: true,
    });
  });

  it('defaults to per-role audiences, one automation identity and its whole quota, with no cap per account', () => {
    const { entra } = parseConfig(EXAMPLE_CONFIG);

    expect(entra).toMatchObject({
      audienceMode: 'per-role',
      dualAudience: false,
      automationIdentities: 1,
      creatorQuota: 250,
      quotaShare: 1,
    });
    expect(entra.maxApplicationsPerAccount).toBeUndefined();
    expect(identityObjectLimit(entra)).toBe(Infinity);
    expect(identityObjectLimit({ ...entra, quotaShare: 0.9 })).toBe(225);
    // The share the sweep's gauges measure against: the whole quota when the pool goes up to Graph's refusal
    expect(identityQuotaShare(entra)).toBe(250);
    expect(identityQuotaShare({ ...entra, quotaShare: 0.9 })).toBe(225);
  });

  it('accepts protected role patterns by name or by path', () => {
    const config = parseConfig(withField('aws.protectedRoles', ['break-glass-*', 'security/*', 'team-?']));

    expect(config.aws.protectedRoles).toEqual(['break-glass-*', 'security/*', 'team-?']);
  });

  it.each(['us-east-1', 'eu-central-1', 'ap-southeast-7', 'mx-central-1', 'il-central-1', 'ca-west-1'])(
    'accepts the aws partition region %s',
    (name) => {
      expect(parseConfig(withField('aws.centralRegion', name)).aws.centralRegion).toBe(name);
    },
  );

  it('rejects a certificate that is not a PEM certificate', () => {
    const config = withField('automationCredential', {
      mode: 'certificate',
      certificatePem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
    });

    expect(problemsOf(config)).toEqual([expect.stringMatching(/automationCredential\.certificatePem: expected one PEM certificate/)]);
  });

  it('reports every problem at once', () => {
    const config = { ...(withField('entra.tenantId', 'x') as object), namePrefix: '-', alarmEmail: 'nope' };

    const problems = problemsOf(config);

    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['entra.tenantId', 'namePrefix', 'alarmEmail']);
  });
});
