/**
 * entra-aws-credentials: AWS credentials for a workload outside AWS from its Entra
 * service principal certificate, as an AWS CLI / SDK `credential_process`, plus `doctor`,
 * which explains a denial. Exit codes: ./exit-codes.ts (documented in docs/app-teams.md).
 */
import { readFile } from 'node:fs/promises';
import { parseHelperArgs, USAGE, type CredentialsArgs, type DoctorArgs } from './args';
import { cacheFilePath, readCachedCredentials, writeCachedCredentials, writePrivateFile } from './cache';
import { diagnose, formatDiagnosis, type TrustPolicy } from './doctor';
import { readProviderClientIds, readRoleFromIam, readTrustPolicyFile } from './doctor-sources';
import { getEntraToken, loadCertificate } from './entra-token';
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
    switch (args.command) {
      case 'help':
        io.stdout(`${USAGE}\n`);
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
  if (args.tokenFile) {
    const { token, expiresOn } = await entraToken(args, io.now());
    // No trailing newline: the SDKs pass the file's content to STS as the token.
    await writePrivateFile(args.tokenFile, token);
    io.stderr(`entra-aws-credentials: wrote the Entra token to ${args.tokenFile} (valid until ${expiresOn.toISOString()}).\n`);
    return EXIT_CODES.ok;
  }
  const roleArn = args.roleArn as string;
  const cacheFile = cacheFilePath(args.cacheDir, { tenantId: args.tenantId, clientId: args.clientId, roleArn });
  if (!args.noCache) {
    const cached = await readCachedCredentials(cacheFile, io.now());
    if (cached) {
      io.stdout(`${JSON.stringify(cached)}\n`);
      return EXIT_CODES.ok;
    }
  }
  const { token } = await entraToken(args, io.now());
  const fresh = await exchangeToken({
    token,
    roleArn,
    roleSessionName: args.roleSessionName ?? `entra-${args.clientId}`,
    durationSeconds: args.durationSeconds,
    region: args.region,
    endpoint: args.stsEndpoint,
  });
  if (!args.noCache) await writeCachedCredentials(cacheFile, fresh);
  io.stdout(`${JSON.stringify(fresh)}\n`);
  return EXIT_CODES.ok;
}

async function entraToken(
  args: Pick<CredentialsArgs, 'tenantId' | 'clientId' | 'certificate' | 'certificatePassword' | 'authorityHost'>,
  now: Date,
) {
  const certificate = await loadCertificate(args.certificate, args.certificatePassword, now);
  return getEntraToken(
    { tenantId: args.tenantId, clientId: args.clientId, authorityHost: args.authorityHost },
    certificate,
  );
}

async function doctor(args: DoctorArgs, io: CliIo): Promise<number> {
  const token = args.token
    ? await readTokenFile(args.token)
    : (
        await entraToken(
          {
            tenantId: args.tenantId as string,
            clientId: args.clientId as string,
            certificate: args.certificate as string,
            certificatePassword: args.certificatePassword,
            authorityHost: args.authorityHost,
          },
          io.now(),
        )
      ).token;
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

  const diagnosis = diagnose({ claims, trustPolicy, providerClientIds, now: io.now() });
  diagnosis.notes.push(...notes);
  if (Object.keys(tags).length > 0) {
    diagnosis.notes.push(`Role tags: ${Object.entries(tags).map(([key, value]) => `${key}=${value}`).join(', ')}`);
  }
  io.stdout(`${formatDiagnosis(args.roleArn, claims, diagnosis)}\n`);
  return diagnosis.findings.every((finding) => finding.ok) ? EXIT_CODES.ok : EXIT_CODES.doctorMismatch;
}

async function readTokenFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new HelperError(EXIT_CODES.usage, `Cannot read --token ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, { cause: error });
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
