import type { TokenSourceKind } from './args';
import { iamAudience, type EntraTokenClaims } from './jwt';

/** The parts of an IAM policy document `doctor` reads. */
export interface TrustPolicy {
  Statement?: TrustStatement | TrustStatement[];
}
export interface TrustStatement {
  Effect?: string;
  Action?: string | string[];
  Principal?: { Federated?: string | string[] } | string;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export type CheckName = 'issuer' | 'token version' | 'audience' | 'provider client IDs' | 'subject' | 'expiry';

export interface Finding {
  check: CheckName;
  ok: boolean;
  /** What was compared, in plain words. */
  says: string;
  /** What to do; present on mismatches. */
  fix?: string;
}

export interface Diagnosis {
  findings: Finding[];
  /** Conditions `doctor` did not evaluate, so a clean report is not overstated. */
  notes: string[];
}

export interface DiagnoseInput {
  claims: EntraTokenClaims;
  trustPolicy: TrustPolicy;
  /** The OIDC provider's client ID list; undefined when it could not be read. */
  providerClientIds?: string[];
  now: Date;
  /** How the token was obtained, when doctor got it itself: the fixes then name that source's options. */
  source?: DoctorTokenSource;
}

export interface DoctorTokenSource {
  kind: TokenSourceKind;
  /** The application the token was requested for (--audience, default --client-id). */
  audience: string;
  clientId?: string;
}

/** IAM allows clock skew when it checks `exp`/`nbf`; a five-minute margin is Entra's and AWS's usual allowance. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const V1_ISSUER_HOST = 'sts.windows.net';
const V2_ISSUER = /^login\.microsoftonline\.com\/[^/]+\/v2\.0$/;

/**
 * Explains why STS would deny `claims` for a role with `trustPolicy`, one check at a time,
 * the way IAM evaluates `AssumeRoleWithWebIdentity`: the token's issuer must be a provider the
 * policy trusts, `:aud` (IAM reads `azp` when present, else `aud`) and `:sub` must satisfy the
 * statement's conditions, the audience must be in the provider's client ID list, and the
 * token must not have expired.
 */
export function diagnose({ claims, trustPolicy, providerClientIds, now, source }: DiagnoseInput): Diagnosis {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const issuer = typeof claims.iss === 'string' ? claims.iss : '';
  const issuerPath = issuer.replace(/^https:\/\//, '');
  const version = typeof claims.ver === 'string' ? claims.ver : 'unknown';
  const federated = federatedStatements(trustPolicy);
  const providers = [...new Set(federated.flatMap((entry) => entry.providers))];
  const matching = federated.filter((entry) => entry.providers.includes(issuerPath));

  if (federated.length === 0) {
    findings.push({
      check: 'issuer',
      ok: false,
      says: 'The trust policy has no Allow statement for sts:AssumeRoleWithWebIdentity with an OIDC provider as federated principal.',
      fix: "The role is not a web identity role: its trust policy must name the account's Entra OIDC provider (see docs/app-teams.md).",
    });
  } else if (matching.length === 0) {
    findings.push({
      check: 'issuer',
      ok: false,
      says: `The token's issuer is ${issuer || '(none)'}, but the role trusts only the provider(s) ${providers.join(', ')}.`,
      fix: issuerFix(issuerPath, providers, source),
    });
  } else {
    findings.push({ check: 'issuer', ok: true, says: `The token's issuer ${issuer} is the provider the role trusts.` });
  }

  const expectedVersions = [...new Set(providers.map(providerTokenVersion).filter((v): v is string => v !== undefined))];
  if (expectedVersions.length > 0) {
    const ok = expectedVersions.includes(version);
    findings.push({
      check: 'token version',
      ok,
      says: ok
        ? `The token is a v${version} token, as the role's provider expects.`
        : `The token is a v${version} token, but the role's provider expects v${expectedVersions.join(' or v')} tokens.`,
      fix: ok
        ? undefined
        : `The token version is set by the application's manifest (api.requestedAccessTokenVersion: ${expectedVersions.includes('1.0') ? 'null or 1 for v1' : '2 for v2'}). The automation sets it, so ask the platform team; do not change it yourself.`,
    });
  }

  const conditionSource = matching.length > 0 ? matching : federated;
  const audience = iamAudience(claims);
  const audienceClaim = typeof claims.azp === 'string' ? 'azp' : 'aud';
  const expectedAudiences = conditionValues(conditionSource, 'aud', notes);
  if (expectedAudiences.length > 0) {
    const ok = audience !== undefined && expectedAudiences.some((expected) => matches(expected, audience));
    findings.push({
      check: 'audience',
      ok,
      says: ok
        ? `The token's ${audienceClaim} ${audience} matches the trust policy's :aud condition.`
        : `IAM reads the audience from the token's ${audienceClaim} claim: ${audience ?? '(none)'}; the trust policy's :aud condition expects ${expectedAudiences.map((e) => e.pattern).join(' or ')}.`,
      fix: ok
        ? undefined
        : audienceFix(
            claims,
            audience,
            expectedAudiences.map((expected) => expected.pattern),
            source,
          ),
    });
  } else {
    notes.push('The trust policy has no :aud condition: any client the provider lists passes that check.');
  }

  if (providerClientIds) {
    const ok = audience !== undefined && providerClientIds.includes(audience);
    findings.push({
      check: 'provider client IDs',
      ok,
      says: ok
        ? `The OIDC provider lists ${audience} among its client IDs.`
        : `The OIDC provider's client ID list (${providerClientIds.join(', ') || 'empty'}) does not hold ${audience ?? 'the token audience'}; STS answers InvalidIdentityToken ("Incorrect token audience").`,
      fix: ok
        ? undefined
        : audience !== undefined && !GUID.test(audience)
          ? `The token's audience is the URI it was requested by (a v1 token carries the resource as requested), but a provider lists application IDs: request it by application ID (--audience <GUID>).`
          : "The automation adds the role's client ID (or, in the shared-audience mode, the gateway's) to the provider; check the role's entra:federation-status tag and ask the platform team.",
    });
  } else {
    notes.push(
      "The OIDC provider's client ID list was not checked (give --provider-client-ids, or AWS credentials allowed iam:GetOpenIDConnectProvider).",
    );
  }

  const expectedSubjects = conditionValues(conditionSource, 'sub', notes);
  const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (expectedSubjects.length > 0) {
    const ok = subject !== undefined && expectedSubjects.some((expected) => matches(expected, subject));
    findings.push({
      check: 'subject',
      ok,
      says: ok
        ? `The token's sub ${subject} (the service principal's object ID) matches the trust policy's :sub condition.`
        : `The token's sub is ${subject ?? '(none)'} (the object ID of the service principal that signed in), but the trust policy's :sub condition allows only ${expectedSubjects.map((e) => e.pattern).join(' or ')}.`,
      fix: ok
        ? undefined
        : subjectFix(
            subject,
            expectedSubjects.map((expected) => expected.pattern),
            conditionSource,
            source,
          ),
    });
  } else {
    notes.push(
      'The trust policy has no :sub condition: any service principal in the tenant can get a token for this audience (see docs/architecture.md, "Design decisions").',
    );
  }

  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const notBefore = typeof claims.nbf === 'number' ? claims.nbf * 1000 : undefined;
  if (expiresAt === undefined) {
    findings.push({ check: 'expiry', ok: false, says: 'The token has no exp claim.', fix: 'Use an Entra access token.' });
  } else if (expiresAt <= now.getTime()) {
    findings.push({
      check: 'expiry',
      ok: false,
      says: `The token expired at ${new Date(expiresAt).toISOString()}, ${Math.round((now.getTime() - expiresAt) / 60000)} minute(s) ago.`,
      fix: 'Get a fresh token (the helper does on every cache miss). With a token file, refresh it more often than the token lives (about an hour).',
    });
  } else if (notBefore !== undefined && notBefore > now.getTime() + CLOCK_SKEW_MS) {
    findings.push({
      check: 'expiry',
      ok: false,
      says: `The token is not valid before ${new Date(notBefore).toISOString()}.`,
      fix: "This machine's clock is behind: synchronise it (NTP).",
    });
  } else {
    findings.push({ check: 'expiry', ok: true, says: `The token is valid until ${new Date(expiresAt).toISOString()}.` });
  }
  return { findings, notes };
}

/** Renders the diagnosis for a person: one line per check, the fix indented under a mismatch. */
export function formatDiagnosis(roleArn: string, claims: EntraTokenClaims, diagnosis: Diagnosis): string {
  const lines = [
    `Role:  ${roleArn}`,
    `Token: v${String(claims.ver ?? '?')} issued by ${String(claims.iss ?? '?')} for ${String(iamAudience(claims) ?? '?')}, sub ${String(claims.sub ?? '?')}`,
    '',
  ];
  for (const finding of diagnosis.findings) {
    lines.push(`${finding.ok ? 'ok      ' : 'MISMATCH'} ${finding.check}: ${finding.says}`);
    if (finding.fix) lines.push(`         fix: ${finding.fix}`);
  }
  for (const note of diagnosis.notes) lines.push(`note     ${note}`);
  const mismatches = diagnosis.findings.filter((finding) => !finding.ok).length;
  lines.push(
    '',
    mismatches === 0
      ? 'No mismatch found: STS should accept this token for this role.'
      : `${mismatches} mismatch(es): STS denies this token for this role.`,
  );
  return lines.join('\n');
}

interface FederatedStatement {
  providers: string[];
  statement: TrustStatement;
}

function federatedStatements(policy: TrustPolicy): FederatedStatement[] {
  const statements = policy.Statement === undefined ? [] : Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements
    .filter((statement) => statement.Effect === 'Allow' && toArray(statement.Action).some(allowsWebIdentity))
    .map((statement) => ({
      statement,
      providers: toArray(typeof statement.Principal === 'object' ? statement.Principal.Federated : undefined)
        .map((arn) => /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(arn)?.[1])
        .filter((provider): provider is string => provider !== undefined),
    }))
    .filter((entry) => entry.providers.length > 0);
}

function allowsWebIdentity(action: string): boolean {
  const lower = action.toLowerCase();
  return lower === 'sts:assumerolewithwebidentity' || lower === 'sts:*' || lower === '*';
}

/**
 * Values of `{provider}:{key}` under StringEquals / StringLike across the statements. IAM
 * condition keys are case-insensitive; other operators are listed in `notes`, not evaluated.
 */
function conditionValues(entries: FederatedStatement[], key: 'aud' | 'sub', notes: string[]): Expected[] {
  const values: Expected[] = [];
  for (const { statement, providers } of entries) {
    for (const [operator, conditions] of Object.entries(statement.Condition ?? {})) {
      for (const [conditionKey, value] of Object.entries(conditions)) {
        const lowerKey = conditionKey.toLowerCase();
        if (!providers.some((provider) => lowerKey === `${provider}:${key}`.toLowerCase())) continue;
        if (operator === 'StringEquals' || operator === 'StringLike') {
          values.push(...toArray(value).map((pattern) => ({ pattern, like: operator === 'StringLike' })));
        } else {
          const note = `Condition ${operator} on ${conditionKey} was not evaluated.`;
          if (!notes.includes(note)) notes.push(note);
        }
      }
    }
  }
  return values;
}

interface Expected {
  pattern: string;
  /** StringLike: `*` and `?` are wildcards; StringEquals compares literally. */
  like: boolean;
}

function matches({ pattern, like }: Expected, value: string): boolean {
  if (!like) return pattern === value;
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${escaped}$`).test(value);
}

function providerTokenVersion(provider: string): string | undefined {
  if (provider.startsWith(`${V1_ISSUER_HOST}/`)) return '1.0';
  if (V2_ISSUER.test(provider)) return '2.0';
  return undefined;
}

// The helper ships to app teams on its own (its bundle imports nothing of functions/), so it keeps its own copy.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function audienceFix(
  claims: EntraTokenClaims,
  audience: string | undefined,
  expected: string[],
  source: DoctorTokenSource | undefined,
): string {
  const wanted = expected.join(' or ');
  if (typeof claims.azp === 'string' && source && source.audience !== claims.azp && expected.includes(source.audience)) {
    return `This is a v2 token: IAM reads :aud from azp, the client that signed in (${claims.azp}), not from the audience it was requested for (${source.audience}). The audience application must issue v1 tokens (manifest api.requestedAccessTokenVersion null or 1); ask the platform team.`;
  }
  if (audience !== undefined && !GUID.test(audience) && expected.some((value) => GUID.test(value))) {
    return `The token's audience ${audience} is the URI it was requested by (a v1 token carries the resource as requested), but the role expects an application ID: use --audience ${expected.find((value) => GUID.test(value))}.`;
  }
  if (source?.kind === 'managed-identity') {
    return `A managed identity gets a token for the application named by --audience (${source.audience}); the role expects ${wanted}: use --audience ${expected[0]} (the role's entra:client-id tag, or the gateway application ID for a role in the shared-audience mode or with your own identity).`;
  }
  if (source && source.audience !== source.clientId) {
    return `The token was requested for --audience ${source.audience}; the role expects ${wanted}: use --audience ${expected[0]}, or leave --audience out to request it for --client-id.`;
  }
  return `Use the role's entra:client-id tag as --client-id (or, for a role in the shared-audience mode, --audience <gateway application ID>). If the trust policy still holds a placeholder audience, the automation has not finished: check the role's entra:federation-status tag.`;
}

function subjectFix(
  subject: string | undefined,
  expected: string[],
  statements: FederatedStatement[],
  source: DoctorTokenSource | undefined,
): string {
  const recreated =
    "If they already are, the application was re-created: the role's entra:service-principal-id tag shows the current one; ask the platform team to re-run the automation for the role.";
  switch (source?.kind) {
    case 'managed-identity': {
      const provider = statements[0]?.providers[0] ?? '{provider}';
      return `The token's sub ${subject ?? '(none)'} is the object ID of this managed identity's service principal (${source.clientId ? `client ID ${source.clientId}` : 'system-assigned'}), and the role admits only ${expected.join(' or ')}. Use the identity the role names (--client-id <its client ID>, for a user-assigned identity), or name this one in the role's trust policy (bring your own identity): StringEquals ${provider}:sub = ${subject ?? '<object ID>'}.`;
    }
    case 'workload-identity':
    case 'github-actions':
      return `Sign in as the role's own application: --client-id${source.kind === 'workload-identity' ? ' (or AZURE_CLIENT_ID)' : ''} must be the role's entra:client-id tag, and that application must hold a federated credential for this workload; a role with your own identity pins that identity's object ID instead. ${recreated}`;
    default:
      return `Sign in as the role's own service principal: --client-id must be the role's entra:client-id tag and the certificate must be registered on that application. ${recreated}`;
  }
}

function issuerFix(issuerPath: string, providers: string[], source: DoctorTokenSource | undefined): string {
  const tenantOf = (path: string) => /^(?:sts\.windows\.net|login\.microsoftonline\.com)\/([^/]+)/.exec(path)?.[1];
  const tokenTenant = tenantOf(issuerPath);
  const roleTenants = providers.map(tenantOf).filter((tenant): tenant is string => tenant !== undefined);
  if (tokenTenant && roleTenants.length > 0 && !roleTenants.includes(tokenTenant)) {
    return source?.kind === 'managed-identity'
      ? `The managed identity belongs to tenant ${tokenTenant}, the role trusts tenant ${roleTenants.join(', ')}: a managed identity signs in only to its own tenant; use one of the role's tenant.`
      : `The token comes from tenant ${tokenTenant}, the role trusts tenant ${roleTenants.join(', ')}: use the role's entra:tenant-id tag as --tenant-id${source?.kind === 'workload-identity' ? ' (or AZURE_TENANT_ID)' : ''}.`;
  }
  const tokenIsV2 = V2_ISSUER.test(issuerPath);
  const roleWantsV1 = providers.some((provider) => provider.startsWith(`${V1_ISSUER_HOST}/`));
  if (tokenIsV2 && roleWantsV1) {
    return 'This is a v2 token (issuer login.microsoftonline.com/{tenant}/v2.0) but the role trusts the v1 issuer sts.windows.net/{tenant}/. The application must issue v1 tokens (manifest api.requestedAccessTokenVersion null or 1); the automation sets it, so ask the platform team.';
  }
  if (!tokenIsV2 && issuerPath.startsWith(`${V1_ISSUER_HOST}/`)) {
    return 'This is a v1 token (issuer sts.windows.net/{tenant}/) but the role trusts a v2 issuer. The application must issue v2 tokens (manifest api.requestedAccessTokenVersion 2), or the role must trust the v1 provider; ask the platform team.';
  }
  return "The token was not issued by the role's identity provider: use a token from the role's Entra tenant (entra:tenant-id tag).";
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
