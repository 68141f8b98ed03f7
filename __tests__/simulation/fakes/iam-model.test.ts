import {
  AddClientIDToOpenIDConnectProviderCommand,
  ConcurrentModificationException,
  IAMServiceException,
  NoSuchEntityException,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  LimitExceededException,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, RegionDisabledException, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { encodePolicyDocument, type PolicyDocument } from '../../../functions/shared/iam';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONCURRENT_MODIFICATION_CALLS, IAM_CALL_KEYS, createIamModel, type IamModel } from '../../../simulation/fakes/iam-model';
import { VirtualScheduler } from '../../../simulation/engine/scheduler';

const A = '111111111111';
const B = '222222222222';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const URL = `https://sts.windows.net/${TENANT}/`;
const ARN_A = `arn:aws:iam::${A}:oidc-provider/sts.windows.net/${TENANT}/`;
const POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

let model: IamModel;
let clock: number;

beforeEach(() => {
  clock = Date.parse('2025-06-01T12:00:00Z');
  model = createIamModel(42, { now: () => clock });
  model.addAccount(A);
  model.addAccount(B);
  model.install();
});

afterEach(() => model.restore());

/** An IAM client for `account`, built the way iam.ts builds one: from AssumeRole credentials. */
async function iamFor(account: string, sessionName = 'test-session'): Promise<IAMClient> {
  const { Credentials } = await new STSClient({ region: 'us-east-1' }).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/web-identity-automation`, RoleSessionName: sessionName }),
  );
  return new IAMClient({
    region: 'us-east-1',
    credentials: {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    },
  });
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error as Error,
  );

describe('routing by credentials', () => {
  it("sends each client's calls to the account its credentials were assumed in, even concurrently", async () => {
    model.createRole(A, { roleName: 'same-name', assumeRolePolicyDocument: POLICY, tags: { owner: 'a' } });
    model.createRole(B, { roleName: 'same-name', assumeRolePolicyDocument: POLICY, tags: { owner: 'b' } });
    const [iamA, iamB] = await Promise.all([iamFor(A), iamFor(B)]);

    const results = await Promise.all([iamA, iamB, iamA, iamB].map((client) => client.send(new GetRoleCommand({ RoleName: 'same-name' }))));

    expect(results.map((r) => r.Role!.Arn)).toEqual([
      `arn:aws:iam::${A}:role/same-name`,
      `arn:aws:iam::${B}:role/same-name`,
      `arn:aws:iam::${A}:role/same-name`,
      `arn:aws:iam::${B}:role/same-name`,
    ]);
  });

  it('refuses a client whose credentials did not come from AssumeRole', async () => {
    const stranger = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' } });

    expect(await errorOf(stranger.send(new GetRoleCommand({ RoleName: 'x' })))).toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('refuses expired credentials', async () => {
    const iam = await iamFor(A);
    clock += 3601 * 1000;

    expect(await errorOf(iam.send(new GetRoleCommand({ RoleName: 'x' })))).toMatchObject({ name: 'ExpiredToken' });
  });

  it('refuses AssumeRole into an unknown account and an invalid session name', async () => {
    const sts = new STSClient({ region: 'us-east-1' });
    const assume = (RoleArn: string, RoleSessionName: string) => sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName }));

    expect(await errorOf(assume('arn:aws:iam::999999999999:role/r', 'ok-name'))).toMatchObject({ name: 'AccessDenied' });
    expect(await errorOf(assume(`arn:aws:iam::${A}:role/r`, 'has space'))).toMatchObject({ name: 'ValidationError' });
  });
});

describe('roles', () => {
  it('returns the trust policy URL-encoded, as IAM does, with the tags', async () => {
    model.createRole(A, { roleName: 'r', path: '/team/', assumeRolePolicyDocument: POLICY, tags: { k: 'v' } });
    const iam = await iamFor(A);

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'r' }));

    expect(Role).toMatchObject({
      RoleName: 'r',
      Path: '/team/',
      Arn: `arn:aws:iam::${A}:role/team/r`,
      AssumeRolePolicyDocument: encodePolicyDocument(POLICY),
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    expect(Role!.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/);
    expect(Role!.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
  });

  it("creates, updates and deletes roles through the SDK, with IAM's errors", async () => {
    const iam = await iamFor(A);
    const create = (name: string) => iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(POLICY) }));

    await create('Deployer');
    expect(await errorOf(create('deployer'))).toMatchObject({ name: 'EntityAlreadyExistsException' });
    expect(await errorOf(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Deployer', PolicyDocument: '{not json' })))).toMatchObject(
      {
        name: 'MalformedPolicyDocumentException',
      },
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'Deployer' }));
    expect(await errorOf(iam.send(new GetRoleCommand({ RoleName: 'Deployer' })))).toMatchObject({ name: 'NoSuchEntityException' });
    expect(await errorOf(iam.send(new DeleteRoleCommand({ RoleName: 'Deployer' })))).toMatchObject({ name: 'NoSuchEntityException' });
  });

  it("refuses a trust policy over the account's quota with LimitExceeded", async () => {
    model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
    const iam = await iamFor(A);
    const big = JSON.stringify({ ...POLICY, Id: 'x'.repeat(2048) });

    expect(await errorOf(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: big })))).toMatchObject({
      name: 'LimitExceededException',
      message: expect.stringMatching(/2048/),
    });
    model.addAccount(A, { maxTrustPolicyChars: 4096 });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: big }));
    expect(model.role(A, 'r')!.assumeRolePolicyDocument).toEqual(JSON.parse(big));
  });

  it('does not count whitespace towards the trust policy quota', async () => {
    model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
    const iam = await iamFor(A);
    const padded = JSON.stringify(POLICY).replace(/,/g, `,${' '.repeat(1000)}`);

    expect(padded.length).toBeGreaterThan(2048);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: padded }));
    expect(model.role(A, 'r')!.assumeRolePolicyDocument).toEqual(POLICY);
  });

  it('tags and untags, refusing the 51st tag', async () => {
    model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
    const iam = await iamFor(A);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));

    await iam.send(new TagRoleCommand({ RoleName: 'r', Tags: fifty }));
    await iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [{ Key: 'k0', Value: 'replaced' }] }));
    const error = await errorOf(iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [{ Key: 'k50', Value: 'v' }] })));
    await iam.send(new UntagRoleCommand({ RoleName: 'r', TagKeys: ['k1', 'not-there'] }));
    const { Tags } = await iam.send(new ListRoleTagsCommand({ RoleName: 'r' }));

    expect(error).toMatchObject({ name: 'LimitExceededException' });
    expect(Tags).toHaveLength(49);
    expect(Tags).toContainEqual({ Key: 'k0', Value: 'replaced' });
  });
});

describe('OIDC providers', () => {
  it('creates a provider named by URL without https://, one per URL', async () => {
    const iam = await iamFor(A);

    const { OpenIDConnectProviderArn } = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: URL, ClientIDList: ['a'] }));
    const again = await errorOf(iam.send(new CreateOpenIDConnectProviderCommand({ Url: URL })));
    const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn }));

    expect(OpenIDConnectProviderArn).toBe(ARN_A);
    expect(again).toMatchObject({ name: 'EntityAlreadyExistsException' });
    expect(got).toMatchObject({ Url: `sts.windows.net/${TENANT}/`, ClientIDList: ['a'] });
  });

  it('adds and removes client IDs idempotently', async () => {
    model.createOidcProvider(A, { url: URL });
    const iam = await iamFor(A);
    const add = (ClientID: string) =>
      iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ARN_A, ClientID }));
    const remove = (ClientID: string) =>
      iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ARN_A, ClientID }));

    await add('x');
    await add('x');
    await add('y');
    await remove('x');
    await remove('x');

    expect(model.provider(A, ARN_A)!.clientIds).toEqual(['y']);
  });

  it('refuses the 101st client ID, a client ID over 255 characters, and a missing provider', async () => {
    model.createOidcProvider(A, { url: URL, clientIds: Array.from({ length: 100 }, (_, i) => `c${i}`) });
    const iam = await iamFor(A);
    const add = (arn: string, ClientID: string) =>
      iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID }));

    expect(await errorOf(add(ARN_A, 'c100'))).toMatchObject({ name: 'LimitExceededException', message: expect.stringMatching(/100/) });
    // Adding a client ID the provider has is accepted and changes nothing: "This operation is idempotent"
    // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddClientIDToOpenIDConnectProvider.html).
    await add(ARN_A, 'c99');
    expect(model.provider(A, ARN_A)!.clientIds.filter((id) => id === 'c99')).toHaveLength(1);
    expect(await errorOf(add(ARN_A, 'x'.repeat(256)))).toMatchObject({ name: 'InvalidInputException' });
    expect(await errorOf(add(`arn:aws:iam::${A}:oidc-provider/other`, 'x'))).toMatchObject({ name: 'NoSuchEntityException' });
    expect(model.provider(A, ARN_A)!.clientIds).toHaveLength(100);
  });
});

describe('faults', () => {
  it('fails the next N calls of a command, counting them, without changing state', async () => {
    model.createOidcProvider(A, { url: URL });
    const iam = await iamFor(A);
    model.failNext('iam:AddClientIDToOpenIDConnectProvider', 'ConcurrentModification', 2);
    const add = () => iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ARN_A, ClientID: 'x' }));

    const first = await errorOf(add());
    const second = await errorOf(add());
    await add();

    expect(first).toMatchObject({ name: 'ConcurrentModificationException', $metadata: { httpStatusCode: 409 } });
    expect(second).toMatchObject({ name: 'ConcurrentModificationException' });
    expect(model.calls['iam:AddClientIDToOpenIDConnectProvider']).toBe(3);
    expect(model.history.filter((c) => c.fault !== null)).toHaveLength(2);
    expect(model.provider(A, ARN_A)!.clientIds).toEqual(['x']);
  });

  it("throttles with the name the SDK gives IAM's Throttling code", async () => {
    model.failNext('sts:AssumeRole', 'Throttling');

    expect(await errorOf(iamFor(A))).toMatchObject({ name: 'Throttling' });
  });

  it('makes a seeded storm reproducible', async () => {
    const run = async (seed: number) => {
      model.restore();
      model = createIamModel(seed, { now: () => clock });
      model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
      model.install();
      const iam = await iamFor(A);
      model.startStorm({ rate: 0.5, commands: ['iam:GetRole'] });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        outcomes.push(
          await iam.send(new GetRoleCommand({ RoleName: 'r' })).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      }
      model.stopStorm();
      await iam.send(new GetRoleCommand({ RoleName: 'r' }));
      return outcomes;
    };

    const first = await run(3);
    const second = await run(3);

    expect(second).toEqual(first);
    expect(first).toContain('ok');
    expect(first.some((o) => o !== 'ok')).toBe(true);
  });
});

describe('inline role policies', () => {
  const DENY: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
  /** A document of exactly `chars` characters as IAM counts them (minified). */
  const sized = (chars: number): PolicyDocument => {
    const base = { Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Deny' as const, Action: '*', Resource: '*' }] };
    return { ...base, Statement: [{ ...base.Statement[0]!, Sid: 'x'.repeat(chars - JSON.stringify(base).length) }] };
  };

  it('puts, replaces in place, reads URL-encoded, lists and deletes by name', async () => {
    model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
    const iam = await iamFor(A);

    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: JSON.stringify(POLICY) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: JSON.stringify(DENY) }));
    const read = await iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' }));
    const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: 'r' }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' }));
    const again = await errorOf(iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' })));

    expect(read.PolicyDocument).toBe(encodePolicyDocument(DENY));
    expect(listed.PolicyNames).toEqual(['p']);
    expect(model.role(A, 'r')!.inlinePolicies).toEqual({});
    expect(again).toBeInstanceOf(NoSuchEntityException);
  });

  it("refuses a policy that takes the role's inline policies over 10,240 characters, whitespace not counted, the replaced one not counted", async () => {
    model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY, inlinePolicies: { big: sized(10_000) } });
    const iam = await iamFor(A);
    const room = 10_240 - 10_000;

    const over = await errorOf(
      iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: JSON.stringify(sized(room + 1)) })),
    );
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: JSON.stringify(sized(room), null, 8) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'big', PolicyDocument: JSON.stringify(sized(10_000)) }));

    expect(over).toBeInstanceOf(LimitExceededException);
    expect((over as LimitExceededException).$metadata.httpStatusCode).toBe(409);
    expect(Object.keys(model.role(A, 'r')!.inlinePolicies)).toEqual(['big', 'p']);
  });
});

describe('snapshot and CloudTrail calls', () => {
  it('produces the simulator output shape: role ID, policy as object, tags as map', () => {
    model.createRole(A, { roleName: 'b-role', assumeRolePolicyDocument: JSON.stringify(POLICY), tags: { team: 'payments' } });
    model.createRole(A, { roleName: 'a-role', assumeRolePolicyDocument: POLICY });
    model.createOidcProvider(A, { url: URL, clientIds: ['app'] });

    const snapshot = model.snapshot()[A]!;
    expect(snapshot).toEqual({
      roles: [
        {
          roleName: 'a-role',
          roleId: model.role(A, 'a-role')!.roleId,
          arn: `arn:aws:iam::${A}:role/a-role`,
          assumeRolePolicyDocument: POLICY,
          tags: {},
          inlinePolicies: {},
        },
        {
          roleName: 'b-role',
          roleId: model.role(A, 'b-role')!.roleId,
          arn: `arn:aws:iam::${A}:role/b-role`,
          assumeRolePolicyDocument: POLICY,
          tags: { team: 'payments' },
          inlinePolicies: {},
        },
      ],
      oidcProviders: [{ url: URL, arn: ARN_A, clientIds: ['app'] }],
    });
    expect(Object.keys(snapshot.roles[0]!)).toEqual(['roleName', 'roleId', 'arn', 'assumeRolePolicyDocument', 'tags', 'inlinePolicies']);
    expect(model.snapshot()[B]).toEqual({ roles: [], oidcProviders: [] });
  });

  it("applies TagRole records, merging CloudTrail's [{ key, value }] tags", () => {
    model.applyCloudTrailCall('333333333333', 'CreateRole', {
      roleName: 'ci-deployer',
      assumeRolePolicyDocument: JSON.stringify(POLICY),
      tags: [{ key: 'team', value: 'payments' }],
    });

    const tagged = model.applyCloudTrailCall('333333333333', 'TagRole', {
      roleName: 'ci-deployer',
      tags: [{ key: 'entra:owners', value: 'a b' }],
    });
    const absent = model.applyCloudTrailCall('333333333333', 'TagRole', { roleName: 'gone', tags: [{ key: 'x', value: 'y' }] });

    expect([tagged, absent]).toEqual(['updated', 'absent']);
    expect(model.role('333333333333', 'ci-deployer')!.tags).toEqual({ team: 'payments', 'entra:owners': 'a b' });
  });

  it('applies CreateRole, UpdateAssumeRolePolicy and DeleteRole records', () => {
    // requestParameters shaped like the CloudTrail CreateRole example in
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html (policy as a JSON string).
    const created = model.applyCloudTrailCall('333333333333', 'CreateRole', {
      roleName: 'ci-deployer',
      path: '/',
      assumeRolePolicyDocument: JSON.stringify(POLICY, null, 2),
      tags: [{ key: 'team', value: 'payments' }],
    });
    const updated = model.applyCloudTrailCall('333333333333', 'UpdateAssumeRolePolicy', {
      roleName: 'ci-deployer',
      policyDocument: JSON.stringify({ ...POLICY, Id: 'v2' }),
    });
    const afterUpdate = model.role('333333333333', 'ci-deployer');
    const deleted = model.applyCloudTrailCall('333333333333', 'DeleteRole', { roleName: 'ci-deployer' });
    const deletedAgain = model.applyCloudTrailCall('333333333333', 'DeleteRole', { roleName: 'ci-deployer' });

    expect([created, updated, deleted, deletedAgain]).toEqual(['created', 'updated', 'deleted', 'absent']);
    expect(afterUpdate).toMatchObject({ assumeRolePolicyDocument: { ...POLICY, Id: 'v2' }, tags: { team: 'payments' } });
    expect(model.role('333333333333', 'ci-deployer')).toBeNull();
    expect(model.calls).toEqual({});
  });

  it('names the missing field of a record it cannot apply', () => {
    expect(() => model.applyCloudTrailCall(A, 'CreateRole', { roleName: 'r' })).toThrow(/requestParameters\.assumeRolePolicyDocument/);
    expect(() => model.applyCloudTrailCall(A, 'AttachRolePolicy', { roleName: 'r' })).toThrow(/AttachRolePolicy/);
  });
});

describe('role IDs', () => {
  it('keeps the role ID a world gives, and generates distinct ones otherwise', () => {
    // Act
    const given = model.createRole(A, { roleName: 'given', roleId: 'AROAGIVEN00000000000A', assumeRolePolicyDocument: POLICY });
    const generated = Array.from(
      { length: 20 },
      (_, i) => model.createRole(B, { roleName: `r${i}`, assumeRolePolicyDocument: POLICY }).roleId,
    );
    // Assess
    expect(given.roleId).toBe('AROAGIVEN00000000000A');
    expect(new Set(generated).size).toBe(20);
    for (const id of generated) expect(id).toMatch(/^AROA[A-Z2-7]{17}$/);
  });

  it('refuses a malformed role ID and one another role has, in any account', () => {
    // Prepare
    model.createRole(A, { roleName: 'first', roleId: 'AROAGIVEN00000000000A', assumeRolePolicyDocument: POLICY });
    // Act
    const duplicate = () => model.createRole(B, { roleName: 'second', roleId: 'AROAGIVEN00000000000A', assumeRolePolicyDocument: POLICY });
    const malformed = () => model.createRole(B, { roleName: 'third', roleId: 'AIDA123', assumeRolePolicyDocument: POLICY });
    // Assess
    expect(duplicate).toThrow(/already another role's/);
    expect(malformed).toThrow(/must be AROA followed by 17/);
  });

  it('gives a role re-created by a CloudTrail CreateRole a new ID, as IAM does', () => {
    // Prepare
    const before = model.createRole(A, { roleName: 'again', assumeRolePolicyDocument: POLICY }).roleId;
    // Act
    model.applyCloudTrailCall(A, 'CreateRole', { roleName: 'again', assumeRolePolicyDocument: JSON.stringify(POLICY) });
    // Assess
    expect(model.role(A, 'again')!.roleId).not.toBe(before);
  });
});

describe('faults on call keys (as world files state them)', () => {
  it('answers with the SDK class the SDK models for the code, with its status', async () => {
    // Prepare
    model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
    const iam = await iamFor(A);
    model.faults.add({ call: 'iam:UpdateAssumeRolePolicy', answer: { status: 409, code: 'ConcurrentModification' }, times: 0 });
    model.faults.add({ call: 'iam:GetRole', answer: { status: 404, code: 'NoSuchEntity' } });
    // Act
    const update = await errorOf(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: JSON.stringify(POLICY) })));
    const updateAgain = await errorOf(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: JSON.stringify(POLICY) })),
    );
    const get = await errorOf(iam.send(new GetRoleCommand({ RoleName: 'r' })));
    // Assess
    expect(update).toBeInstanceOf(ConcurrentModificationException);
    expect(update).toMatchObject({ name: 'ConcurrentModificationException', $metadata: { httpStatusCode: 409 } });
    expect(updateAgain).toBeInstanceOf(ConcurrentModificationException);
    expect(get).toBeInstanceOf(NoSuchEntityException);
    expect(model.history.map((c) => c.fault)).toEqual([null, 'ConcurrentModification', 'ConcurrentModification', 'NoSuchEntity']);
  });

  it('answers a code the SDK does not model as the service exception named after the code', async () => {
    // Prepare
    model.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
    const iam = await iamFor(A);
    model.faults.add({ call: 'iam:TagRole', answer: { status: 403, code: 'AccessDenied' }, skip: 1 });
    const tag = () => iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [{ Key: 'k', Value: 'v' }] }));
    // Act
    await tag();
    const denied = await errorOf(tag());
    // Assess
    expect(denied).toBeInstanceOf(IAMServiceException);
    expect(denied).toMatchObject({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
  });

  it('answers STS faults with STS errors', async () => {
    // Prepare
    model.faults.add({ call: 'sts:AssumeRole', answer: { status: 403, code: 'RegionDisabledException' } });
    model.faults.add({ call: 'sts:AssumeRole', answer: { status: 403, code: 'AccessDenied' } });
    // Act
    const disabled = await errorOf(iamFor(A));
    const denied = await errorOf(iamFor(A));
    // Assess
    expect(disabled).toBeInstanceOf(RegionDisabledException);
    expect(denied).toBeInstanceOf(STSServiceException);
    expect(denied).toMatchObject({ name: 'AccessDenied' });
    expect(model.calls['sts:AssumeRole']).toBe(2);
  });
});

describe('concurrent writes on the virtual clock', () => {
  let timed: IamModel;
  let scheduler: VirtualScheduler;
  const ARN_T = `arn:aws:iam::${A}:oidc-provider/sts.windows.net/${TENANT}/`;

  beforeEach(() => {
    // The outer model is installed by the file's beforeEach; this one replaces its mocks.
    model.restore();
    scheduler = new VirtualScheduler(3, { iam: [100, 100], 'iam-write': [200, 200], sts: [10, 10] });
    timed = createIamModel(5, { now: () => clock, timing: scheduler });
    timed.addAccount(A);
    timed.createOidcProvider(A, { url: URL });
    timed.createRole(A, { roleName: 'r', assumeRolePolicyDocument: POLICY });
    timed.install();
  });
  afterEach(() => timed.restore());

  /** Runs the calls concurrently on the virtual clock; each settles to its value or its error. */
  async function concurrently(...calls: (() => Promise<unknown>)[]): Promise<unknown[]> {
    const results = Promise.all(
      calls.map((call) =>
        call().then(
          (value) => value,
          (error: unknown) => error,
        ),
      ),
    );
    await scheduler.run();
    return results;
  }

  async function timedClient(): Promise<IAMClient> {
    const pending = iamFor(A);
    await scheduler.run();
    return pending;
  }

  it('refuses a client ID write that arrives while another write to the provider is being applied: ConcurrentModification, 409', async () => {
    // Prepare
    const iam = await timedClient();
    const add = (clientId: string) => () =>
      iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ARN_T, ClientID: clientId }));
    // Act: both arrive 50 ms after they were sent; whichever IAM takes first takes 200 ms to apply
    const results = await concurrently(add('one'), add('two'));
    // Assess
    const refused = results.findIndex((result) => result instanceof ConcurrentModificationException);
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(results[refused]).toMatchObject({ name: 'ConcurrentModificationException', $metadata: { httpStatusCode: 409 } });
    expect(results[1 - refused]).not.toBeInstanceOf(Error);
    expect(timed.provider(A, ARN_T)?.clientIds).toEqual([refused === 0 ? 'two' : 'one']);
    expect(timed.history.filter((call) => call.fault === 'ConcurrentModification')).toHaveLength(1);
  });

  it('accepts the same writes one after the other (control)', async () => {
    const iam = await timedClient();
    const add = (clientId: string) =>
      iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ARN_T, ClientID: clientId }));
    await concurrently(() => add('one'));
    await concurrently(() => add('two'));
    expect(timed.provider(A, ARN_T)?.clientIds).toEqual(['one', 'two']);
  });

  it('refuses a TagRole overlapping a trust-policy write of the same role, but never refuses UpdateAssumeRolePolicy, whose page lists no such error', async () => {
    // Prepare
    const iam = await timedClient();
    const update = () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: JSON.stringify(POLICY) }));
    const tag = () => iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [{ Key: 'k', Value: 'v' }] }));
    // Act: the trust-policy write is sent first and arrives 100 ms before the tag
    const [updated, tagged] = await concurrently(update, async () => {
      await scheduler.sleep(100);
      return tag();
    });
    const [again, updatedTwice] = await concurrently(update, update);
    // Assess
    expect(updated).not.toBeInstanceOf(Error);
    expect(tagged).toBeInstanceOf(ConcurrentModificationException);
    expect([again, updatedTwice].filter((result) => result instanceof Error)).toEqual([]);
  });

  it('lets writes to different roles overlap freely', async () => {
    timed.createRole(A, { roleName: 'other', assumeRolePolicyDocument: POLICY });
    const iam = await timedClient();
    const tag = (RoleName: string) => () => iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: 'k', Value: 'v' }] }));
    const results = await concurrently(tag('r'), tag('other'));
    expect(results.filter((result) => result instanceof Error)).toEqual([]);
  });

  /** The automation reads role r, the app team writes its trust policy, the automation writes what it computed from its read. */
  async function overwriteTeamEdit(iam: IAMClient): Promise<void> {
    await concurrently(() => iam.send(new GetRoleCommand({ RoleName: 'r' })));
    timed.applyCloudTrailCall(A, 'UpdateAssumeRolePolicy', {
      roleName: 'r',
      policyDocument: JSON.stringify({ ...POLICY, Id: 'team-edit' }),
    });
    await concurrently(() => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: JSON.stringify(POLICY) })));
  }

  it('notes a trust policy the automation wrote over an app team write it never read', async () => {
    // Prepare, act: the team's write is a CloudTrail call applied to the world, between the automation's read and write
    const iam = await timedClient();
    await overwriteTeamEdit(iam);
    // Assess: lost until the team's document is written again
    expect(timed.trustPolicyOverwrites).toEqual([{ accountId: A, roleName: 'r', sessionName: 'test-session', repaired: false }]);
    await concurrently(() => iam.send(new GetRoleCommand({ RoleName: 'r' })));
    await concurrently(() =>
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: JSON.stringify({ ...POLICY, Id: 'team-edit' }) })),
    );
    expect(timed.trustPolicyOverwrites).toEqual([{ accountId: A, roleName: 'r', sessionName: 'test-session', repaired: true }]);
  });

  it('counts an overwrite as repaired when the role was deleted since, and not when another document was written', async () => {
    const iam = await timedClient();
    await overwriteTeamEdit(iam);
    await concurrently(() => iam.send(new GetRoleCommand({ RoleName: 'r' })));
    await concurrently(() =>
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: JSON.stringify({ ...POLICY, Id: 'other' }) })),
    );
    expect(timed.trustPolicyOverwrites.map((o) => o.repaired)).toEqual([false]);
    timed.applyCloudTrailCall(A, 'DeleteRole', { roleName: 'r' });
    expect(timed.trustPolicyOverwrites.map((o) => o.repaired)).toEqual([true]);
  });

  it('does not note a write after a fresh read (control)', async () => {
    const iam = await timedClient();
    timed.applyCloudTrailCall(A, 'UpdateAssumeRolePolicy', {
      roleName: 'r',
      policyDocument: JSON.stringify({ ...POLICY, Id: 'team-edit' }),
    });
    await concurrently(() => iam.send(new GetRoleCommand({ RoleName: 'r' })));
    await concurrently(() => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: JSON.stringify(POLICY) })));
    expect(timed.trustPolicyOverwrites).toEqual([]);
  });
});

describe('which calls answer ConcurrentModification', () => {
  it('are exactly the modelled calls whose SDK command documents ConcurrentModificationException', () => {
    // Prepare: the SDK's own documentation of each command (its @throws list comes from the API model)
    const commands = join(dirname(require.resolve('@aws-sdk/client-iam/package.json')), 'dist-types', 'commands');
    const documented = IAM_CALL_KEYS.filter((key) => key.startsWith('iam:')).filter((key) =>
      readFileSync(join(commands, `${key.slice(4)}Command.d.ts`), 'utf8').includes('@throws {@link ConcurrentModificationException}'),
    );
    // Assess
    expect([...CONCURRENT_MODIFICATION_CALLS].sort()).toEqual(documented.sort());
    expect(documented).not.toContain('iam:UpdateAssumeRolePolicy');
  });
});
