import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AudienceLimitExceededError,
  IamConcurrentModificationError,
  IamThrottledError,
  InvalidInputError,
  MemberAccountAccessError,
  OidcProviderNotFoundError,
  RoleNotFoundError,
  TrustPolicyRewriteError,
} from '../../../functions/shared/errors';
import { createOpenMemberAccount } from '../../../functions/shared/iam';
import { sanitizeSessionName } from '../../../functions/shared/task-context';
import type { PolicyDocument } from '../../../functions/shared/ports';
import { createIamModel, type IamModel } from '../../../simulation/iam-model';

const ACCOUNT = '111122223333';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PROVIDER_URL = `https://sts.windows.net/${TENANT}/`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/${TENANT}/`;
const APP_ID = '00000000-1111-2222-3333-444444444444';
const SESSION = 'exec-7f1c2d3e-0000-4000-8000-000000000001';

const trustPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER_ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`sts.windows.net/${TENANT}/:aud`]: 'placeholder' } },
    },
  ],
};

let model: IamModel;
let clock: number;
let sleeps: number[];

function open(overrides: { makeIamClient?: (config: IAMClientConfig) => IAMClient } = {}) {
  return createOpenMemberAccount({
    sts: new STSClient({ region: 'us-east-1' }),
    memberRoleName: 'web-identity-automation-pin',
    region: 'us-east-1',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    now: () => clock,
    ...overrides,
  });
}

beforeEach(() => {
  clock = Date.parse('2025-06-01T12:00:00Z');
  sleeps = [];
  model = createIamModel(7, { now: () => clock });
  model.createOidcProvider(ACCOUNT, { url: PROVIDER_URL });
  model.createRole(ACCOUNT, { roleName: 'ci-deployer', assumeRolePolicyDocument: trustPolicy, tags: { team: 'payments' } });
  model.install();
});

afterEach(() => model.restore());

describe('sanitizeSessionName', () => {
  it('keeps a valid name as is', () => {
    expect(sanitizeSessionName('Web-Identity-Role-Create.abc@x=1,y+2')).toBe('Web-Identity-Role-Create.abc@x=1,y+2');
  });

  it('replaces characters STS refuses', () => {
    expect(sanitizeSessionName('exec:arn/with spaces')).toBe('exec-arn-with-spaces');
  });

  it('cuts long names to 64 characters, keeping two long names apart', () => {
    const a = sanitizeSessionName(`${'x'.repeat(70)}a`);
    const b = sanitizeSessionName(`${'x'.repeat(70)}b`);

    expect(a).toHaveLength(64);
    expect(a).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(a).not.toBe(b);
  });

  it('pads a name shorter than 2 characters', () => {
    expect(sanitizeSessionName('')).toMatch(/^[\w+=,.@-]{2}$/);
    expect(sanitizeSessionName('a')).toMatch(/^a[\w+=,.@-]$/);
  });
});

describe('createOpenMemberAccount', () => {
  it('assumes the given member role in the member account with a sanitised session name', async () => {
    const iam = await open()(ACCOUNT, 'Web-Identity-Role-Create:exec 1');

    const assume = model.install().sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(iam.accountId).toBe(ACCOUNT);
    expect(assume).toEqual({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/web-identity-automation-pin`,
      RoleSessionName: 'Web-Identity-Role-Create-exec-1',
      DurationSeconds: 900,
    });
  });

  it('sends IAM calls with the assumed credentials, so they land in that account', async () => {
    const configs: IAMClientConfig[] = [];
    const iam = await open({
      makeIamClient: (config) => {
        configs.push(config);
        return new IAMClient(config);
      },
    })(ACCOUNT, SESSION);

    await iam.getRole('ci-deployer');

    expect(configs).toHaveLength(1);
    expect(configs[0]!.credentials).toMatchObject({ accessKeyId: expect.stringContaining(ACCOUNT) });
    expect(model.history.find((call) => call.key === 'iam:GetRole')).toMatchObject({ accountId: ACCOUNT, sessionName: SESSION });
  });

  it('reuses the session for the same account and session name while the credentials are fresh', async () => {
    const openAccount = open();

    await openAccount(ACCOUNT, SESSION);
    await openAccount(ACCOUNT, SESSION);
    clock += 9 * 60 * 1000; // 15-minute session, 5-minute margin: stale after 10 minutes
    await openAccount(ACCOUNT, SESSION);
    clock += 2 * 60 * 1000;
    await openAccount(ACCOUNT, SESSION);

    expect(model.calls['sts:AssumeRole']).toBe(2);
  });

  it("does not reuse one execution's session for another, so CloudTrail names the right one", async () => {
    const openAccount = open();

    await openAccount(ACCOUNT, 'execution-a');
    await openAccount(ACCOUNT, 'execution-b');

    expect(model.calls['sts:AssumeRole']).toBe(2);
  });

  it('explains an account it cannot assume into (no baseline)', async () => {
    const error = await open()('999988887777', SESSION).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MemberAccountAccessError);
    expect((error as Error).message).toMatch(/Cannot assume .*999988887777.*member baseline StackSet/);
  });

  it('retries a throttled AssumeRole, then reports IamThrottledError', async () => {
    model.failNext('sts:AssumeRole', 'Throttling', 1);
    const iam = await open()(ACCOUNT, SESSION);

    expect(model.calls['sts:AssumeRole']).toBe(2);
    expect(sleeps).toEqual([50]);
    await expect(iam.getRole('ci-deployer')).resolves.toMatchObject({ roleName: 'ci-deployer' });
    expect(model.history.find((call) => call.key === 'iam:GetRole')).toMatchObject({ accountId: ACCOUNT, sessionName: SESSION });

    model.failNext('sts:AssumeRole', 'Throttling', 10);
    await expect(open()(ACCOUNT, 'another-session')).rejects.toBeInstanceOf(IamThrottledError);
    expect(model.calls['sts:AssumeRole']).toBe(2 + 4);
  });

  it('rejects an account ID that is not 12 digits', async () => {
    await expect(open()('12345', SESSION)).rejects.toThrow(InvalidInputError);
  });
});

describe('MemberAccountIam', () => {
  it('reads a role with its role ID, decoded trust policy and tags, in one call', async () => {
    const iam = await open()(ACCOUNT, SESSION);

    const role = await iam.getRole('ci-deployer');

    expect(role).toEqual({
      roleName: 'ci-deployer',
      roleId: expect.stringMatching(/^AROA[A-Z0-9]{17}$/),
      arn: `arn:aws:iam::${ACCOUNT}:role/ci-deployer`,
      trustPolicy,
      tags: { team: 'payments' },
    });
    expect(model.calls['iam:GetRole']).toBe(1);
    expect(model.calls['iam:ListRoleTags']).toBeUndefined();
  });

  it("reads the provider's client IDs, and null when the account has no such provider", async () => {
    const iam = await open()(ACCOUNT, SESSION);
    const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/`;

    await expect(iam.getProviderClientIds(providerArn)).resolves.toBeNull();
    expect(model.calls['iam:GetOpenIDConnectProvider']).toBe(1);
  });

  it('answers null for a role that does not exist', async () => {
    const iam = await open()(ACCOUNT, SESSION);

    await expect(iam.getRole('nope')).resolves.toBeNull();
  });

  it('writes the trust policy and tags, and untags', async () => {
    const iam = await open()(ACCOUNT, SESSION);
    const pinned: PolicyDocument = { ...trustPolicy, Id: 'pinned' };

    await iam.updateTrustPolicy('ci-deployer', pinned);
    await iam.tagRole('ci-deployer', { 'entra:client-id': APP_ID, 'entra:federation-status': 'ready' });
    await iam.untagRole('ci-deployer', ['team']);

    expect(model.role(ACCOUNT, 'ci-deployer')).toMatchObject({
      assumeRolePolicyDocument: pinned,
      tags: { 'entra:client-id': APP_ID, 'entra:federation-status': 'ready' },
    });
  });

  it('reports RoleNotFoundError when the role is deleted part-way', async () => {
    const iam = await open()(ACCOUNT, SESSION);
    model.deleteRole(ACCOUNT, 'ci-deployer');

    await expect(iam.updateTrustPolicy('ci-deployer', trustPolicy)).rejects.toBeInstanceOf(RoleNotFoundError);
    await expect(iam.tagRole('ci-deployer', { a: 'b' })).rejects.toBeInstanceOf(RoleNotFoundError);
    await expect(iam.untagRole('ci-deployer', ['a'])).rejects.toBeInstanceOf(RoleNotFoundError);
  });

  it('maps IAM refusing a policy over the account quota to policy-too-large', async () => {
    model.addAccount(ACCOUNT, { maxTrustPolicyChars: 300 });
    const iam = await open()(ACCOUNT, SESSION);
    const big: PolicyDocument = { ...trustPolicy, Id: 'x'.repeat(300) };

    const error = await iam.updateTrustPolicy('ci-deployer', big).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TrustPolicyRewriteError);
    expect((error as TrustPolicyRewriteError).reason).toBe('policy-too-large');
  });

  it('retries ConcurrentModification on a role write', async () => {
    model.failNext('iam:TagRole', 'ConcurrentModification', 2);
    const iam = await open()(ACCOUNT, SESSION);

    await iam.tagRole('ci-deployer', { a: 'b' });

    expect(model.calls['iam:TagRole']).toBe(3);
    expect(model.role(ACCOUNT, 'ci-deployer')!.tags).toMatchObject({ a: 'b' });
  });

  describe('client IDs', () => {
    it('adds a client ID with one call each time and keeps it once', async () => {
      const iam = await open()(ACCOUNT, SESSION);

      await iam.addClientId(PROVIDER_ARN, APP_ID);
      await iam.addClientId(PROVIDER_ARN, APP_ID);

      expect(model.provider(ACCOUNT, PROVIDER_ARN)!.clientIds).toEqual([APP_ID]);
      expect(model.calls['iam:AddClientIDToOpenIDConnectProvider']).toBe(2);
      expect(model.calls['iam:GetOpenIDConnectProvider'] ?? 0).toBe(0);
    });

    it('removes a client ID, and removing it again is a no-op', async () => {
      const iam = await open()(ACCOUNT, SESSION);
      await iam.addClientId(PROVIDER_ARN, APP_ID);

      await iam.removeClientId(PROVIDER_ARN, APP_ID);
      await iam.removeClientId(PROVIDER_ARN, APP_ID);

      expect(model.provider(ACCOUNT, PROVIDER_ARN)!.clientIds).toEqual([]);
    });

    it('counts a missing provider as removed', async () => {
      const iam = await open()(ACCOUNT, SESSION);

      await expect(iam.removeClientId(PROVIDER_ARN.replace(TENANT, 'other'), APP_ID)).resolves.toBeUndefined();
    });

    it('reports OidcProviderNotFoundError when adding to a provider the account lacks', async () => {
      const iam = await open()(ACCOUNT, SESSION);

      await expect(iam.addClientId(PROVIDER_ARN.replace(TENANT, 'other'), APP_ID)).rejects.toBeInstanceOf(OidcProviderNotFoundError);
    });

    it('retries ConcurrentModification with jittered waits and succeeds', async () => {
      model.failNext('iam:AddClientIDToOpenIDConnectProvider', 'ConcurrentModification', 2);
      const iam = await open()(ACCOUNT, SESSION);

      await iam.addClientId(PROVIDER_ARN, APP_ID);

      expect(model.provider(ACCOUNT, PROVIDER_ARN)!.clientIds).toEqual([APP_ID]);
      expect(model.calls['iam:AddClientIDToOpenIDConnectProvider']).toBe(3);
      expect(sleeps).toEqual([50, 100]); // random 0.5 × min(1000, 100 × 2^n)
    });

    it('gives up on lasting ConcurrentModification with IamConcurrentModificationError', async () => {
      model.failNext('iam:RemoveClientIDFromOpenIDConnectProvider', 'ConcurrentModification', 10);
      const iam = await open()(ACCOUNT, SESSION);
      await iam.addClientId(PROVIDER_ARN, APP_ID);

      const error = await iam.removeClientId(PROVIDER_ARN, APP_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(IamConcurrentModificationError);
      expect((error as Error).name).toBe('IamConcurrentModificationError');
      expect(model.calls['iam:RemoveClientIDFromOpenIDConnectProvider']).toBe(4);
    });

    it('gives up on lasting throttling with IamThrottledError', async () => {
      model.failNext('iam:AddClientIDToOpenIDConnectProvider', 'Throttling', 10);
      const iam = await open()(ACCOUNT, SESSION);

      await expect(iam.addClientId(PROVIDER_ARN, APP_ID)).rejects.toBeInstanceOf(IamThrottledError);
    });

    it('refuses the 101st client ID with AudienceLimitExceededError and leaves the provider as it was', async () => {
      const full = Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      model.createOidcProvider('444455556666', { url: PROVIDER_URL, clientIds: full });
      const iam = await open()('444455556666', SESSION);
      const arn = PROVIDER_ARN.replace(ACCOUNT, '444455556666');

      const error = await iam.addClientId(arn, APP_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AudienceLimitExceededError);
      expect((error as Error).message).toMatch(/100/);
      expect(model.provider('444455556666', arn)!.clientIds).toEqual(full);
    });

    it('maps a client ID IAM refuses as invalid to InvalidInputError naming the field', async () => {
      const iam = await open()(ACCOUNT, SESSION);

      await expect(iam.addClientId(PROVIDER_ARN, 'x'.repeat(256))).rejects.toThrow(/clientId/);
    });
  });
});

describe('permanent errors', () => {
  // Only throttling and ConcurrentModification may succeed when tried again; every other error
  // is tried once, and the function fails or maps it at once.
  it('tries AssumeRole once when the account refuses it', async () => {
    const error = await open()('999988887777', SESSION).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MemberAccountAccessError);
    expect(model.calls['sts:AssumeRole']).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('tries a trust policy over the quota once', async () => {
    model.addAccount(ACCOUNT, { maxTrustPolicyChars: 300 });
    const iam = await open()(ACCOUNT, SESSION);

    await expect(iam.updateTrustPolicy('ci-deployer', { ...trustPolicy, Id: 'x'.repeat(300) })).rejects.toBeInstanceOf(
      TrustPolicyRewriteError,
    );
    expect(model.calls['iam:UpdateAssumeRolePolicy']).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('tries a write to a deleted role once', async () => {
    const iam = await open()(ACCOUNT, SESSION);
    model.deleteRole(ACCOUNT, 'ci-deployer');

    await expect(iam.tagRole('ci-deployer', { a: 'b' })).rejects.toBeInstanceOf(RoleNotFoundError);
    expect(model.calls['iam:TagRole']).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('tries adding to a missing provider once', async () => {
    const iam = await open()(ACCOUNT, SESSION);

    await expect(iam.addClientId(PROVIDER_ARN.replace(TENANT, 'other'), APP_ID)).rejects.toBeInstanceOf(OidcProviderNotFoundError);
    expect(model.calls['iam:AddClientIDToOpenIDConnectProvider']).toBe(1);
    expect(sleeps).toEqual([]);
  });
});
