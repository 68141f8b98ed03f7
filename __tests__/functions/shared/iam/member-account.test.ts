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
} from '../../../../functions/shared/runtime';
import {
  createOpenMemberAccount,
  type MemberAccountIam,
  type MemberAccountLister,
  type PolicyDocument,
} from '../../../../functions/shared/iam';
import { sanitizeSessionName } from '../../../../functions/shared/workflow';
import { iamError } from '../../../../simulation/fakes/iam-errors';
import { createIamModel, type IamModel } from '../../../../simulation/fakes/iam-model';

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

type MemberIam = MemberAccountIam & MemberAccountLister;

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

    expect(model.role(ACCOUNT, 'ci-deployer')).toMatchObject({ assumeRolePolicyDocument: pinned });
    // toEqual, not toMatchObject: the untagged key must be gone
    expect(model.role(ACCOUNT, 'ci-deployer')!.tags).toEqual({ 'entra:client-id': APP_ID, 'entra:federation-status': 'ready' });
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

/**
 * An IAM client whose `commandName` calls get `answer` (a rejection or a made-up response)
 * the next `times` times, then reach the model; `attempts` counts the intercepted calls.
 * For answers the model never gives (the raw query-protocol error codes, a page without a marker).
 */
function intercept(commandName: string, answer: () => Promise<unknown>, times = Number.POSITIVE_INFINITY) {
  const state = { attempts: 0 };
  const makeIamClient = (config: IAMClientConfig) => {
    const client = new IAMClient(config);
    const send = client.send.bind(client) as (command: object) => Promise<unknown>;
    const intercepted = (command: object) => {
      if (command.constructor.name !== commandName || state.attempts >= times) return send(command);
      state.attempts += 1;
      return answer();
    };
    return Object.assign(client, { send: intercepted as unknown as IAMClient['send'] });
  };
  return { makeIamClient, state };
}

const failWith =
  (name: string, message = `${name} from IAM`) =>
  () =>
    Promise.reject(iamError(name, message, 400));

describe('IAM error names', () => {
  // SDK v3 names an error after its modeled exception class (`NoSuchEntityException`), or after
  // the query-protocol code when the code is not modeled (`Throttling`): both spellings count
  // (https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-client-iam/#error-handling,
  // https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html).
  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded'])(
    'retries %s, then reports IamThrottledError naming the call and keeping the cause',
    async (name) => {
      // Prepare
      const { makeIamClient, state } = intercept('GetRoleCommand', failWith(name));
      const iam = await open({ makeIamClient })(ACCOUNT, SESSION);
      // Act
      const error = await iam.getRole('ci-deployer').catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(IamThrottledError);
      expect((error as Error).message).toMatch(new RegExp(`^iam:GetRole ci-deployer: throttled .*${name}`));
      expect((error as Error).cause).toMatchObject({ name });
      expect(state.attempts).toBe(4);
    },
  );

  it.each(['ConcurrentModificationException', 'ConcurrentModification'])(
    'retries %s, then reports IamConcurrentModificationError naming the call and keeping the cause',
    async (name) => {
      // Prepare
      const { makeIamClient, state } = intercept('TagRoleCommand', failWith(name));
      const iam = await open({ makeIamClient })(ACCOUNT, SESSION);
      // Act
      const error = await iam.tagRole('ci-deployer', { a: 'b' }).catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(IamConcurrentModificationError);
      expect((error as Error).message).toMatch(/^iam:TagRole ci-deployer: /);
      expect((error as Error).cause).toMatchObject({ name });
      expect(state.attempts).toBe(4);
    },
  );

  it.each(['NoSuchEntityException', 'NoSuchEntity'])('reads %s as "gone" on every call', async (name) => {
    // Prepare: every call fails with the name, once each
    const iamFor = async (command: string) => {
      const { makeIamClient } = intercept(command, failWith(name), 1);
      return open({ makeIamClient })(ACCOUNT, `${SESSION}-${command}`);
    };
    // Act
    const getRole = await (await iamFor('GetRoleCommand')).getRole('ci-deployer');
    const clientIds = await (await iamFor('GetOpenIDConnectProviderCommand')).getProviderClientIds(PROVIDER_ARN);
    const removed = await (await iamFor('RemoveClientIDFromOpenIDConnectProviderCommand')).removeClientId(PROVIDER_ARN, APP_ID);
    const untag = await (await iamFor('UntagRoleCommand')).untagRole('ci-deployer', ['team']).catch((e: unknown) => e);
    const add = await (await iamFor('AddClientIDToOpenIDConnectProviderCommand'))
      .addClientId(PROVIDER_ARN, APP_ID)
      .catch((e: unknown) => e);
    // Assess
    expect(getRole).toBeNull();
    expect(clientIds).toBeNull();
    expect(removed).toBeUndefined();
    expect(untag).toBeInstanceOf(RoleNotFoundError);
    expect(add).toBeInstanceOf(OidcProviderNotFoundError);
  });

  it.each(['LimitExceededException', 'LimitExceeded'])('maps %s to the quota errors', async (name) => {
    // Prepare
    const update = intercept('UpdateAssumeRolePolicyCommand', failWith(name), 1);
    const add = intercept('AddClientIDToOpenIDConnectProviderCommand', failWith(name), 1);
    // Act
    const tooLarge = await (await open({ makeIamClient: update.makeIamClient })(ACCOUNT, SESSION))
      .updateTrustPolicy('ci-deployer', trustPolicy)
      .catch((e: unknown) => e);
    const full = await (await open({ makeIamClient: add.makeIamClient })(ACCOUNT, SESSION))
      .addClientId(PROVIDER_ARN, APP_ID)
      .catch((e: unknown) => e);
    // Assess
    expect(tooLarge).toMatchObject({ name: 'TrustPolicyRewriteError', reason: 'policy-too-large' });
    expect(full).toBeInstanceOf(AudienceLimitExceededError);
  });

  it.each(['InvalidInputException', 'InvalidInput'])('maps %s on AddClientID to InvalidInputError', async (name) => {
    // Prepare
    const { makeIamClient } = intercept('AddClientIDToOpenIDConnectProviderCommand', failWith(name), 1);
    const iam = await open({ makeIamClient })(ACCOUNT, SESSION);
    // Act
    const error = await iam.addClientId(PROVIDER_ARN, APP_ID).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).cause).toMatchObject({ name });
  });

  it.each(['MalformedPolicyDocumentException', 'MalformedPolicyDocument'])(
    'maps %s on UpdateAssumeRolePolicy to malformed-policy, telling to fix the trust policy',
    async (name) => {
      // Prepare
      const { makeIamClient, state } = intercept('UpdateAssumeRolePolicyCommand', failWith(name, 'Invalid principal in policy'));
      const iam = await open({ makeIamClient })(ACCOUNT, SESSION);
      // Act
      const error = await iam.updateTrustPolicy('ci-deployer', trustPolicy).catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(TrustPolicyRewriteError);
      expect((error as TrustPolicyRewriteError).reason).toBe('malformed-policy');
      expect((error as Error).message).toMatch(/ci-deployer \(Invalid principal in policy\)\. Fix the role's trust policy/);
      expect(state.attempts).toBe(1);
    },
  );

  it('passes on an error it does not know, after one try', async () => {
    // Prepare
    const { makeIamClient, state } = intercept('GetRoleCommand', failWith('AccessDenied'));
    const iam = await open({ makeIamClient })(ACCOUNT, SESSION);
    // Act
    const error = await iam.getRole('ci-deployer').catch((e: unknown) => e);
    // Assess: not "the role does not exist"
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(state.attempts).toBe(1);
  });
});

describe('what a lasting throttle names', () => {
  // The message is what an operator reads in the failed execution: it names the IAM action and the role or provider.
  it.each([
    ['GetRoleCommand', 'iam:GetRole ci-deployer', (iam: MemberIam) => iam.getRole('ci-deployer')],
    ['ListRolesCommand', `iam:ListRoles ${ACCOUNT}`, (iam: MemberIam) => iam.listRoles()],
    [
      'UpdateAssumeRolePolicyCommand',
      'iam:UpdateAssumeRolePolicy ci-deployer',
      (iam: MemberIam) => iam.updateTrustPolicy('ci-deployer', trustPolicy),
    ],
    ['TagRoleCommand', 'iam:TagRole ci-deployer', (iam: MemberIam) => iam.tagRole('ci-deployer', { a: 'b' })],
    ['UntagRoleCommand', 'iam:UntagRole ci-deployer', (iam: MemberIam) => iam.untagRole('ci-deployer', ['team'])],
    [
      'AddClientIDToOpenIDConnectProviderCommand',
      `iam:AddClientIDToOpenIDConnectProvider ${PROVIDER_ARN}`,
      (iam: MemberIam) => iam.addClientId(PROVIDER_ARN, APP_ID),
    ],
    [
      'GetOpenIDConnectProviderCommand',
      `iam:GetOpenIDConnectProvider ${PROVIDER_ARN}`,
      (iam: MemberIam) => iam.getProviderClientIds(PROVIDER_ARN),
    ],
    [
      'RemoveClientIDFromOpenIDConnectProviderCommand',
      `iam:RemoveClientIDFromOpenIDConnectProvider ${PROVIDER_ARN}`,
      (iam: MemberIam) => iam.removeClientId(PROVIDER_ARN, APP_ID),
    ],
  ] as const)('%s', async (command, what, call) => {
    // Prepare
    const { makeIamClient } = intercept(command, failWith('Throttling'));
    const iam = await open({ makeIamClient })(ACCOUNT, SESSION);
    // Act
    const error = await call(iam).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(IamThrottledError);
    expect((error as Error).message.startsWith(`${what}: throttled by AWS after retries (Throttling: `)).toBe(true);
  });

  it('names the member role ARN when AssumeRole stays throttled', async () => {
    // Prepare
    model.failNext('sts:AssumeRole', 'Throttling', 10);
    // Act
    const error = await open()(ACCOUNT, SESSION).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(IamThrottledError);
    expect((error as Error).message).toMatch(`sts:AssumeRole arn:aws:iam::${ACCOUNT}:role/web-identity-automation-pin: throttled`);
  });
});

describe('errors that tell the operator what to fix', () => {
  it('keeps the STS refusal as the cause of MemberAccountAccessError', async () => {
    const error = await open()('999988887777', SESSION).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MemberAccountAccessError);
    expect((error as Error).cause).toMatchObject({ name: 'AccessDenied' });
  });

  it('names the role and account of a role deleted part-way, keeping the cause', async () => {
    // Prepare
    const iam = await open()(ACCOUNT, SESSION);
    model.deleteRole(ACCOUNT, 'ci-deployer');
    // Act
    const error = await iam.tagRole('ci-deployer', { a: 'b' }).catch((e: unknown) => e);
    // Assess
    expect((error as Error).message).toBe(`Role ci-deployer in account ${ACCOUNT} no longer exists`);
    expect((error as Error).cause).toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('says which quota to raise when IAM refuses a trust policy as too large', async () => {
    model.addAccount(ACCOUNT, { maxTrustPolicyChars: 300 });
    const iam = await open()(ACCOUNT, SESSION);

    await expect(iam.updateTrustPolicy('ci-deployer', { ...trustPolicy, Id: 'x'.repeat(300) })).rejects.toThrow(
      /^policy-too-large: IAM refused the trust policy of ci-deployer .*raise the "Role trust policy length" quota/,
    );
  });

  it('tells to delete unused federated roles at the 100 client IDs limit, keeping the cause', async () => {
    const full = Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    model.createOidcProvider('444455556666', { url: PROVIDER_URL, clientIds: full });
    const iam = await open()('444455556666', SESSION);

    const error = await iam.addClientId(PROVIDER_ARN.replace(ACCOUNT, '444455556666'), APP_ID).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/Delete unused federated roles in this account/);
    expect((error as Error).cause).toMatchObject({ name: 'LimitExceededException' });
  });

  it('tells to deploy the member baseline when the provider is missing, keeping the cause', async () => {
    const iam = await open()(ACCOUNT, SESSION);
    const missing = PROVIDER_ARN.replace(TENANT, 'other');

    const error = await iam.addClientId(missing, APP_ID).catch((e: unknown) => e);

    expect((error as Error).message).toBe(`Account ${ACCOUNT} has no OIDC provider ${missing}; deploy the member baseline StackSet to it`);
    expect((error as Error).cause).toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('keeps IAM refusing a client ID as the cause of InvalidInputError', async () => {
    const iam = await open()(ACCOUNT, SESSION);

    const error = await iam.addClientId(PROVIDER_ARN, 'x'.repeat(256)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).cause).toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('input checks', () => {
  it.each(['team/ci-deployer', 'ci deployer', 'x'.repeat(65), ''])('refuses %j as the member role name when created', (memberRoleName) => {
    expect(() => createOpenMemberAccount({ sts: new STSClient({ region: 'us-east-1' }), memberRoleName, region: 'us-east-1' })).toThrow(
      /^memberRoleName: /,
    );
  });

  it.each(['1111222233334', 'x111122223333', '111122223333x', '11112222333'])(
    'refuses account ID %j before calling STS',
    async (accountId) => {
      await expect(open()(accountId, SESSION)).rejects.toThrow(/^accountId: .* is not a 12-digit AWS account ID/);
      expect(model.calls['sts:AssumeRole']).toBeUndefined();
    },
  );
});

describe('the assumed session', () => {
  it('gives the IAM client the session token and expiry STS returned (temporary credentials need both)', async () => {
    // Prepare
    const configs: IAMClientConfig[] = [];
    // Act
    await open({
      makeIamClient: (config) => {
        configs.push(config);
        return new IAMClient(config);
      },
    })(ACCOUNT, SESSION);
    // Assess
    const returned = (await model.install().sts.commandCalls(AssumeRoleCommand)[0]!.returnValue)!.Credentials!;
    expect(configs[0]!.credentials).toEqual({
      accessKeyId: returned.AccessKeyId,
      secretAccessKey: returned.SecretAccessKey,
      sessionToken: returned.SessionToken,
      expiration: returned.Expiration,
    });
  });

  it('stops reusing a session exactly when only the 5-minute margin is left', async () => {
    const openAccount = open();
    await openAccount(ACCOUNT, SESSION);

    clock += 10 * 60 * 1000 - 1; // 15-minute session: 5 minutes and 1 ms left
    await openAccount(ACCOUNT, SESSION);
    expect(model.calls['sts:AssumeRole']).toBe(1);
    clock += 1;
    await openAccount(ACCOUNT, SESSION);
    expect(model.calls['sts:AssumeRole']).toBe(2);
  });

  it('keeps up to 50 sessions, evicting the oldest first', async () => {
    // Prepare
    const openAccount = open();
    const names = Array.from({ length: 51 }, (_, i) => `execution-${i}`);
    // Act
    for (const name of names) await openAccount(ACCOUNT, name);
    await openAccount(ACCOUNT, names[1]!); // still cached: only execution-0 was evicted
    await openAccount(ACCOUNT, names[50]!);
    const beforeOldest = model.calls['sts:AssumeRole'];
    await openAccount(ACCOUNT, names[0]!);
    // Assess
    expect(beforeOldest).toBe(51);
    expect(model.calls['sts:AssumeRole']).toBe(52);
  });

  it('keeps two sessions of one account apart, and both cached', async () => {
    const openAccount = open();

    await openAccount(ACCOUNT, 'execution-a');
    await openAccount(ACCOUNT, 'execution-b');
    await openAccount(ACCOUNT, 'execution-a');

    expect(model.calls['sts:AssumeRole']).toBe(2);
  });

  it('caches a session STS returned without an expiry for 15 minutes, and refuses one without credentials', async () => {
    // Prepare: an STS answer the model never gives
    const answers: object[] = [
      { Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token' } },
      { Credentials: { SecretAccessKey: 'secret' } },
    ];
    const sts = new STSClient({ region: 'us-east-1' });
    let assumed = 0;
    Object.assign(sts, {
      send: async () => {
        assumed += 1;
        return answers.shift();
      },
    });
    const openAccount = createOpenMemberAccount({
      sts,
      memberRoleName: 'web-identity-automation-pin',
      region: 'us-east-1',
      now: () => clock,
    });
    // Act
    await openAccount(ACCOUNT, SESSION);
    clock += 9 * 60 * 1000;
    await openAccount(ACCOUNT, SESSION);
    const refused = await openAccount(ACCOUNT, 'another-session').catch((e: unknown) => e);
    // Assess
    expect(assumed).toBe(2);
    expect((refused as Error).message).toBe(
      `sts:AssumeRole arn:aws:iam::${ACCOUNT}:role/web-identity-automation-pin returned no credentials`,
    );
  });
});

describe('optional calls and answers', () => {
  it('sends no TagRole for no tags and no UntagRole for no keys', async () => {
    const iam = await open()(ACCOUNT, SESSION);

    await iam.tagRole('ci-deployer', {});
    await iam.untagRole('ci-deployer', []);

    expect(model.calls['iam:TagRole']).toBeUndefined();
    expect(model.calls['iam:UntagRole']).toBeUndefined();
  });

  it("reads a provider's client IDs, and none when IAM leaves the list out", async () => {
    // Prepare
    model.createOidcProvider('444455556666', { url: PROVIDER_URL, clientIds: [APP_ID] });
    const { makeIamClient } = intercept('GetOpenIDConnectProviderCommand', async () => ({ Url: PROVIDER_URL.slice(8) }), 1);
    const iam = await open({ makeIamClient })(ACCOUNT, SESSION);
    // Act
    const leftOut = await iam.getProviderClientIds(PROVIDER_ARN);
    const listed = await (await open()('444455556666', SESSION)).getProviderClientIds(PROVIDER_ARN.replace(ACCOUNT, '444455556666'));
    // Assess
    expect(leftOut).toEqual([]);
    expect(listed).toEqual([APP_ID]);
  });
});

describe('listRoles', () => {
  it('reads every page, following the marker, with path and creation date', async () => {
    // Prepare: more roles than one page of 1,000
    for (let i = 0; i < 1000; i += 1) {
      model.createRole(ACCOUNT, { roleName: `app-${String(i).padStart(4, '0')}`, path: '/apps/', assumeRolePolicyDocument: trustPolicy });
    }
    const iam = await open()(ACCOUNT, SESSION);
    // Act
    const roles = await iam.listRoles();
    // Assess
    expect(roles).toHaveLength(1001);
    expect(model.calls['iam:ListRoles']).toBe(2);
    expect(roles[0]).toEqual({
      roleName: 'app-0000',
      roleId: expect.stringMatching(/^AROA/),
      arn: `arn:aws:iam::${ACCOUNT}:role/apps/app-0000`,
      path: '/apps/',
      trustPolicy,
      createDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(roles.map((role) => role.roleName)).toContain('ci-deployer');
  });

  it('refuses a page that says it is truncated but gives no marker, rather than act on part of the account', async () => {
    const { makeIamClient } = intercept('ListRolesCommand', async () => ({ Roles: [], IsTruncated: true }));
    const iam = await open({ makeIamClient })(ACCOUNT, SESSION);

    await expect(iam.listRoles()).rejects.toThrow(/truncated but gave no marker/);
  });

  it("reports a listed role's unreadable trust policy as malformed-policy, and takes a missing path as /", async () => {
    // Prepare
    const role = { RoleName: 'odd', RoleId: 'AROAEXAMPLE0000000001', Arn: `arn:aws:iam::${ACCOUNT}:role/odd` };
    const broken = intercept('ListRolesCommand', async () => ({ Roles: [{ ...role, AssumeRolePolicyDocument: '%7B' }] }));
    const pathless = intercept('ListRolesCommand', async () => ({
      Roles: [{ ...role, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustPolicy)) }],
    }));
    // Act
    const error = await (await open({ makeIamClient: broken.makeIamClient })(ACCOUNT, SESSION)).listRoles().catch((e: unknown) => e);
    const roles = await (await open({ makeIamClient: pathless.makeIamClient })(ACCOUNT, SESSION)).listRoles();
    // Assess
    expect(error).toMatchObject({ reason: 'malformed-policy', message: expect.stringMatching(/trust policy of odd in 111122223333/) });
    expect(roles).toEqual([{ ...{ roleName: 'odd', roleId: role.RoleId, arn: role.Arn }, path: '/', trustPolicy, createDate: null }]);
  });

  it('refuses a listed role without name, ID or ARN', async () => {
    const { makeIamClient } = intercept('ListRolesCommand', async () => ({ Roles: [{ RoleName: 'odd' }] }));
    const iam = await open({ makeIamClient })(ACCOUNT, SESSION);

    await expect(iam.listRoles()).rejects.toThrow(/returned a role without name, ID or ARN/);
  });
});
