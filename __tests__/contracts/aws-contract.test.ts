import * as iam from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONCURRENT_MODIFICATION_CALLS,
  IAM_CALL_KEYS,
  createIamModel,
  type CallKey,
  type IamModel,
} from '../../simulation/fakes/iam-model';
import { errorProblem, memberProblem, sdkOperation, type SdkOperation, type Service } from './support/aws-contract';

/**
 * The IAM and STS models held against the shapes the AWS SDK v3 clients ship (support/aws-contract.ts):
 * every operation the model serves exists, every input member it reads is a member of the
 * operation's input, every error it answers is one the operation lists or a common error. Likewise
 * for the credential helper's loopback STS/IAM endpoint (__tests__/credential-helper/support/aws-fake.ts).
 */

const ACCOUNT = '111111111111';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PROVIDER_URL = `https://sts.windows.net/${TENANT}/`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/${TENANT}/`;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const operationOf = (key: string): SdkOperation => {
  const [service, name] = key.split(':') as [Service, string];
  const operation = sdkOperation(service, name);
  if (!operation) throw new Error(`${key}: the SDK has no such operation`);
  return operation;
};

interface Observation {
  readonly key: string;
  readonly membersRead: Set<string>;
  error?: { readonly name: string; readonly status: number | undefined };
}

/** A request input that records each member the model reads. */
function recorded(key: string, input: Record<string, unknown>, log: Observation[]): Record<string, unknown> {
  const observation: Observation = { key, membersRead: new Set() };
  log.push(observation);
  return new Proxy(input, {
    get(target, property, receiver) {
      if (typeof property === 'string') observation.membersRead.add(property);
      return Reflect.get(target, property, receiver);
    },
  });
}

/** Every operation the model serves, valid and refused, and each fault it injects. */
async function observeIamModel(): Promise<Observation[]> {
  const log: Observation[] = [];
  let clock = Date.parse('2025-06-01T12:00:00Z');
  const model: IamModel = createIamModel(7, { now: () => clock });
  model.addAccount(ACCOUNT);
  model.install();
  const sts = new STSClient({ region: 'us-east-1' });
  const assume = async (input: Record<string, unknown>) => {
    const observation = recorded('sts:AssumeRole', input, log);
    try {
      return (await sts.send(new AssumeRoleCommand(observation as never))).Credentials;
    } catch (error) {
      log.at(-1)!.error = { name: (error as Error).name, status: (error as iam.IAMServiceException).$metadata?.httpStatusCode };
      return undefined;
    }
  };
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/web-identity-automation`;
  try {
    const credentials = await assume({ RoleArn: roleArn, RoleSessionName: 'contract', DurationSeconds: 900 });
    await assume({ RoleArn: 'not-an-arn', RoleSessionName: 'contract' });
    await assume({ RoleArn: roleArn, RoleSessionName: 'bad name!' });
    await assume({ RoleArn: roleArn, RoleSessionName: 'contract', DurationSeconds: 60 });
    await assume({ RoleArn: 'arn:aws:iam::999999999999:role/x', RoleSessionName: 'contract' });
    const client = new iam.IAMClient({
      region: 'us-east-1',
      credentials: {
        accessKeyId: credentials!.AccessKeyId!,
        secretAccessKey: credentials!.SecretAccessKey!,
        sessionToken: credentials!.SessionToken!,
      },
    });
    const stranger = new iam.IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'ASIAUNKNOWN', secretAccessKey: 'x' } });
    const send = async (key: CallKey, Command: new (input: never) => unknown, input: Record<string, unknown>, by = client) => {
      const proxy = recorded(key, input, log);
      const observation = log.at(-1)!;
      try {
        await by.send(new Command(proxy as never) as never);
      } catch (error) {
        observation.error = { name: (error as Error).name, status: (error as iam.IAMServiceException).$metadata?.httpStatusCode };
      }
    };
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const cases: [CallKey, new (input: never) => unknown, Record<string, unknown>][] = [
      [
        'iam:CreateRole',
        iam.CreateRoleCommand,
        { RoleName: 'app', Path: '/ci/', AssumeRolePolicyDocument: POLICY, Tags: tags(2), Description: 'x', MaxSessionDuration: 3600 },
      ],
      ['iam:CreateRole', iam.CreateRoleCommand, { RoleName: 'app', AssumeRolePolicyDocument: POLICY }],
      ['iam:CreateRole', iam.CreateRoleCommand, { RoleName: 'bad name!', AssumeRolePolicyDocument: POLICY }],
      ['iam:CreateRole', iam.CreateRoleCommand, { RoleName: 'other', Path: 'no-slash', AssumeRolePolicyDocument: POLICY }],
      ['iam:CreateRole', iam.CreateRoleCommand, { RoleName: 'many-tags', AssumeRolePolicyDocument: POLICY, Tags: tags(51) }],
      ['iam:CreateRole', iam.CreateRoleCommand, { RoleName: 'bad-policy', AssumeRolePolicyDocument: '{not json' }],
      ['iam:GetRole', iam.GetRoleCommand, { RoleName: 'app' }],
      ['iam:GetRole', iam.GetRoleCommand, { RoleName: 'missing' }],
      ['iam:UpdateAssumeRolePolicy', iam.UpdateAssumeRolePolicyCommand, { RoleName: 'app', PolicyDocument: POLICY }],
      ['iam:UpdateAssumeRolePolicy', iam.UpdateAssumeRolePolicyCommand, { RoleName: 'app', PolicyDocument: '{not json' }],
      [
        'iam:UpdateAssumeRolePolicy',
        iam.UpdateAssumeRolePolicyCommand,
        { RoleName: 'app', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [], Pad: 'x'.repeat(9000) }) },
      ],
      ['iam:UpdateAssumeRolePolicy', iam.UpdateAssumeRolePolicyCommand, { RoleName: 'missing', PolicyDocument: POLICY }],
      ['iam:TagRole', iam.TagRoleCommand, { RoleName: 'app', Tags: tags(3) }],
      ['iam:TagRole', iam.TagRoleCommand, { RoleName: 'app', Tags: tags(60) }],
      ['iam:TagRole', iam.TagRoleCommand, { RoleName: 'app', Tags: [{ Key: '', Value: 'v' }] }],
      ['iam:TagRole', iam.TagRoleCommand, { RoleName: 'missing', Tags: tags(1) }],
      ['iam:UntagRole', iam.UntagRoleCommand, { RoleName: 'app', TagKeys: ['k0'] }],
      ['iam:UntagRole', iam.UntagRoleCommand, { RoleName: 'missing', TagKeys: ['k0'] }],
      ['iam:ListRoleTags', iam.ListRoleTagsCommand, { RoleName: 'app', MaxItems: 10 }],
      ['iam:ListRoleTags', iam.ListRoleTagsCommand, { RoleName: 'missing' }],
      ['iam:PutRolePolicy', iam.PutRolePolicyCommand, { RoleName: 'app', PolicyName: 'inline', PolicyDocument: POLICY }],
      ['iam:PutRolePolicy', iam.PutRolePolicyCommand, { RoleName: 'app', PolicyName: 'inline', PolicyDocument: '{not json' }],
      ['iam:PutRolePolicy', iam.PutRolePolicyCommand, { RoleName: 'app', PolicyName: 'bad name!', PolicyDocument: POLICY }],
      [
        'iam:PutRolePolicy',
        iam.PutRolePolicyCommand,
        {
          RoleName: 'app',
          PolicyName: 'big',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [], Pad: 'x'.repeat(10_300) }),
        },
      ],
      ['iam:PutRolePolicy', iam.PutRolePolicyCommand, { RoleName: 'missing', PolicyName: 'inline', PolicyDocument: POLICY }],
      ['iam:GetRolePolicy', iam.GetRolePolicyCommand, { RoleName: 'app', PolicyName: 'inline' }],
      ['iam:GetRolePolicy', iam.GetRolePolicyCommand, { RoleName: 'app', PolicyName: 'absent' }],
      ['iam:ListRolePolicies', iam.ListRolePoliciesCommand, { RoleName: 'app', MaxItems: 10 }],
      ['iam:ListRolePolicies', iam.ListRolePoliciesCommand, { RoleName: 'missing' }],
      ['iam:DeleteRolePolicy', iam.DeleteRolePolicyCommand, { RoleName: 'app', PolicyName: 'inline' }],
      ['iam:DeleteRolePolicy', iam.DeleteRolePolicyCommand, { RoleName: 'app', PolicyName: 'inline' }],
      ['iam:ListRoles', iam.ListRolesCommand, { PathPrefix: '/', MaxItems: 1 }],
      ['iam:ListRoles', iam.ListRolesCommand, { Marker: '1', MaxItems: 1 }],
      ['iam:ListRoles', iam.ListRolesCommand, { MaxItems: 5000 }],
      ['iam:ListRoles', iam.ListRolesCommand, { Marker: 'not-a-marker' }],
      ['iam:GetAccountAuthorizationDetails', iam.GetAccountAuthorizationDetailsCommand, { Filter: ['Role'], MaxItems: 1 }],
      ['iam:GetAccountAuthorizationDetails', iam.GetAccountAuthorizationDetailsCommand, { Filter: ['Role'], Marker: '1', MaxItems: 1 }],
      ['iam:GetAccountAuthorizationDetails', iam.GetAccountAuthorizationDetailsCommand, {}],
      ['iam:GetAccountAuthorizationDetails', iam.GetAccountAuthorizationDetailsCommand, { Filter: ['Roles'] }],
      ['iam:GetAccountAuthorizationDetails', iam.GetAccountAuthorizationDetailsCommand, { Filter: ['Role'], MaxItems: 5000 }],
      [
        'iam:CreateOpenIDConnectProvider',
        iam.CreateOpenIDConnectProviderCommand,
        { Url: PROVIDER_URL, ClientIDList: ['a'], ThumbprintList: [] },
      ],
      ['iam:CreateOpenIDConnectProvider', iam.CreateOpenIDConnectProviderCommand, { Url: PROVIDER_URL, ClientIDList: ['a'] }],
      ['iam:CreateOpenIDConnectProvider', iam.CreateOpenIDConnectProviderCommand, { Url: 'http://insecure', ClientIDList: [] }],
      [
        'iam:CreateOpenIDConnectProvider',
        iam.CreateOpenIDConnectProviderCommand,
        { Url: 'https://many.example', ClientIDList: Array.from({ length: 101 }, (_, i) => `c${i}`) },
      ],
      ['iam:GetOpenIDConnectProvider', iam.GetOpenIDConnectProviderCommand, { OpenIDConnectProviderArn: PROVIDER_ARN }],
      ['iam:GetOpenIDConnectProvider', iam.GetOpenIDConnectProviderCommand, { OpenIDConnectProviderArn: `${PROVIDER_ARN}missing` }],
      [
        'iam:AddClientIDToOpenIDConnectProvider',
        iam.AddClientIDToOpenIDConnectProviderCommand,
        { OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'b' },
      ],
      [
        'iam:AddClientIDToOpenIDConnectProvider',
        iam.AddClientIDToOpenIDConnectProviderCommand,
        { OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: '' },
      ],
      [
        'iam:AddClientIDToOpenIDConnectProvider',
        iam.AddClientIDToOpenIDConnectProviderCommand,
        { OpenIDConnectProviderArn: `${PROVIDER_ARN}missing`, ClientID: 'b' },
      ],
      [
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        iam.RemoveClientIDFromOpenIDConnectProviderCommand,
        { OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'b' },
      ],
      [
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        iam.RemoveClientIDFromOpenIDConnectProviderCommand,
        { OpenIDConnectProviderArn: `${PROVIDER_ARN}missing`, ClientID: 'b' },
      ],
      ['iam:DeleteRole', iam.DeleteRoleCommand, { RoleName: 'app' }],
      ['iam:DeleteRole', iam.DeleteRoleCommand, { RoleName: 'app' }],
    ];
    for (const [key, Command, input] of cases) await send(key, Command, input);
    // A storm of each kind the model injects hits every call (`startStorm`'s default commands).
    for (const kind of ['ConcurrentModification', 'Throttling'] as const) {
      model.startStorm({ rate: 1, faults: [kind] });
      for (const [key, Command, input] of cases) await send(key, Command, input);
      model.stopStorm();
    }
    await send('iam:GetRole', iam.GetRoleCommand, { RoleName: 'app' }, stranger);
    clock += 2 * 3600 * 1000;
    await send('iam:GetRole', iam.GetRoleCommand, { RoleName: 'app' });
  } finally {
    model.restore();
  }
  return log;
}

let observations: Observation[];

beforeAll(async () => {
  observations = await observeIamModel();
});

describe('the IAM and STS models against the AWS SDK', () => {
  it('serve only operations the SDK clients ship', () => {
    // Act
    const missing = [...IAM_CALL_KEYS, 'sts:AssumeRole'].filter((key) => {
      const [service, name] = key.split(':') as [Service, string];
      return sdkOperation(service, name) === undefined;
    });
    // Assess
    expect(missing).toEqual([]);
  });

  it('are observed on every operation they serve', () => {
    // Assess
    expect([...IAM_CALL_KEYS, 'sts:AssumeRole'].filter((key) => !observations.some((o) => o.key === key))).toEqual([]);
    expect(observations.filter((o) => o.error).length).toBeGreaterThan(20);
  });

  it('read only input members of the operation', () => {
    // Act
    const problems = observations.flatMap((o) => [...o.membersRead].flatMap((member) => memberProblem(operationOf(o.key), member) ?? []));
    // Assess
    expect(
      [...IAM_CALL_KEYS, 'sts:AssumeRole'].filter((key) => !observations.some((o) => o.key === key && o.membersRead.size > 0)),
    ).toEqual([]);
    expect([...new Set(problems)]).toEqual([]);
  });

  it('answer only errors the operation lists, or common errors, with the status the SDK models', () => {
    // Act
    const problems = observations.flatMap((o) => (o.error ? (errorProblem(operationOf(o.key), o.error.name, o.error.status) ?? []) : []));
    // Assess
    expect([...new Set(problems)]).toEqual([]);
  });

  it('the calls refused with ConcurrentModification are exactly those whose SDK command lists it', () => {
    // Act
    const listing = IAM_CALL_KEYS.filter((key) => operationOf(key).errors.some((e) => e.code === 'ConcurrentModification'));
    // Assess
    expect(new Set(listing)).toEqual(CONCURRENT_MODIFICATION_CALLS);
  });
});

describe("the credential helper's loopback STS and IAM endpoint against the AWS SDK", () => {
  const source = readFileSync(join(__dirname, '../credential-helper/support/aws-fake.ts'), 'utf8');

  /** Each action it answers: the members it reads from the form and the errors it answers (service by namespace). */
  function answered(text: string) {
    const handlers = [...text.matchAll(/case '(\w+)':\s*return (\w+)\(/g)].map(([, action, fn]) => {
      const body = new RegExp(`function ${fn}\\([^)]*\\)[^{]*\\{([\\s\\S]*?)\\n  \\}\\n`).exec(text)?.[1] ?? '';
      const errors = [...body.matchAll(/error\(\s*response,\s*(\d+),\s*(\w+)_NS,\s*'(\w+)'/g)].map(([, status, ns, code]) => ({
        service: (ns === 'STS' ? 'sts' : 'iam') as Service,
        status: Number(status),
        code: code!,
      }));
      const members = [...body.matchAll(/form\.get\('(\w+)'\)/g)].map(([, member]) => member!);
      return { action: action!, members, errors };
    });
    const fallback = [...text.matchAll(/default:\s*return error\(\s*response,\s*(\d+),\s*\w+_NS,\s*'(\w+)'/g)].map(([, , code]) => code!);
    return { handlers, fallback };
  }

  function problemsOf(text: string): string[] {
    const { handlers, fallback } = answered(text);
    return [
      ...handlers.flatMap(({ action, members, errors }) => {
        const services = [...new Set(errors.map((e) => e.service))];
        const operation = sdkOperation(services[0] ?? 'sts', action) ?? sdkOperation('iam', action);
        if (!operation) return [`${action}: no such operation in the SDK`];
        return [
          ...(services.length > 1 || (services[0] && services[0] !== operation.service)
            ? [`${action}: answered in another service's namespace`]
            : []),
          ...members.flatMap((member) => memberProblem(operation, member) ?? []),
          ...errors.flatMap((e) => errorProblem(operation, e.code, e.status) ?? []),
        ];
      }),
      ...fallback.filter((code) => code !== 'InvalidAction').map((code) => `unknown actions answer ${code}, not InvalidAction`),
    ];
  }

  it('answers actions the SDK ships, reads their members and answers their errors', () => {
    // Act
    const { handlers } = answered(source);
    // Assess
    expect(handlers.map((h) => h.action)).toEqual(['AssumeRoleWithWebIdentity', 'GetRole', 'GetOpenIDConnectProvider']);
    expect(handlers.every((h) => h.members.length > 0 && h.errors.length > 0)).toBe(true);
    expect(problemsOf(source)).toEqual([]);
  });

  it.each([
    [
      'an error the operation never answers',
      (text: string) => text.replace("IAM_NS, 'NoSuchEntity', `The role", "IAM_NS, 'EntityAlreadyExists', `The role"),
      /GetRole never answers EntityAlreadyExists/,
    ],
    [
      'a modelled error with another status',
      (text: string) => text.replace("404, IAM_NS, 'NoSuchEntity'", "400, IAM_NS, 'NoSuchEntity'"),
      /answers NoSuchEntity with 404, not 400/,
    ],
    [
      'a member the operation does not have',
      (text: string) => text.replace("form.get('RoleName')", "form.get('RoleNames')"),
      /has no input member RoleNames/,
    ],
  ])('negative control: %s is caught', (_name, mutate, problem) => {
    // Act
    const problems = problemsOf(mutate(source));
    // Assess
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

describe('negative controls of the SDK contract', () => {
  it.each([
    [
      'an error the operation never answers',
      () => errorProblem(operationOf('iam:GetRole'), 'ConcurrentModificationException'),
      /never answers ConcurrentModificationException/,
    ],
    [
      'a modelled error with another status',
      () => errorProblem(operationOf('iam:TagRole'), 'NoSuchEntity', 400),
      /answers NoSuchEntity with 404, not 400/,
    ],
    [
      'a code nobody models',
      () => errorProblem(operationOf('iam:TagRole'), 'RoleGone'),
      /neither an error of the operation nor a common error/,
    ],
    [
      'an input member the operation lacks',
      () => memberProblem(operationOf('iam:UpdateAssumeRolePolicy'), 'AssumeRolePolicyDocument'),
      /has no input member AssumeRolePolicyDocument/,
    ],
    [
      'an operation the SDK does not ship',
      () => (sdkOperation('iam', 'PinRole') === undefined ? 'iam:PinRole: no such operation' : undefined),
      /no such operation/,
    ],
  ])('%s is caught', (_name, check, problem) => {
    // Assess
    expect(check()).toMatch(problem);
  });
});
