import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
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

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID');
/** A tenant is named by its GUID or one of its verified domains (e.g. contoso.onmicrosoft.com). */
const tenant = z.string().regex(/^[0-9a-z][0-9a-z.-]*$/i, 'a tenant GUID or domain name');
const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN (arn:aws:iam::123456789012:role/name)');
const httpsUrl = z.string().url().refine((value) => value.startsWith('https://'), 'an https:// URL');
const endpointUrl = z.string().url().refine((value) => /^https?:\/\//.test(value), 'an http(s):// URL');

const credentialsSchema = z.object({
  tenantId: tenant,
  clientId: guid,
  certificate: z.string().min(1, 'a path to a PEM file holding the certificate and its private key'),
  certificatePassword: z.string().optional(),
  roleArn: roleArn.optional(),
  durationSeconds: z.coerce.number().int('whole seconds').min(900, 'at least 900').max(43200, 'at most 43200').default(3600),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-central-1'),
  roleSessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/, '2–64 characters of letters, digits and +=,.@_-').optional(),
  tokenFile: z.string().min(1).optional(),
  cacheDir: z.string().min(1),
  noCache: z.boolean(),
  authorityHost: httpsUrl.optional(),
  stsEndpoint: endpointUrl.optional(),
});
export type CredentialsArgs = z.infer<typeof credentialsSchema> & { command: 'credentials' };

const doctorSchema = z.object({
  roleArn,
  token: z.string().min(1).optional(),
  tenantId: tenant.optional(),
  clientId: guid.optional(),
  certificate: z.string().min(1).optional(),
  certificatePassword: z.string().optional(),
  trustPolicy: z.string().min(1).optional(),
  providerClientIds: z
    .string()
    .transform((value) => value.split(',').map((id) => id.trim()).filter(Boolean))
    .optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-central-1'),
  authorityHost: httpsUrl.optional(),
  iamEndpoint: endpointUrl.optional(),
});
export type DoctorArgs = z.infer<typeof doctorSchema> & { command: 'doctor' };

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

  if (positionals[0] === 'doctor') {
    const args = validate(doctorSchema, {
      roleArn: values['role-arn'],
      token: values.token,
      tenantId: values['tenant-id'],
      clientId: values['client-id'],
      certificate: values.certificate,
      certificatePassword,
      trustPolicy: values['trust-policy'],
      providerClientIds: values['provider-client-ids'],
      region,
      authorityHost,
      iamEndpoint: values['iam-endpoint'] ?? env[ENV.iamEndpoint],
    });
    if (!args.token && !(args.tenantId && args.clientId && args.certificate)) {
      throw new HelperError(
        EXIT_CODES.usage,
        `doctor needs a token: give --token <file>, or --tenant-id, --client-id and --certificate to get a fresh one.\n\n${USAGE}`,
      );
    }
    return { command: 'doctor', ...args };
  }

  const args = validate(credentialsSchema, {
    tenantId: values['tenant-id'],
    clientId: values['client-id'],
    certificate: values.certificate,
    certificatePassword,
    roleArn: values['role-arn'],
    durationSeconds: values['duration-seconds'],
    region,
    roleSessionName: values['role-session-name'],
    tokenFile: values['token-file'],
    cacheDir: values['cache-dir'] ?? env[ENV.cacheDir] ?? defaultCacheDir(env),
    noCache: values['no-cache'] ?? false,
    authorityHost,
    stsEndpoint: values['sts-endpoint'] ?? env[ENV.stsEndpoint],
  });
  if (!args.roleArn && !args.tokenFile) {
    throw new HelperError(EXIT_CODES.usage, `--role-arn is required (or --token-file to only write the Entra token).\n\n${USAGE}`);
  }
  return { command: 'credentials', ...args };
}

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'entra-aws-credentials');
}

const FLAG_NAMES: Record<string, string> = {
  tenantId: '--tenant-id',
  clientId: '--client-id',
  certificate: '--certificate',
  certificatePassword: '--certificate-password',
  roleArn: '--role-arn',
  durationSeconds: '--duration-seconds',
  region: '--region (or AWS_REGION)',
  roleSessionName: '--role-session-name',
  tokenFile: '--token-file',
  cacheDir: '--cache-dir',
  authorityHost: '--authority-host',
  stsEndpoint: '--sts-endpoint',
  iamEndpoint: '--iam-endpoint',
  token: '--token',
  trustPolicy: '--trust-policy',
  providerClientIds: '--provider-client-ids',
};

function validate<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    const flag = FLAG_NAMES[key] ?? key;
    return input[key] === undefined ? `${flag} is required` : `${flag} must be ${issue.message}`;
  });
  throw new HelperError(EXIT_CODES.usage, `${problems.join('\n')}\n\n${USAGE}`);
}
