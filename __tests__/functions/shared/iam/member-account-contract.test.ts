import { STSClient } from '@aws-sdk/client-sts';
import type { MemberAccountIam, PolicyDocument } from '../../../../functions/shared/iam';
import { createOpenMemberAccount } from '../../../../functions/shared/iam';
import {
  AudienceLimitExceededError,
  InlinePolicyQuotaError,
  OidcProviderNotFoundError,
  RoleNotFoundError,
} from '../../../../functions/shared/runtime';
import { createIamModel } from '../../../../simulation/fakes/iam-model';
import { FakeAccountIam, appTeamTrustPolicy } from '../../../fixtures/port-fakes';

/**
 * One contract for the MemberAccountIam port (functions/shared/iam/ports.ts), run over every
 * implementation: the function cores' in-memory fake (`__tests__/fixtures/port-fakes.ts`) and
 * the real IAM client (member-account.ts, through STS AssumeRole) against the simulator's IAM
 * model behind the real AWS SDK clients.
 */
const ACCOUNT = '210987654321';
const HOST = 'sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const MISSING_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/login.example.com/`;

interface AccountUnderContract {
  readonly iam: MemberAccountIam;
  /** A role as the app team created it; returns its role ID. */
  seedRole(roleName: string, trustPolicy: PolicyDocument, tags?: Record<string, string>): string;
  /** The tenant's provider with these client IDs. */
  seedProvider(clientIds: readonly string[]): void;
  close(): Promise<void>;
}

const implementations: [string, () => Promise<AccountUnderContract>][] = [
  [
    'the port fake (function cores’ unit tests)',
    async () => {
      const fake = new FakeAccountIam(ACCOUNT);
      return {
        iam: await fake.open(ACCOUNT, 'contract'),
        seedRole: (roleName, trustPolicy, tags) => fake.putRole(roleName, trustPolicy, tags),
        seedProvider: (clientIds) => {
          fake.providers.set(PROVIDER, [...clientIds]);
        },
        close: async () => undefined,
      };
    },
  ],
  [
    'the IAM client against the simulator’s IAM model',
    async () => {
      const model = createIamModel(7);
      model.install();
      model.addAccount(ACCOUNT);
      const open = createOpenMemberAccount({
        // aws-sdk-client-mock answers for it; the credentials are never used.
        sts: new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
        memberRoleName: 'web-identity-automation-pin',
        region: 'us-east-1',
        sleep: async () => undefined,
      });
      return {
        iam: await open(ACCOUNT, 'contract'),
        seedRole: (roleName, trustPolicy, tags = {}) =>
          model.createRole(ACCOUNT, { roleName, assumeRolePolicyDocument: trustPolicy, tags }).roleId,
        seedProvider: (clientIds) => {
          model.createOidcProvider(ACCOUNT, { url: `https://${HOST}`, clientIds });
        },
        close: async () => model.restore(),
      };
    },
  ],
];

describe.each(implementations)('MemberAccountIam contract: %s', (_name, make) => {
  let subject: AccountUnderContract;
  let iam: MemberAccountIam;
  beforeEach(async () => {
    subject = await make();
    iam = subject.iam;
  });
  afterEach(() => subject.close());

  it('names its account', () => {
    // Assess
    expect(iam.accountId).toBe(ACCOUNT);
  });

  describe('roles', () => {
    it('getRole returns the role with its ID, ARN, trust policy and tags, and null for a role that does not exist', async () => {
      // Prepare
      const roleId = subject.seedRole('ci-deployer', appTeamTrustPolicy(PROVIDER, HOST), { team: 'payments' });
      // Act
      const [role, missing] = await Promise.all([iam.getRole('ci-deployer'), iam.getRole('nobody')]);
      // Assess
      expect(role).toMatchObject({
        roleName: 'ci-deployer',
        roleId,
        arn: `arn:aws:iam::${ACCOUNT}:role/ci-deployer`,
        trustPolicy: appTeamTrustPolicy(PROVIDER, HOST),
        tags: { team: 'payments' },
      });
      expect(missing).toBeNull();
    });

    it('putRolePolicy creates and replaces an inline policy, getRolePolicy reads it, deleteRolePolicy removes it, twice without error', async () => {
      // Prepare
      subject.seedRole('inline', appTeamTrustPolicy(PROVIDER, HOST));
      const deny = (sid: string): PolicyDocument => ({
        Version: '2012-10-17',
        Statement: [{ Sid: sid, Effect: 'Deny', Action: '*', Resource: '*' }],
      });
      // Act
      await iam.putRolePolicy('inline', 'p', deny('first'));
      await iam.putRolePolicy('inline', 'p', deny('second'));
      const read = await iam.getRolePolicy('inline', 'p');
      await iam.deleteRolePolicy('inline', 'p');
      await iam.deleteRolePolicy('inline', 'p');
      await iam.deleteRolePolicy('nobody', 'p');
      // Assess
      expect(read).toEqual(deny('second'));
      await expect(iam.getRolePolicy('inline', 'p')).resolves.toBeNull();
      await expect(iam.getRolePolicy('nobody', 'p')).resolves.toBeNull();
    });

    it("putRolePolicy throws InlinePolicyQuotaError past the role's 10,240 characters, RoleNotFoundError on a missing role", async () => {
      // Prepare
      subject.seedRole('full', appTeamTrustPolicy(PROVIDER, HOST));
      const big: PolicyDocument = {
        Version: '2012-10-17',
        Statement: [{ Sid: 'x'.repeat(10_300), Effect: 'Deny', Action: '*', Resource: '*' }],
      };
      // Act + Assess
      await expect(iam.putRolePolicy('full', 'big', big)).rejects.toBeInstanceOf(InlinePolicyQuotaError);
      await expect(iam.putRolePolicy('nobody', 'p', big)).rejects.toBeInstanceOf(RoleNotFoundError);
    });

    it('updateTrustPolicy replaces the whole document', async () => {
      // Prepare
      subject.seedRole('ci-deployer', appTeamTrustPolicy(PROVIDER, HOST));
      const ec2Only: PolicyDocument = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      };
      // Act
      await iam.updateTrustPolicy('ci-deployer', ec2Only);
      // Assess
      await expect(iam.getRole('ci-deployer')).resolves.toMatchObject({ trustPolicy: ec2Only });
    });

    it('tagRole adds and overwrites tags, untagRole removes only the keys named', async () => {
      // Prepare
      subject.seedRole('tagged', appTeamTrustPolicy(PROVIDER, HOST), { keep: 'yes', 'entra:client-id': 'old' });
      // Act
      await iam.tagRole('tagged', { 'entra:client-id': 'new', 'entra:tenant-id': 't' });
      await iam.untagRole('tagged', ['entra:tenant-id']);
      // Assess
      expect((await iam.getRole('tagged'))?.tags).toEqual({ keep: 'yes', 'entra:client-id': 'new' });
    });

    it.each([
      ['updateTrustPolicy', (iam: MemberAccountIam) => iam.updateTrustPolicy('gone', appTeamTrustPolicy(PROVIDER, HOST))],
      ['tagRole', (iam: MemberAccountIam) => iam.tagRole('gone', { a: 'b' })],
      ['untagRole', (iam: MemberAccountIam) => iam.untagRole('gone', ['a'])],
    ])('%s on a role that does not exist throws RoleNotFoundError', async (_call, act) => {
      // Act
      const attempt = act(iam);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(RoleNotFoundError);
    });
  });

  describe('the OIDC provider’s client IDs', () => {
    it('addClientId adds once (idempotent) and getProviderClientIds lists them', async () => {
      // Prepare
      subject.seedProvider(['existing']);
      // Act
      await iam.addClientId(PROVIDER, 'new-client');
      await iam.addClientId(PROVIDER, 'new-client');
      // Assess
      expect([...((await iam.getProviderClientIds(PROVIDER)) ?? [])].sort()).toEqual(['existing', 'new-client']);
    });

    it('removeClientId removes one, and removing one that is not there (or from a missing provider) counts as done', async () => {
      // Prepare
      subject.seedProvider(['a', 'b']);
      // Act
      await iam.removeClientId(PROVIDER, 'a');
      await iam.removeClientId(PROVIDER, 'a');
      await iam.removeClientId(MISSING_PROVIDER, 'b');
      // Assess
      await expect(iam.getProviderClientIds(PROVIDER)).resolves.toEqual(['b']);
    });

    it('a provider the account does not have: null client IDs, and addClientId throws OidcProviderNotFoundError', async () => {
      // Act
      const [ids, attempt] = [await iam.getProviderClientIds(MISSING_PROVIDER), iam.addClientId(MISSING_PROVIDER, 'x')];
      // Assess
      expect(ids).toBeNull();
      await expect(attempt).rejects.toBeInstanceOf(OidcProviderNotFoundError);
    });

    it('refuses the 101st client ID with AudienceLimitExceededError (IAM’s quota of 100 per provider)', async () => {
      // Prepare
      subject.seedProvider(Array.from({ length: 100 }, (_, i) => `client-${i}`));
      // Act
      const attempt = iam.addClientId(PROVIDER, 'one-too-many');
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(AudienceLimitExceededError);
    });
  });
});
