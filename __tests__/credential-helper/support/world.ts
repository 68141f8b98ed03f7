/**
 * The world the end-to-end helper tests run in: loopback fakes of Entra (HTTPS), STS/IAM
 * (HTTPS), the managed identity endpoints (HTTP, as the platform's are), GitHub Actions' OIDC
 * endpoint (HTTPS) and a Kubernetes service account issuer, plus `run`, which starts the real
 * `entra-aws-credentials` bin as a child process. A child process is needed anyway:
 * @azure/identity refuses http:// authorities, NODE_EXTRA_CA_CERTS (trusting the fakes'
 * test-time certificate) is read only at start, and MSAL picks the managed identity endpoint
 * from the process environment.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { startAwsFake, type AwsFake } from './aws-fake';
import { startEntraFake, type EntraFake } from './entra-fake';
import { startGitHubOidcFake, type GitHubOidcFake } from './github-oidc-fake';
import { makeLoopbackTls } from './https-server';
import { startManagedIdentityFake, type ManagedIdentityFake } from './managed-identity-fake';
import { makeOidcIssuer, type OidcIssuer } from './oidc-issuer';

export const BIN = join(__dirname, '..', '..', '..', 'credential-helper', 'bin.js');
export const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
export const OTHER_TENANT = '99999999-0000-cccc-1111-dddd2222eeee';
export const ACCOUNT = '111122223333';
export const APP = { appId: '00001111-aaaa-2222-bbbb-3333cccc4444', sp: '11112222-bbbb-3333-cccc-4444dddd5555' };
export const V2_APP = { appId: '22223333-cccc-4444-dddd-5555eeee6666', sp: '33334444-dddd-5555-eeee-6666ffff7777' };
export const STALE_APP = { appId: '44445555-eeee-6666-ffff-7777aaaa8888', sp: '55556666-ffff-7777-aaaa-8888bbbb9999' };
export const EXPIRED_KEY_APP = { appId: '66667777-aaaa-8888-bbbb-9999cccc0000', sp: '77778888-bbbb-9999-cccc-0000dddd1111' };
/** The shared-audience gateway: one application every role in that mode trusts; it issues v1 tokens. */
export const GATEWAY = {
  appId: '0a0a0a0a-1111-4222-8333-444455556666',
  sp: '0b0b0b0b-1111-4222-8333-444455556666',
  uri: 'api://entra-aws-gateway',
};
/** Managed identities: the VM's system-assigned one, a user-assigned one it has, and one it has not. */
export const MI_SYSTEM = { appId: 'a1a1a1a1-2222-4333-8444-555566667777', sp: 'b1b1b1b1-2222-4333-8444-555566667777' };
export const MI_USER = { appId: 'a2a2a2a2-2222-4333-8444-555566667777', sp: 'b2b2b2b2-2222-4333-8444-555566667777' };
export const MI_NOT_ASSIGNED = { appId: 'a3a3a3a3-2222-4333-8444-555566667777', sp: 'b3b3b3b3-2222-4333-8444-555566667777' };
export const UNKNOWN_CLIENT = '88889999-cccc-0000-dddd-1111eeee2222';
export const STALE_SP = 'ffffeeee-dddd-cccc-bbbb-aaaa99998888';
export const PROVIDER = `sts.windows.net/${TENANT}/`;
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${PROVIDER}`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/payments-ci`;
export const WRONG_SUB_ROLE = `arn:aws:iam::${ACCOUNT}:role/payments-stale`;
export const V2_ROLE = `arn:aws:iam::${ACCOUNT}:role/reports-ci`;
export const STALE_ROLE = `arn:aws:iam::${ACCOUNT}:role/batch-ci`;
/** Roles with their own identity (bring your own): aud pinned to the gateway, sub to a managed identity. */
export const BYO_USER_ROLE = `arn:aws:iam::${ACCOUNT}:role/inventory-vm`;
export const BYO_SYSTEM_ROLE = `arn:aws:iam::${ACCOUNT}:role/inventory-func`;
export const KUBERNETES_ISSUER = `https://oidc.prod-aks.azure.com/${TENANT}/0c0c0c0c-1111-4222-8333-444455556666/`;
export const KUBERNETES_SUBJECT = 'system:serviceaccount:payments:deployer';
export const GITHUB_SUBJECT = 'repo:contoso/payments:ref:refs/heads/main';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** The trust policy the automation writes: aud pinned to the audience, sub to the service principal (docs/architecture.md#the-trust-policy-the-automation-writes). */
export function trustPolicy(audience: string, sub: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${PROVIDER}:aud`]: audience, [`${PROVIDER}:sub`]: sub } },
      },
    ],
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export type CertificateName = 'good' | 'unregistered' | 'expired' | 'encrypted' | 'expiredKey';

export interface World {
  work: string;
  entra: EntraFake;
  aws: AwsFake;
  managedIdentity: ManagedIdentityFake;
  github: GitHubOidcFake;
  kubernetes: OidcIssuer;
  /** PEM files (certificate + key) by name. */
  certs: Record<CertificateName, string>;
  run: (args: string[], extraEnv?: Record<string, string>) => Promise<Run>;
  /** The arguments of a working certificate-mode call, with `overrides` applied, in a fresh cache directory. */
  credentialArgs: (overrides?: Record<string, string>, cacheDir?: string) => string[];
  requestCounts: () => { entra: number; aws: number };
  stop: () => Promise<void>;
}

export async function startWorld(): Promise<World> {
  const work = mkdtempSync(join(tmpdir(), 'credential-helper-'));
  const tls = await makeLoopbackTls();
  const caFile = join(work, 'ca.pem');
  writeFileSync(caFile, tls.caPem);
  const day = 24 * 3600 * 1000;
  const pems: Record<string, string> = {};
  const certs = {} as Record<CertificateName, string>;
  const certificateOptions: Record<CertificateName, Parameters<typeof generate>[1]> = {
    good: {},
    unregistered: {},
    expired: { notBeforeDate: new Date(Date.now() - 30 * day), notAfterDate: new Date(Date.now() - day) },
    encrypted: { passphrase: 'correct horse' },
    expiredKey: {},
  };
  for (const [name, options] of Object.entries(certificateOptions) as [CertificateName, Parameters<typeof generate>[1]][]) {
    const generated = await generate([{ name: 'commonName', value: `workload-${name}` }], {
      keySize: 2048,
      algorithm: 'sha256',
      ...options,
    });
    certs[name] = join(work, `${name}.pem`);
    pems[name] = generated.cert;
    writeFileSync(certs[name], `${generated.cert}${generated.private}`, { mode: 0o600 });
  }

  const kubernetes = makeOidcIssuer(KUBERNETES_ISSUER);
  const github = await startGitHubOidcFake(tls, GITHUB_SUBJECT);
  const federatedCredentials = [
    { issuer: KUBERNETES_ISSUER, subject: KUBERNETES_SUBJECT, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
    { issuer: github.issuer.issuer, subject: GITHUB_SUBJECT, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
  ];
  const managedIdentities = {
    system: { appId: MI_SYSTEM.appId, servicePrincipalId: MI_SYSTEM.sp, certificates: [], accessTokenVersion: 1 as const },
    user: { appId: MI_USER.appId, servicePrincipalId: MI_USER.sp, certificates: [], accessTokenVersion: 1 as const, federatedCredentials },
    notAssigned: { appId: MI_NOT_ASSIGNED.appId, servicePrincipalId: MI_NOT_ASSIGNED.sp, certificates: [], accessTokenVersion: 1 as const },
  };
  const entra = await startEntraFake(tls, {
    [TENANT]: [
      {
        appId: APP.appId,
        servicePrincipalId: APP.sp,
        certificates: [{ pem: pems.good }, { pem: pems.encrypted }],
        accessTokenVersion: 1,
        federatedCredentials,
      },
      {
        appId: V2_APP.appId,
        servicePrincipalId: V2_APP.sp,
        certificates: [{ pem: pems.good }],
        accessTokenVersion: 2,
        federatedCredentials,
      },
      {
        appId: STALE_APP.appId,
        servicePrincipalId: STALE_APP.sp,
        certificates: [{ pem: pems.good }],
        accessTokenVersion: 1,
        issuesExpiredTokens: true,
      },
      {
        appId: EXPIRED_KEY_APP.appId,
        servicePrincipalId: EXPIRED_KEY_APP.sp,
        certificates: [{ pem: pems.expiredKey, endDateTime: new Date(Date.now() - day) }],
        accessTokenVersion: 1,
      },
      { appId: GATEWAY.appId, servicePrincipalId: GATEWAY.sp, certificates: [], accessTokenVersion: 1, identifierUris: [GATEWAY.uri] },
      ...Object.values(managedIdentities),
    ],
  });
  entra.trustIssuer(kubernetes.issuer, kubernetes.jwks);
  entra.trustIssuer(github.issuer.issuer, github.issuer.jwks);
  const managedIdentity = await startManagedIdentityFake(entra, {
    tenant: TENANT,
    systemAssigned: managedIdentities.system,
    userAssigned: [managedIdentities.user],
  });
  const aws = await startAwsFake(
    tls,
    {
      accountId: ACCOUNT,
      providers: [{ url: PROVIDER, clientIds: [APP.appId, V2_APP.appId, STALE_APP.appId, GATEWAY.appId] }],
      roles: [
        { arn: ROLE, trustPolicy: trustPolicy(APP.appId, APP.sp), tags: { 'entra:client-id': APP.appId, 'entra:tenant-id': TENANT } },
        { arn: WRONG_SUB_ROLE, trustPolicy: trustPolicy(APP.appId, STALE_SP) },
        { arn: V2_ROLE, trustPolicy: trustPolicy(V2_APP.appId, V2_APP.sp) },
        { arn: STALE_ROLE, trustPolicy: trustPolicy(STALE_APP.appId, STALE_APP.sp) },
        { arn: BYO_USER_ROLE, trustPolicy: trustPolicy(GATEWAY.appId, MI_USER.sp) },
        { arn: BYO_SYSTEM_ROLE, trustPolicy: trustPolicy(GATEWAY.appId, MI_SYSTEM.sp) },
      ],
    },
    () => entra.jwks,
  );

  function run(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    // A minimal environment: no AWS keys or profiles, so success proves none are needed.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: work,
      NODE_EXTRA_CA_CERTS: caFile,
      AWS_CONFIG_FILE: join(work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...extraEnv,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env, timeout: 50_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  function credentialArgs(overrides: Record<string, string> = {}, cacheDir = mkdtempSync(join(work, 'cache-'))): string[] {
    const values: Record<string, string> = {
      '--tenant-id': TENANT,
      '--client-id': APP.appId,
      '--certificate': certs.good,
      '--role-arn': ROLE,
      '--region': 'eu-central-1',
      '--authority-host': entra.url,
      '--sts-endpoint': aws.url,
      '--cache-dir': cacheDir,
      ...overrides,
    };
    return Object.entries(values).flat();
  }

  return {
    work,
    entra,
    aws,
    managedIdentity,
    github,
    kubernetes,
    certs,
    run,
    credentialArgs,
    requestCounts: () => ({ entra: entra.requests.length, aws: aws.requests.length }),
    stop: async () => {
      await Promise.all([entra.stop(), aws.stop(), managedIdentity.stop(), github.stop()]);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Drops flags (with their values) from an argument list. */
export function without(args: string[], ...flags: string[]): string[] {
  return args.filter((arg, index, all) => !flags.includes(arg) && !flags.includes(all[index - 1]));
}
