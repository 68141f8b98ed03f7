import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createIamModel } from '../../simulation/fakes/iam-model';
import { startAwsFake } from './support/aws-fake';
import { type JsonWebKeyWithKid, signJwt } from './support/entra-fake';
import { makeLoopbackTls } from './support/https-server';
import { trustPolicy } from './support/world';

/**
 * One contract for STS as the fakes serve it, through the real `@aws-sdk/client-sts` client:
 * the simulator's IAM model (AssumeRole, how the functions reach their member roles) and the
 * credential helper's loopback STS (AssumeRoleWithWebIdentity, how workloads get credentials).
 * Both operations share STS's request rules and answer shape:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html and
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 * (RoleSessionName: 2–64 characters of `[\w+=,.@-]`; DurationSeconds: 900 to 43,200, default
 * 3,600; a refusal is `AccessDenied`; invalid input is `ValidationError`).
 */
interface SessionInput {
  readonly RoleSessionName: string;
  readonly DurationSeconds?: number;
}

interface StsUnderContract {
  /** Asks for a session of a role the caller may assume. */
  issue(input: SessionInput): Promise<{ Credentials?: { AccessKeyId?: string; SessionToken?: string; Expiration?: Date } }>;
  /** Asks for a session of a role the caller may not assume. */
  refused(input: SessionInput): Promise<unknown>;
  close(): Promise<void>;
}

const ACCOUNT = '111122223333';
const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const PROVIDER = `sts.windows.net/${TENANT}/`;
const APP = { appId: '00001111-aaaa-2222-bbbb-3333cccc4444', sp: '11112222-bbbb-3333-cccc-4444dddd5555' };
const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

const implementations: [string, () => Promise<StsUnderContract>][] = [
  [
    'the simulator’s IAM model (AssumeRole)',
    async () => {
      const model = createIamModel(11);
      model.install();
      model.addAccount(ACCOUNT);
      const sts = new STSClient(local);
      return {
        issue: (input) =>
          sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/web-identity-automation-pin`, ...input })),
        // The model refuses every role of an account it does not know (no member baseline there).
        refused: (input) =>
          sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999999999999:role/web-identity-automation-pin', ...input })),
        close: async () => model.restore(),
      };
    },
  ],
  [
    'the credential helper’s loopback STS (AssumeRoleWithWebIdentity)',
    async () => {
      const tls = await makeLoopbackTls();
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk: JsonWebKeyWithKid = { ...publicKey.export({ format: 'jwk' }), kid: 'contract', use: 'sig' };
      const allowed = `arn:aws:iam::${ACCOUNT}:role/payments-ci`;
      const pinnedElsewhere = `arn:aws:iam::${ACCOUNT}:role/payments-other`;
      const aws = await startAwsFake(
        tls,
        {
          accountId: ACCOUNT,
          providers: [{ url: PROVIDER, clientIds: [APP.appId] }],
          roles: [
            { arn: allowed, trustPolicy: trustPolicy(APP.appId, APP.sp) },
            { arn: pinnedElsewhere, trustPolicy: trustPolicy(APP.appId, randomUUID()) },
          ],
        },
        () => ({ keys: [jwk] }),
      );
      const token = signJwt(
        { alg: 'RS256', kid: 'contract', typ: 'JWT' },
        { iss: `https://${PROVIDER}`, aud: APP.appId, sub: APP.sp, exp: Math.floor(Date.now() / 1000) + 3600 },
        privateKey,
      );
      const sts = new STSClient({
        ...local,
        endpoint: aws.url,
        requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: tls.caPem }) }),
        maxAttempts: 1,
      });
      return {
        issue: (input) => sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: allowed, WebIdentityToken: token, ...input })),
        refused: (input) => sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: pinnedElsewhere, WebIdentityToken: token, ...input })),
        close: async () => {
          sts.destroy();
          await aws.stop();
        },
      };
    },
  ],
];

describe.each(implementations)('STS contract: %s', (_name, make) => {
  let sts: StsUnderContract;
  beforeEach(async () => {
    sts = await make();
  });
  afterEach(() => sts.close());

  it('issues temporary credentials that expire after the default hour', async () => {
    // Act
    const before = Date.now();
    const answer = await sts.issue({ RoleSessionName: 'contract-session' });
    // Assess
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(answer.Credentials?.SessionToken).toEqual(expect.any(String));
    const lifetime = (answer.Credentials?.Expiration?.getTime() ?? 0) - before;
    expect(Math.abs(lifetime - 3600_000)).toBeLessThan(60_000);
  });

  it.each([900, 43_200])('accepts DurationSeconds %d (the bounds) and expires the session then', async (seconds) => {
    // Act
    const before = Date.now();
    const answer = await sts.issue({ RoleSessionName: 'bounds', DurationSeconds: seconds });
    // Assess
    const lifetime = (answer.Credentials?.Expiration?.getTime() ?? 0) - before;
    expect(Math.abs(lifetime - seconds * 1000)).toBeLessThan(60_000);
  });

  it.each([899, 43_201])('refuses DurationSeconds %d with ValidationError', async (seconds) => {
    // Act
    const attempt = sts.issue({ RoleSessionName: 'out-of-range', DurationSeconds: seconds });
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it.each([
    ['one character', 'x'],
    ['65 characters', 'a'.repeat(65)],
    ['a space', 'has space'],
    ['a slash', 'team/job'],
  ])('refuses a RoleSessionName of %s with ValidationError', async (_what, name) => {
    // Act
    const attempt = sts.issue({ RoleSessionName: name });
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('refuses a role the caller may not assume with AccessDenied', async () => {
    // Act
    const attempt = sts.refused({ RoleSessionName: 'not-yours' });
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
