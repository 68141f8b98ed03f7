import { homedir } from 'node:os';
import { join } from 'node:path';
import { type CommandSpec, parseCommandLine } from '../cli-kit';
import { endpointProblem } from './endpoints';
import { EXIT_CODES, HelperError } from './exit-codes';

/** Environment variables the helper reads itself. */
export const ENV = {
  certificatePassword: 'ENTRA_AWS_CERTIFICATE_PASSWORD',
  cacheDir: 'ENTRA_AWS_CREDENTIALS_CACHE_DIR',
  authorityHost: 'ENTRA_AWS_AUTHORITY_HOST',
  stsEndpoint: 'ENTRA_AWS_STS_ENDPOINT',
  iamEndpoint: 'ENTRA_AWS_IAM_ENDPOINT',
} as const;

/**
 * Environment variables the platforms set, and the AWS SDK's endpoint overrides, which the
 * helper reads or checks. Sources:
 * - Kubernetes workload identity (the webhook injects them):
 *   https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html
 * - GitHub Actions (present only with `permissions: id-token: write`):
 *   https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 * - AWS configured endpoints: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export const PLATFORM_ENV = {
  azureTenantId: 'AZURE_TENANT_ID',
  azureClientId: 'AZURE_CLIENT_ID',
  azureFederatedTokenFile: 'AZURE_FEDERATED_TOKEN_FILE',
  azureAuthorityHost: 'AZURE_AUTHORITY_HOST',
  githubTokenRequestUrl: 'ACTIONS_ID_TOKEN_REQUEST_URL',
  githubTokenRequestToken: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  awsEndpointUrl: 'AWS_ENDPOINT_URL',
  awsEndpointUrlSts: 'AWS_ENDPOINT_URL_STS',
  awsEndpointUrlIam: 'AWS_ENDPOINT_URL_IAM',
} as const;

/** How the workload proves who it is to Entra. */
export const TOKEN_SOURCES = ['certificate', 'managed-identity', 'workload-identity', 'github-actions'] as const;
export type TokenSourceKind = (typeof TOKEN_SOURCES)[number];

export const USAGE = `Usage:
  entra-aws-credentials --role-arn <arn> <token source> [--audience <app ID or URI>]
                        [--duration-seconds 900..43200] [--region <region>] [--role-session-name <name>]
                        [--cache-dir <dir>] [--no-cache]
      Prints AWS credential_process JSON for the role.
  entra-aws-credentials <token source> [--audience <app ID or URI>] --token-file <path>
      Writes the raw Entra token to <path> (mode 0600) for AWS_WEB_IDENTITY_TOKEN_FILE setups.
  entra-aws-credentials doctor …
      Explains why STS would deny a token (entra-aws-credentials doctor --help).
  entra-aws-credentials [doctor] --help
      Prints this text (or doctor's).

Token sources (--token-source, default certificate):
  certificate        --tenant-id <id> --client-id <id> --certificate <pem>
                     [--certificate-password-file <file>] (or ${ENV.certificatePassword}; --certificate-password
                     works but shows the password to every local user in the process list)
  managed-identity   --audience <id> [--client-id <user-assigned identity's client ID>]
                     (Azure VM / VM scale set IMDS, App Service and Functions IDENTITY_ENDPOINT)
  workload-identity  --tenant-id / ${PLATFORM_ENV.azureTenantId}, --client-id / ${PLATFORM_ENV.azureClientId},
                     --federated-token-file / ${PLATFORM_ENV.azureFederatedTokenFile} (Kubernetes workload identity)
  github-actions     --tenant-id <id> --client-id <id> (the job needs permissions: id-token: write)
--audience is the application the token is requested for: by default --client-id (each role its own
audience); the gateway application ID for roles in the shared-audience mode or with your own identity.

Environment: ${ENV.cacheDir}. Endpoint overrides (https://, or http:// to a loopback address only):
  --authority-host / ${ENV.authorityHost} / ${PLATFORM_ENV.azureAuthorityHost} (https:// only),
  --sts-endpoint / ${ENV.stsEndpoint} / ${PLATFORM_ENV.awsEndpointUrlSts} / ${PLATFORM_ENV.awsEndpointUrl},
  --iam-endpoint / ${ENV.iamEndpoint} / ${PLATFORM_ENV.awsEndpointUrlIam} / ${PLATFORM_ENV.awsEndpointUrl}.`;

/** `entra-aws-credentials doctor --help`. */
export const DOCTOR_USAGE = `Usage:
  entra-aws-credentials doctor --role-arn <arn> (--token <file> | <token source> [--audience …])
                        [--trust-policy <file>] [--provider-client-ids <id,id>] [--region <region>]
      Explains why STS would deny the token: its issuer, audience and subject against the role's
      trust policy and the provider's client IDs. Without --trust-policy / --provider-client-ids it
      reads them with your own AWS credentials (iam:GetRole, iam:GetOpenIDConnectProvider).
  --token <file>       a token already obtained (a JWT in a file)
  <token source>       as for credentials (entra-aws-credentials --help): a fresh token is requested`;

/**
 * Plain checks rather than zod: a credential_process runs before every AWS CLI / SDK call, and
 * loading zod alone costs ~200 ms of its cache-hit time (bench/credential-helper.bench.ts).
 */
type Check = (value: string) => string | undefined;
const pattern =
  (regex: RegExp, what: string): Check =>
  (value) =>
    regex.test(value) ? undefined : what;
// The helper ships to app teams on its own (its bundle imports nothing of functions/), so it keeps its own copy.
const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID = pattern(GUID_PATTERN, 'a GUID');
/** A tenant is named by its GUID or one of its verified domains (e.g. contoso.onmicrosoft.com). */
const TENANT = pattern(/^[0-9a-z][0-9a-z.-]*$/i, 'a tenant GUID or domain name');
const ROLE_ARN = pattern(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN (arn:aws:iam::123456789012:role/name)');
const REGION = pattern(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-central-1');
const SESSION_NAME = pattern(/^[\w+=,.@-]{2,64}$/, '2–64 characters of letters, digits and +=,.@_-');
/** MSAL refuses a non-https authority, even on loopback (ClientConfigurationError authority_uri_insecure). */
const AUTHORITY_URL = pattern(/^https:\/\/[^\s/]+/, 'an https:// URL (Entra sign-in is never plain HTTP, even to a local fake)');
const ENDPOINT_URL: Check = endpointProblem;
const DURATION: Check = (value) =>
  /^\d+$/.test(value) && Number(value) >= 900 && Number(value) <= 43200 ? undefined : 'at least 900 and at most 43200 (whole seconds)';
const NON_EMPTY: Check = (value) => (value.length > 0 ? undefined : 'non-empty');
const TOKEN_SOURCE: Check = (value) =>
  (TOKEN_SOURCES as readonly string[]).includes(value) ? undefined : `one of ${TOKEN_SOURCES.join(', ')}`;
/**
 * The resource a token is requested for: an application ID, or an application ID URI
 * (api://…, https://…). The scope is `{audience}/.default`, the only form an app-only token takes:
 * https://learn.microsoft.com/entra/identity-platform/scopes-oidc#the-default-scope
 */
const AUDIENCE: Check = (value) =>
  value.endsWith('/.default')
    ? 'the application ID or URI without /.default (the helper adds it)'
    : GUID_PATTERN.test(value) || /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value)
      ? undefined
      : 'an application ID (GUID) or an application ID URI such as api://…';

/** Everything needed to get the workload's Entra token, for any source. */
export interface TokenSourceArgs {
  kind: TokenSourceKind;
  /** Required for every source but managed-identity (the platform knows the tenant). */
  tenantId?: string;
  /** The application (or user-assigned managed identity) that signs in; optional only for a system-assigned managed identity. */
  clientId?: string;
  /** The application the token is for; the scope is `{audience}/.default`. */
  audience: string;
  certificate?: string;
  certificatePassword?: string;
  certificatePasswordFile?: string;
  federatedTokenFile?: string;
  /** GitHub Actions' OIDC request URL and bearer token, from the job's environment. */
  githubTokenRequest?: { url?: string; token?: string };
  /** Only for tests against a fake, or a sovereign cloud; the default is login.microsoftonline.com. */
  authorityHost?: string;
}

export interface CredentialsArgs {
  command: 'credentials';
  source: TokenSourceArgs;
  roleArn?: string;
  durationSeconds: number;
  region: string;
  roleSessionName?: string;
  tokenFile?: string;
  cacheDir: string;
  noCache: boolean;
  stsEndpoint?: string;
  /** Printed on stderr before anything else. */
  warnings: string[];
}

export interface DoctorArgs {
  command: 'doctor';
  roleArn: string;
  /** A token file to explain; otherwise `source` gets a fresh token. */
  token?: string;
  source?: TokenSourceArgs;
  trustPolicy?: string;
  providerClientIds?: string[];
  region: string;
  iamEndpoint?: string;
  warnings: string[];
}

/** `help`: the usage asked for (the command's, or doctor's), printed on stdout. */
export type HelperArgs = CredentialsArgs | DoctorArgs | { command: 'help'; text: string };

const OPTIONS = {
  'token-source': { type: 'string' },
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  audience: { type: 'string' },
  certificate: { type: 'string' },
  'certificate-password': { type: 'string' },
  'certificate-password-file': { type: 'string' },
  'federated-token-file': { type: 'string' },
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
} as const;

const COMMAND: CommandSpec = { usage: USAGE, options: OPTIONS, subcommands: { doctor: { usage: DOCTOR_USAGE } } };

type Values = { readonly [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** Flags that belong to one token source: given with another, they are a mistake worth naming. */
const SOURCE_ONLY_FLAGS: Record<string, TokenSourceKind> = {
  certificate: 'certificate',
  'certificate-password': 'certificate',
  'certificate-password-file': 'certificate',
  'federated-token-file': 'workload-identity',
};

export const CERTIFICATE_PASSWORD_WARNING = `--certificate-password is visible to every local user in the process list (ps, /proc/<pid>/cmdline). Use --certificate-password-file <file> or the ${ENV.certificatePassword} environment variable instead.`;

class Problems {
  readonly list: string[] = [];
  check(flag: string, value: string | undefined, rule: Check, required = false): string | undefined {
    if (value === undefined) {
      if (required) this.list.push(`${flag} is required`);
      return undefined;
    }
    const problem = rule(value);
    if (problem) this.list.push(`${flag} must be ${problem}`);
    return value;
  }
  error(): HelperError {
    return new HelperError(EXIT_CODES.usage, `${this.list.join('\n')}\n\n${USAGE}`);
  }
}

/** Parses argv (without `node` and the script) and the environment into validated arguments. */
export function parseHelperArgs(argv: readonly string[], env: NodeJS.ProcessEnv): HelperArgs {
  const line = parseCommandLine(COMMAND, argv);
  if (line.kind === 'help') return { command: 'help', text: line.text };
  if (line.kind === 'error') throw new HelperError(EXIT_CODES.usage, `${line.problems.join('\n')}\n\n${line.usage}`);
  const values = line.values as Values;
  const positionals = line.subcommand === undefined ? [] : [line.subcommand];
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const warnings = values['certificate-password'] === undefined ? [] : [CERTIFICATE_PASSWORD_WARNING];

  const problems = new Problems();
  problems.check('--region (or AWS_REGION)', region, REGION, true);

  if (positionals[0] === 'doctor') {
    const token = problems.check('--token', values.token, NON_EMPTY);
    const canGetToken = token === undefined && (values['token-source'] !== undefined || values.certificate !== undefined);
    const args: DoctorArgs = {
      command: 'doctor',
      roleArn: problems.check('--role-arn', values['role-arn'], ROLE_ARN, true) as string,
      token,
      source: canGetToken ? parseTokenSource(values, env, problems) : undefined,
      trustPolicy: problems.check('--trust-policy', values['trust-policy'], NON_EMPTY),
      providerClientIds: values['provider-client-ids']
        ?.split(',')
        .map((id) => id.trim())
        .filter(Boolean),
      region,
      iamEndpoint: endpointOverride(problems, 'iam', values['iam-endpoint'], env, ENV.iamEndpoint, PLATFORM_ENV.awsEndpointUrlIam),
      warnings,
    };
    if (problems.list.length > 0) throw problems.error();
    if (!args.token && !args.source) {
      throw new HelperError(
        EXIT_CODES.usage,
        `doctor needs a token: give --token <file>, or a token source (--tenant-id, --client-id and --certificate; or --token-source ${TOKEN_SOURCES.slice(1).join('|')}) to get a fresh one.\n\n${DOCTOR_USAGE}`,
      );
    }
    return args;
  }

  const args: CredentialsArgs = {
    command: 'credentials',
    source: parseTokenSource(values, env, problems),
    roleArn: problems.check('--role-arn', values['role-arn'], ROLE_ARN),
    durationSeconds: Number(problems.check('--duration-seconds', values['duration-seconds'], DURATION) ?? 3600),
    region,
    roleSessionName: problems.check('--role-session-name', values['role-session-name'], SESSION_NAME),
    tokenFile: problems.check('--token-file', values['token-file'], NON_EMPTY),
    cacheDir: problems.check('--cache-dir', values['cache-dir'] ?? env[ENV.cacheDir], NON_EMPTY) ?? defaultCacheDir(env),
    noCache: values['no-cache'] ?? false,
    stsEndpoint: endpointOverride(problems, 'sts', values['sts-endpoint'], env, ENV.stsEndpoint, PLATFORM_ENV.awsEndpointUrlSts),
    warnings,
  };
  if (problems.list.length > 0) throw problems.error();
  if (!args.roleArn && !args.tokenFile) {
    throw new HelperError(EXIT_CODES.usage, `--role-arn is required (or --token-file to only write the Entra token).\n\n${USAGE}`);
  }
  return args;
}

function parseTokenSource(values: Values, env: NodeJS.ProcessEnv, problems: Problems): TokenSourceArgs {
  const kind = (problems.check('--token-source', values['token-source'], TOKEN_SOURCE) ?? 'certificate') as TokenSourceKind;
  for (const [flag, owner] of Object.entries(SOURCE_ONLY_FLAGS)) {
    if (values[flag as keyof Values] !== undefined && owner !== kind)
      problems.list.push(`--${flag} is only used with --token-source ${owner}`);
  }
  const authorityHost = problems.check(
    '--authority-host (or ENTRA_AWS_AUTHORITY_HOST, AZURE_AUTHORITY_HOST)',
    values['authority-host'] ?? env[ENV.authorityHost] ?? env[PLATFORM_ENV.azureAuthorityHost],
    AUTHORITY_URL,
  );
  // Kubernetes workload identity passes tenant and client in the pod's environment; the other sources take flags only,
  // so that an AZURE_CLIENT_ID meant for another tool never picks the identity silently.
  const fromEnv = kind === 'workload-identity';
  const tenantId = problems.check(
    fromEnv ? `--tenant-id (or ${PLATFORM_ENV.azureTenantId})` : '--tenant-id',
    values['tenant-id'] ?? (fromEnv ? env[PLATFORM_ENV.azureTenantId] : undefined),
    TENANT,
    kind !== 'managed-identity',
  );
  const clientId = problems.check(
    fromEnv ? `--client-id (or ${PLATFORM_ENV.azureClientId})` : '--client-id',
    values['client-id'] ?? (fromEnv ? env[PLATFORM_ENV.azureClientId] : undefined),
    GUID,
    kind !== 'managed-identity',
  );
  // A managed identity asks for a token for another application (it has none of its own to ask for), so it must say which.
  const audience =
    problems.check(
      kind === 'managed-identity' ? "--audience (the role's client ID, or the gateway application ID)" : '--audience',
      values.audience,
      AUDIENCE,
      kind === 'managed-identity',
    ) ??
    clientId ??
    '';
  const source: TokenSourceArgs = { kind, tenantId, clientId, audience, authorityHost };
  switch (kind) {
    case 'certificate': {
      source.certificate = problems.check('--certificate', values.certificate, NON_EMPTY, true);
      if (values['certificate-password'] !== undefined && values['certificate-password-file'] !== undefined) {
        problems.list.push('--certificate-password and --certificate-password-file exclude each other: give the file only');
      }
      source.certificatePasswordFile = problems.check('--certificate-password-file', values['certificate-password-file'], NON_EMPTY);
      source.certificatePassword =
        values['certificate-password'] ?? (source.certificatePasswordFile ? undefined : env[ENV.certificatePassword]);
      break;
    }
    case 'workload-identity':
      source.federatedTokenFile = problems.check(
        `--federated-token-file (or ${PLATFORM_ENV.azureFederatedTokenFile})`,
        values['federated-token-file'] ?? env[PLATFORM_ENV.azureFederatedTokenFile],
        NON_EMPTY,
        true,
      );
      break;
    case 'github-actions': {
      const url = env[PLATFORM_ENV.githubTokenRequestUrl] || undefined;
      problems.check(PLATFORM_ENV.githubTokenRequestUrl, url, ENDPOINT_URL);
      source.githubTokenRequest = { url, token: env[PLATFORM_ENV.githubTokenRequestToken] || undefined };
      break;
    }
    case 'managed-identity':
      break;
  }
  return source;
}

/**
 * The helper's own endpoint override, checked with the AWS SDK's configured endpoints
 * (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL) so a clear-text one is refused up front by name.
 * A profile's endpoint_url is caught when the request is built (refuseClearTextEndpoints).
 */
function endpointOverride(
  problems: Problems,
  service: 'sts' | 'iam',
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  ownVariable: string,
  sdkVariable: string,
): string | undefined {
  const own = problems.check(`--${service}-endpoint (or ${ownVariable})`, flag ?? env[ownVariable], ENDPOINT_URL);
  if (own === undefined) {
    problems.check(sdkVariable, env[sdkVariable] || undefined, ENDPOINT_URL);
    problems.check(PLATFORM_ENV.awsEndpointUrl, env[PLATFORM_ENV.awsEndpointUrl] || undefined, ENDPOINT_URL);
  }
  return own;
}

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'entra-aws-credentials');
}
