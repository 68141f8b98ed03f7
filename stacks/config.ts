import { z } from 'zod';
import { AUDIENCE_MODES, MEMBER_ROLE_SUFFIX_MAX_LENGTH, GUID_PATTERN as GUID } from '../functions/shared/workflow';
import { MAX_DELETION_CAP, SWEEP_MODES } from '../functions/shared/sweep';
import { PROTECTED_ROLE_PATTERN, DEFAULT_MAX_TRUST_POLICY_CHARS, MAX_TRUST_POLICY_CHARS_QUOTA } from '../functions/shared/iam';

/**
 * The one configuration of the federation system. Parsed once, by `loadConfig` (load-config.ts); every
 * problem is reported at once, each with the field's path and the form it expects.
 */

// Forms from the AWS Organizations API reference (Organization.Id, OrganizationalUnit.Id, Root.Id).
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const TARGET_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
// Any region's form, so that a region of another partition gets the partition's message below.
const REGION = /^[a-z]{2,4}(-[a-z]+){1,2}-\d+$/;
/**
 * Regions outside the `aws` partition, by the forms of the AWS SDK's partition table
 * (`partitions.json` of @aws-sdk/util-endpoints: `regionRegex` of each partition). Every ARN the
 * stack and the functions write starts `arn:aws:`, and the member baseline lives in us-east-1,
 * so a deployment in any of these would fail at apply or, worse, half work.
 */
const OTHER_PARTITIONS: ReadonlyArray<readonly [partition: string, regions: RegExp]> = [
  ['aws-cn', /^cn-\w+-\d+$/],
  ['aws-us-gov', /^us-gov-\w+-\d+$/],
  ['aws-iso', /^us-iso-\w+-\d+$/],
  ['aws-iso-b', /^us-isob-\w+-\d+$/],
  ['aws-iso-e', /^eu-isoe-\w+-\d+$/],
  ['aws-iso-f', /^us-isof-\w+-\d+$/],
  ['aws-eusc', /^eusc-de-\w+-\d+$/],
];
// CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A string of a given form; a missing or mistyped value gets the same explanation of the form. */
const formatted = (pattern: RegExp, form: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `missing: ${form}` : form) }).regex(pattern, form);

const guid = (what: string) => formatted(GUID, `expected ${what} as a GUID, e.g. 00000000-0000-0000-0000-000000000000`);
const accountId = formatted(/^\d{12}$/, 'expected a 12-digit AWS account ID, e.g. "123456789012" (as a string)');
const region = formatted(REGION, 'expected an AWS region name, e.g. "eu-central-1"').superRefine((name, ctx) => {
  const other = OTHER_PARTITIONS.find(([, regions]) => regions.test(name));
  if (other) {
    ctx.addIssue({
      code: 'custom',
      message: `"${name}" is a region of the ${other[0]} partition; only the aws partition is supported (every ARN this system writes is arn:aws:…, and the member baseline lives in us-east-1). Use a commercial region, e.g. "eu-central-1"`,
    });
  }
});
const httpsUrl = formatted(/^https:\/\/[^\s/$.?#][^\s]*$/, 'expected an https URL (https://…)');

const federatedCredential = z
  .object({
    mode: z.literal('federated'),
    /**
     * The account's outbound identity federation issuer, printed by
     * `aws iam get-outbound-web-identity-federation-info` once it is enabled.
     */
    issuerUrl: httpsUrl,
  })
  .strict();

const certificateCredential = z
  .object({
    mode: z.literal('certificate'),
    /** Public certificate (PEM); its private key goes into the Secrets Manager secret the plan creates. */
    certificatePem: formatted(
      /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/,
      'expected one PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), public part only',
    ),
  })
  .strict();

const localBackend = z.object({ type: z.literal('local'), path: z.string().min(1).default('terraform.tfstate') }).strict();
const s3Backend = z
  .object({
    type: z.literal('s3'),
    bucket: formatted(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
    key: z.string().min(1, 'expected the state object key, e.g. "web-identity/terraform.tfstate"'),
    region,
    /** Terraform ≥ 1.10 S3-native locking (`use_lockfile`); the alternative is a DynamoDB table. */
    useLockfile: z.boolean().default(true),
    dynamodbTable: z.string().min(3).optional(),
  })
  .strict();

/**
 * Roles the automation never writes in any member account, whatever `aws.protectedRoles`
 * adds: the organization's access role, Control Tower's roles, StackSet execution roles,
 * CDK bootstrap roles, service-linked roles and IAM Identity Center's roles (by path, and
 * by their name prefixes so the router can tell from a role name alone). The baseline's
 * own roles are added by the stack. Pattern form: functions/shared/iam/protected-roles.ts.
 */
export const BUILT_IN_PROTECTED_ROLES = [
  'OrganizationAccountAccessRole',
  // AWSControlTowerExecution and the other Control Tower roles.
  'AWSControlTower*',
  'aws-controltower-*',
  'stacksets-exec-*',
  'AWSCloudFormationStackSetExecutionRole',
  'cdk-*',
  'aws-service-role/*',
  'AWSServiceRoleFor*',
  'aws-reserved/*',
  'AWSReservedSSO_*',
] as const;

/**
 * Bounded by the functions' environment (Lambda allows 4 KB in all,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html): the extra
 * identities' client IDs travel there as a JSON array, 39 characters each.
 */
export const MAX_AUTOMATION_IDENTITIES = 64;

/** Bounded so that the member roles' policies stay under IAM's 10,240 characters and the router's environment under Lambda's 4 KB. */
export const MAX_EXTRA_PROTECTED_ROLES = 20;

const protectedRolePattern = z.string().superRefine((pattern, ctx) => {
  const fix =
    'write the part of the role ARN after "role/": a name ("deploy-*") or path and name ("platform/*"), with * and ? as wildcards';
  if (pattern.startsWith('/')) {
    ctx.addIssue({ code: 'custom', message: `"${pattern}" starts with "/": ${fix}, without the leading "/"` });
  } else if (!PROTECTED_ROLE_PATTERN.test(pattern)) {
    ctx.addIssue({ code: 'custom', message: `"${pattern}" is not a role pattern (1–100 of letters, digits and +=,.@_-/*?): ${fix}` });
  } else if (/^[*/]+$/.test(pattern)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${pattern}" would protect every role, and the automation could federate none: name the roles to protect`,
    });
  }
});

// AWS tag rules: keys 1–128 and values 0–256 characters; `aws:` is reserved.
const tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .superRefine((record, ctx) => {
    for (const key of Object.keys(record).filter((key) => key.toLowerCase().startsWith('aws:'))) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'tag keys starting with "aws:" are reserved by AWS' });
    }
  })
  .default({});

/**
 * EventBridge Scheduler's recurring schedule expressions
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): `rate(value unit)`
 * with minute(s), hour(s) or day(s), or `cron(minutes hours day-of-month month day-of-week year)`.
 * One-time `at(…)` schedules are refused: the sweep is periodic.
 */
const SCHEDULE_EXPRESSION = /^(rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)|cron\(\S+( \S+){5}\))$/;

const sweep = z
  .object({
    /** When the scheduled sweep runs. */
    schedule: formatted(
      SCHEDULE_EXPRESSION,
      'expected an EventBridge Scheduler expression such as "rate(1 day)", "rate(12 hours)" or "cron(0 6 * * ? *)"',
    ).default('rate(1 day)'),
    /** `false` keeps the schedule but disables it (the sweep still runs on demand). */
    scheduleEnabled: z.boolean().default(true),
    /** What the scheduled run does: `report` changes nothing; `repair` repairs what it finds. */
    scheduledMode: z.enum(SWEEP_MODES, { error: `expected ${SWEEP_MODES.map((mode) => `"${mode}"`).join(' or ')}` }).default('report'),
    /** Above this many deletions (applications, client IDs, purges) a repair run deletes none and alarms. */
    deletionCap: z.number().int().min(0, 'expected 0 or more').max(MAX_DELETION_CAP, `expected at most ${MAX_DELETION_CAP}`).default(25),
    /** Accounts read (and repaired) at once: the Distributed Map's MaxConcurrency. */
    maxConcurrency: z
      .number()
      .int()
      .min(1, 'expected 1 or more')
      .max(100, 'expected at most 100 (Graph allows the automation about 20 writes a second)')
      .default(10),
    /** The automation's Entra directory object quota, for the 80 % alarm (250 unless an administrator raised it). */
    entraObjectQuota: z.number().int().min(1, 'expected 1 or more').default(250),
    /** Days the reports and the sweep's working files stay in the bucket. */
    reportRetentionDays: z.number().int().min(1, 'expected 1 or more').max(3650, 'expected at most 3650').default(90),
  })
  .strict();

export const configSchema = z
  .object({
    entra: z
      .object({
        tenantId: guid('the Entra tenant ID'),
        /**
         * Access token version the federated applications request. It selects the issuer
         * the IAM OIDC provider trusts: v1 `https://sts.windows.net/{tenant}/`,
         * v2 `https://login.microsoftonline.com/{tenant}/v2.0`.
         */
        tokenVersion: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 or 2' }).default(1),
        /**
         * The audience of a role with an application of its own: that application (`per-role`),
         * or the gateway application the plan creates (`shared`): one client ID per provider
         * whatever the number of roles (docs/architecture.md#audience-modes).
         */
        audienceMode: z.enum(AUDIENCE_MODES, { error: `expected ${AUDIENCE_MODES.map((m) => `"${m}"`).join(' or ')}` }).default('per-role'),
        /** While true, such roles admit both audiences: the step of a migration between the modes. */
        dualAudience: z.boolean().default(false),
        /** Automation identities, each with its own creator quota (docs/operator.md#the-creator-quota). */
        automationIdentities: z
          .number()
          .int('expected a whole number')
          .min(1, 'at least 1')
          .max(
            MAX_AUTOMATION_IDENTITIES,
            `at most ${MAX_AUTOMATION_IDENTITIES} (their client IDs travel in the functions' environment, 4 KB in all)`,
          )
          .default(1),
        /** Directory objects one identity may create: Entra's 250 for a principal without an administrator role. */
        creatorQuota: z.number().int('expected a whole number').min(2, 'at least 2 (one role costs 2 objects)').default(250),
        /** The share of each identity's quota the automation uses; the rest is headroom. 1: up to Graph's own refusal. */
        quotaShare: z.number().gt(0, 'expected a share in (0, 1], e.g. 0.9').max(1, 'expected a share in (0, 1], e.g. 0.9').default(1),
        /** Roles with an application of their own per account, so one account cannot use everybody's quota. */
        maxApplicationsPerAccount: z.number().int('expected a whole number').min(1, 'at least 1, or leave it out for no cap').optional(),
      })
      .strict()
      .superRefine((entra, ctx) => {
        const v1Only =
          "IAM reads a v2 token's azp claim (the client that signed in) as its audience, for the :aud key and the provider's client-ID list alike, so a gateway issuing v2 tokens would need every role's client ID in the provider again; set tokenVersion 1 (docs/architecture.md#audience-modes)";
        if (entra.audienceMode === 'shared' && entra.tokenVersion === 2) {
          ctx.addIssue({ code: 'custom', path: ['audienceMode'], message: `"shared" needs tokenVersion 1: ${v1Only}` });
        }
        if (entra.dualAudience && entra.tokenVersion === 2) {
          ctx.addIssue({
            code: 'custom',
            path: ['dualAudience'],
            message: `true needs tokenVersion 1 (the second audience is the gateway's): ${v1Only}`,
          });
        }
        if (entra.quotaShare > 0 && entra.quotaShare < 1 && Math.floor(entra.quotaShare * entra.creatorQuota) < 2) {
          ctx.addIssue({
            code: 'custom',
            path: ['quotaShare'],
            message: `${entra.quotaShare} of ${entra.creatorQuota} objects leaves fewer than the 2 one role needs`,
          });
        }
      }),
    aws: z
      .object({
        centralAccountId: accountId,
        centralRegion: region,
        organizationId: formatted(ORGANIZATION_ID, 'expected an AWS Organization ID, e.g. "o-a1b2c3d4e5"'),
        targetOuIds: z
          .array(formatted(TARGET_ID, 'expected an OU ID like "ou-ab12-cd34ef56" or a root ID like "r-ab12"'))
          .min(1, 'name at least one OU (or the root) to deploy the member baseline to'),
        stackSetCallAs: z.enum(['SELF', 'DELEGATED_ADMIN'], { error: 'expected "SELF" or "DELEGATED_ADMIN"' }).default('SELF'),
        /**
         * Base name of the three member roles: `{name}-reader`, `{name}-audience`, `{name}-pin`.
         * IAM role names have at most 64 characters, so the base leaves room for the suffix.
         */
        automationRoleName: formatted(
          new RegExp(`^[\\w+=,.@-]{1,${64 - MEMBER_ROLE_SUFFIX_MAX_LENGTH}}$`),
          `expected an IAM role name of at most ${64 - MEMBER_ROLE_SUFFIX_MAX_LENGTH} characters (the member roles add "-reader", "-audience" or "-pin")`,
        ).default('web-identity-automation'),
        /** Role patterns the automation must never change, added to BUILT_IN_PROTECTED_ROLES. */
        protectedRoles: z
          .array(protectedRolePattern)
          .max(MAX_EXTRA_PROTECTED_ROLES, `name at most ${MAX_EXTRA_PROTECTED_ROLES} patterns (use wildcards to cover more roles)`)
          .default([]),
      })
      .strict(),
    namePrefix: formatted(/^[a-z][a-z0-9-]{1,23}$/, 'expected 2–24 lowercase letters, digits or "-", starting with a letter').default(
      'web-identity',
    ),
    automationCredential: z.discriminatedUnion('mode', [federatedCredential, certificateCredential], {
      error: 'expected { "mode": "federated", "issuerUrl": … } or { "mode": "certificate", "certificatePem": … }',
    }),
    alarmEmail: z.email('expected an e-mail address').optional(),
    logRetentionDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `expected one of ${LOG_RETENTION_DAYS.join(', ')}`)
      .default(90),
    /** IAM's role trust policy quota in the member accounts (default 2,048 characters; raisable to 8,192). */
    trustPolicyMaxChars: z
      .number()
      .int()
      .min(DEFAULT_MAX_TRUST_POLICY_CHARS, `IAM never allows fewer than ${DEFAULT_MAX_TRUST_POLICY_CHARS}`)
      .max(MAX_TRUST_POLICY_CHARS_QUOTA, `IAM allows at most ${MAX_TRUST_POLICY_CHARS_QUOTA}`)
      .default(DEFAULT_MAX_TRUST_POLICY_CHARS),
    tags,
    backend: z.discriminatedUnion('type', [localBackend, s3Backend]).default({ type: 'local', path: 'terraform.tfstate' }),
    /** The periodic sweep (docs/operator.md#the-sweep). */
    sweep: sweep.default({
      schedule: 'rate(1 day)',
      scheduleEnabled: true,
      scheduledMode: 'report',
      deletionCap: 25,
      maxConcurrency: 10,
      entraObjectQuota: 250,
      reportRetentionDays: 90,
    }),
  })
  .strict();

export type FederationConfig = z.infer<typeof configSchema>;
export type FederationConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Objects each automation identity may have created before the next one takes over (`Infinity`: up to Graph's refusal). */
export function identityObjectLimit(entra: FederationConfig['entra']): number {
  return entra.quotaShare >= 1 ? Infinity : Math.floor(entra.quotaShare * entra.creatorQuota);
}

/** Objects of one automation identity's share of its creator quota: the limit, or the whole quota up to Graph's refusal. */
export function identityQuotaShare(entra: FederationConfig['entra']): number {
  const limit = identityObjectLimit(entra);
  return Number.isFinite(limit) ? limit : entra.creatorQuota;
}

/** Parses a configuration object; throws one `ConfigError` listing every problem. */
export function parseConfig(raw: unknown, source = 'configuration'): FederationConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(source, result.error.issues.flatMap(describeIssue));
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join('.') : '(root)');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${at([...issue.path, key])}: unknown field (check its spelling, or remove it)`);
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return [`${at(issue.path)}: missing (expected ${issue.expected})`];
  }
  return [`${at(issue.path)}: ${issue.message}`];
}
