import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODES, HelperError } from './exit-codes';

/** Environment variables the helper reads (besides the AWS/Azure SDKs' own). */
export const ENV = {
  certificatePassword: 'ENTRA_AWS_CERTIFICATE_PASSWORD',
  cacheDir: 'ENTRA_AWS_CREDENTIALS_CACHE_DIR',
  authorityHost: 'ENTRA_AWS_AUTHORITY_HOST',
  stsEndpoint: 'ENTRA_AWS_STS_ENDPOINT',
  iamEndpoint: 'ENTRA_AWS_IAM_ENDPOINT',
} as const;

export const USAGE = `Usage:
  entra-aws-credentials --tenant-id <id> --client-id <id> --certificate <pem> --role-arn <arn>
                        [--certificate-password <pw>] [--duration-seconds 900..43200] [--region <region>]
                        [--role-session-name <name>] [--cache-dir <dir>] [--no-cache]
      Prints AWS credential_process JSON for the role.
  entra-aws-credentials --tenant-id <id> --client-id <id> --certificate <pem> --token-file <path>
      Writes the raw Entra token to <path> (mode 0600) for AWS_WEB_IDENTITY_TOKEN_FILE setups.
  entra-aws-credentials doctor --role-arn <arn> (--token <file> | --tenant-id <id> --client-id <id> --certificate <pem>)
                        [--trust-policy <file>] [--provider-client-ids <id,id>]
      Explains why STS would deny the token. Without --trust-policy / --provider-client-ids it reads
      them with your own AWS credentials (iam:GetRole, iam:GetOpenIDConnectProvider).
Environment: ${ENV.certificatePassword} (instead of --certificate-password), ${ENV.cacheDir}.
Test-only endpoint overrides: --authority-host / ${ENV.authorityHost}, --sts-endpoint / ${ENV.stsEndpoint},
  --iam-endpoint / ${ENV.iamEndpoint}.`;

/**
 * Plain checks rather than zod: a credential_process runs before every AWS CLI / SDK call, and
 * loading zod alone costs ~200 ms of its cache-hit time (bench/credential-helper.bench.ts).
 */
type Check = (value: string) => string | undefined;
const pattern = (regex: RegExp, what: string): Check => (value) => (regex.test(value) ? undefined : what);
const GUID = pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID');
/** A tenant is named by its GUID or one of its verified domains (e.g. contoso.onmicrosoft.com). */
const TENANT = pattern(/^[0-9a-z][0-9a-z.-]*$/i, 'a tenant GUID or domain name');
const ROLE_ARN = pattern(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN (arn:aws:iam::123456789012:role/name)');
const REGION = pattern(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-central-1');
const SESSION_NAME = pattern(/^[\w+=,.@-]{2,64}$/, '2–64 characters of letters, digits and +=,.@_-');
const HTTPS_URL = pattern(/^https:\/\/[^\s/]+/, 'an https:// URL');
const ENDPOINT_URL = pattern(/^https?:\/\/[^\s/]+/, 'an http(s):// URL');
const DURATION: Check = (value) =>
  /^\d+$/.test(value) && Number(value) >= 900 && Number(value) <= 43200 ? undefined : 'at least 900 and at most 43200 (whole seconds)';
const NON_EMPTY: Check = (value) => (value.length > 0 ? undefined : 'non-empty');

export interface CredentialsArgs {
  command: 'credentials';
  tenantId: string;
  clientId: string;
  certificate: string;
  certificatePassword?: string;
  roleArn?: string;
  durationSeconds: number;
  region: string;
  roleSessionName?: string;
  tokenFile?: string;
  cacheDir: string;
  noCache: boolean;
  authorityHost?: string;
  stsEndpoint?: string;
}

export interface DoctorArgs {
  command: 'doctor';
  roleArn: string;
  token?: string;
  tenantId?: string;
  clientId?: string;
  certificate?: string;
  certificatePassword?: string;
  trustPolicy?: string;
  providerClientIds?: string[];
  region: string;
  authorityHost?: string;
  iamEndpoint?: string;
}

export type HelperArgs = CredentialsArgs | DoctorArgs | { command: 'help' };

const OPTIONS = {
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  certificate: { type: 'string' },
  'certificate-password': { type: 'string' },
  'role-arn': { type: 'string' },
  'duration-seconds': { type: 'string' },
  region: { type: 'string' },
  'role-session-name': { type: 'string' },
  'token-file': { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  'authority-host': { type: 'string' },
  'sts-endpoint': { type: 'string' },
  'iam-endpoint': { type: 'string' },
  token: { type: 'string' },
  'trust-policy': { type: 'string' },
  'provider-client-ids': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses argv (without `node` and the script) and the environment into validated arguments. */
export function parseHelperArgs(argv: readonly string[], env: NodeJS.ProcessEnv): HelperArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new HelperError(EXIT_CODES.usage, `${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'doctor')) {
    throw new HelperError(EXIT_CODES.usage, `Unknown command "${positionals.join(' ')}": the only command is "doctor".\n\n${USAGE}`);
  }
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const certificatePassword = values['certificate-password'] ?? env[ENV.certificatePassword];
  const authorityHost = values['authority-host'] ?? env[ENV.authorityHost];

  const problems: string[] = [];
  const check = (flag: string, value: string | undefined, rule: Check, required = false): string | undefined => {
    if (value === undefined) {
      if (required) problems.push(`${flag} is required`);
      return undefined;
    }
    const problem = rule(value);
    if (problem) problems.push(`${flag} must be ${problem}`);
    return value;
  };
  const fail = () => new HelperError(EXIT_CODES.usage, `${problems.join('\n')}\n\n${USAGE}`);
  check('--region (or AWS_REGION)', region, REGION, true);
  check('--authority-host', authorityHost, HTTPS_URL);

  if (positionals[0] === 'doctor') {
    const args: DoctorArgs = {
      command: 'doctor',
      roleArn: check('--role-arn', values['role-arn'], ROLE_ARN, true) as string,
      token: check('--token', values.token, NON_EMPTY),
      tenantId: check('--tenant-id', values['tenant-id'], TENANT),
      clientId: check('--client-id', values['client-id'], GUID),
      certificate: check('--certificate', values.certificate, NON_EMPTY),
      certificatePassword,
      trustPolicy: check('--trust-policy', values['trust-policy'], NON_EMPTY),
      providerClientIds: values['provider-client-ids']?.split(',').map((id) => id.trim()).filter(Boolean),
      region,
      authorityHost,
      iamEndpoint: check('--iam-endpoint', values['iam-endpoint'] ?? env[ENV.iamEndpoint], ENDPOINT_URL),
    };
    if (problems.length > 0) throw fail();
    if (!args.token && !(args.tenantId && args.clientId && args.certificate)) {
      throw new HelperError(
        EXIT_CODES.usage,
        `doctor needs a token: give --token <file>, or --tenant-id, --client-id and --certificate to get a fresh one.\n\n${USAGE}`,
      );
    }
    return args;
  }

  const args: CredentialsArgs = {
    command: 'credentials',
    tenantId: check('--tenant-id', values['tenant-id'], TENANT, true) as string,
    clientId: check('--client-id', values['client-id'], GUID, true) as string,
    certificate: check('--certificate', values.certificate, NON_EMPTY, true) as string,
    certificatePassword,
    roleArn: check('--role-arn', values['role-arn'], ROLE_ARN),
    durationSeconds: Number(check('--duration-seconds', values['duration-seconds'], DURATION) ?? 3600),
    region,
    roleSessionName: check('--role-session-name', values['role-session-name'], SESSION_NAME),
    tokenFile: check('--token-file', values['token-file'], NON_EMPTY),
    cacheDir: check('--cache-dir', values['cache-dir'] ?? env[ENV.cacheDir], NON_EMPTY) ?? defaultCacheDir(env),
    noCache: values['no-cache'] ?? false,
    authorityHost,
    stsEndpoint: check('--sts-endpoint', values['sts-endpoint'] ?? env[ENV.stsEndpoint], ENDPOINT_URL),
  };
  if (problems.length > 0) throw fail();
  if (!args.roleArn && !args.tokenFile) {
    throw new HelperError(EXIT_CODES.usage, `--role-arn is required (or --token-file to only write the Entra token).\n\n${USAGE}`);
  }
  return args;
}

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'entra-aws-credentials');
}
