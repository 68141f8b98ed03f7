/**
 * entra-aws-credentials: AWS credentials for a workload outside AWS from its Entra identity
 * (a certificate, a managed identity, a Kubernetes federated token or GitHub Actions' OIDC
 * token), as an AWS CLI / SDK `credential_process`, plus `doctor`, which explains a denial.
 * Exit codes: ./exit-codes.ts (documented in docs/app-teams.md).
 */
import { readFile } from 'node:fs/promises';
import { parseHelperArgs, type CredentialsArgs, type DoctorArgs, type TokenSourceArgs } from './args';
import { cacheEntry, readCachedCredentials, writeCachedCredentials, writePrivateFile, type CacheKey } from './cache';
import { diagnose, formatDiagnosis, type TrustPolicy } from './doctor';
import { readProviderClientIds, readRoleFromIam, readTrustPolicyFile } from './doctor-sources';
import { getEntraToken } from './entra-token';
import { EXIT_CODES, HelperError } from './exit-codes';
import { decodeJwt } from './jwt';
import { exchangeToken } from './sts-exchange';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
}

const processIo: CliIo = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
};

/** Runs the helper and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const args = parseHelperArgs(argv, io.env);
    if (args.command !== 'help') {
      for (const warning of args.warnings) io.stderr(`entra-aws-credentials: warning: ${warning}\n`);
    }
    switch (args.command) {
      case 'help':
        io.stdout(`${args.text}\n`);
        return EXIT_CODES.ok;
      case 'doctor':
        return await doctor(args, io);
      case 'credentials':
        return await credentials(args, io);
    }
  } catch (error) {
    if (error instanceof HelperError) {
      io.stderr(`entra-aws-credentials: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`entra-aws-credentials: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_CODES.unexpected;
  }
}

async function credentials(args: CredentialsArgs, io: CliIo): Promise<number> {
  const warn = (message: string) => io.stderr(`entra-aws-credentials: warning: ${message}\n`);
  if (args.tokenFile) {
    const { token, expiresOn } = await getEntraToken(args.source, io.now());
    // No trailing newline: the SDKs pass the file's content to STS as the token.
    await writePrivateFile(args.tokenFile, token);
    io.stderr(`entra-aws-credentials: wrote the Entra token to ${args.tokenFile} (valid until ${expiresOn.toISOString()}).\n`);
    return EXIT_CODES.ok;
  }
  const roleArn = args.roleArn as string;
  // --no-cache means the cache is neither read nor written: not even its directory is looked at.
  const entry = args.noCache ? undefined : cacheEntry(args.cacheDir, credentialsCacheKey(args));
  if (entry) {
    const cached = await readCachedCredentials(entry, io.now(), warn);
    if (cached) {
      io.stdout(`${JSON.stringify(cached)}\n`);
      return EXIT_CODES.ok;
    }
  }
  const { token } = await getEntraToken(args.source, io.now());
  const fresh = await exchangeToken({
    token,
    roleArn,
    roleSessionName: args.roleSessionName ?? defaultSessionName(token, args.source),
    durationSeconds: args.durationSeconds,
    region: args.region,
    endpoint: args.stsEndpoint,
  });
  if (entry) {
    try {
      await writeCachedCredentials(entry, fresh);
    } catch (error) {
      // An unsafe directory found now (it changed since the read) fails closed; any other
      // write failure (disk full, permissions) costs only the next call a cache miss.
      if (error instanceof HelperError) throw error;
      warn(`could not cache the credentials in ${entry.dir}: ${(error as Error).message}`);
    }
  }
  io.stdout(`${JSON.stringify(fresh)}\n`);
  return EXIT_CODES.ok;
}

/** Every request parameter that shapes the answer, so that no other request is served these credentials. */
export function credentialsCacheKey(args: CredentialsArgs): CacheKey {
  const { source } = args;
  return {
    tenantId: source.tenantId,
    clientId: source.clientId,
    roleArn: args.roleArn as string,
    roleSessionName: args.roleSessionName,
    durationSeconds: args.durationSeconds,
    tokenSource: `${source.kind}:${source.certificate ?? source.federatedTokenFile ?? ''}`,
    audience: source.audience,
    region: args.region,
    stsEndpoint: args.stsEndpoint,
    authorityHost: source.authorityHost,
  };
}

/**
 * `entra-{client ID that signed in}`, which CloudTrail shows as the session: the token's appid
 * (v1) or azp (v2), so a managed identity is named by its own client ID too.
 */
function defaultSessionName(token: string, source: TokenSourceArgs): string {
  const { claims } = decodeJwt(token);
  const client = [claims.appid, claims.azp, source.clientId].find(
    (value): value is string => typeof value === 'string' && /^[\w+=,.@-]{1,58}$/.test(value),
  );
  return `entra-${client ?? source.kind}`;
}

async function doctor(args: DoctorArgs, io: CliIo): Promise<number> {
  const token = args.token ? await readTokenFile(args.token) : (await getEntraToken(args.source as TokenSourceArgs, io.now())).token;
  const { claims } = decodeJwt(token);

  let trustPolicy: TrustPolicy;
  let tags: Record<string, string> = {};
  const notes: string[] = [];
  if (args.trustPolicy) {
    trustPolicy = await readTrustPolicyFile(args.trustPolicy);
  } else {
    ({ trustPolicy, tags } = await readRoleFromIam(args.roleArn, args.region, args.iamEndpoint));
  }

  let providerClientIds = args.providerClientIds;
  // Reading the provider needs AWS credentials; with a policy file the run stays offline.
  if (!providerClientIds && !args.trustPolicy) {
    const providerArn = providerArnFor(trustPolicy, args.roleArn, String(claims.iss ?? ''));
    if (providerArn) {
      const read = await readProviderClientIds(providerArn, args.region, args.iamEndpoint);
      providerClientIds = read.clientIds;
      if (read.problem) notes.push(read.problem);
    }
  }

  const diagnosis = diagnose({
    claims,
    trustPolicy,
    providerClientIds,
    now: io.now(),
    source: args.source ? { kind: args.source.kind, audience: args.source.audience, clientId: args.source.clientId } : undefined,
  });
  diagnosis.notes.push(...notes);
  if (Object.keys(tags).length > 0) {
    diagnosis.notes.push(
      `Role tags: ${Object.entries(tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')}`,
    );
  }
  io.stdout(`${formatDiagnosis(args.roleArn, claims, diagnosis)}\n`);
  return diagnosis.findings.every((finding) => finding.ok) ? EXIT_CODES.ok : EXIT_CODES.doctorMismatch;
}

async function readTokenFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new HelperError(
      EXIT_CODES.usage,
      `Cannot read --token ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      { cause: error },
    );
  }
}

/** The federated principal ARN whose provider issued the token, else the policy's first one. */
function providerArnFor(policy: TrustPolicy, roleArn: string, issuer: string): string | undefined {
  const statements = policy.Statement === undefined ? [] : Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const arns = statements.flatMap((statement) => {
    const federated = typeof statement.Principal === 'object' ? statement.Principal.Federated : undefined;
    return federated === undefined ? [] : Array.isArray(federated) ? federated : [federated];
  });
  const issuerPath = issuer.replace(/^https:\/\//, '');
  const partition = roleArn.split(':')[1];
  return arns.find((arn) => arn.endsWith(`:oidc-provider/${issuerPath}`) && arn.startsWith(`arn:${partition}:`)) ?? arns[0];
}
