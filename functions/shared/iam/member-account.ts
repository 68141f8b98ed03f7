import {
  AddClientIDToOpenIDConnectProviderCommand,
  DeleteRolePolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type Role,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClientConfig,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import {
  AudienceLimitExceededError,
  IamConcurrentModificationError,
  InlinePolicyQuotaError,
  IamThrottledError,
  InvalidInputError,
  MemberAccountAccessError,
  OidcProviderNotFoundError,
  RoleNotFoundError,
  TrustPolicyRewriteError,
} from '../runtime/errors';
import { parsePolicyDocument } from './policy-document';
import type {
  ListedRole,
  MemberAccountIam,
  MemberAccountLister,
  OpenMemberAccountLister,
  PolicyDocument,
  RoleInlinePolicies,
} from './ports';
import { withRetry, type RetryOptions } from '../runtime/retry';
import { sanitizeSessionName } from '../workflow/task-context';

/**
 * IAM in a member account, reached by assuming one of the baseline's member roles
 * (`web-identity-automation-reader`, `-audience` or `-pin`: the caller's capability). SDK errors are recognised by `error.name` (the SDK's exception classes are not
 * shared between bundles, and IAM's `Throttling` has no class at all) and mapped to the
 * named errors the state machines retry or catch.
 *
 * Retries here stay short (a few hundred ms): Step Functions' `Retry` does the long backoff
 * between invocations. `ConcurrentModification` needs ours because the SDK does not retry a
 * 409; throttling the SDK already retries, so ours only adds a couple of jittered tries.
 */

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const CONCURRENT = new Set(['ConcurrentModificationException', 'ConcurrentModification']);
const NO_SUCH_ENTITY = new Set(['NoSuchEntityException', 'NoSuchEntity']);
const LIMIT_EXCEEDED = new Set(['LimitExceededException', 'LimitExceeded']);
const INVALID_INPUT = new Set(['InvalidInputException', 'InvalidInput']);
const MALFORMED_POLICY = new Set(['MalformedPolicyDocumentException', 'MalformedPolicyDocument']);

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : '');
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface OpenMemberAccountOptions {
  readonly sts: STSClient;
  /** The member role to assume in each account (the calling function's capability). */
  readonly memberRoleName: string;
  /** Region for the IAM client (IAM is global; the SDK still needs one). */
  readonly region: string;
  readonly makeIamClient?: (config: IAMClientConfig) => IAMClient;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  /** `AssumeRole` session length; the STS minimum (900 s) by default, enough for one invocation. */
  readonly sessionDurationSeconds?: number;
  readonly partition?: string;
}

/** Credentials are reused while they have at least this much life left. */
const CREDENTIAL_MARGIN_MS = 5 * 60 * 1000;
/** Bounds the warm cache of a long-lived container. */
const MAX_CACHED_SESSIONS = 50;

const RETRY: Omit<RetryOptions, 'isRetryable' | 'sleep' | 'random'> = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxTotalDelayMs: 3000,
};

function mapTransient(error: unknown, what: string): unknown {
  const name = nameOf(error);
  if (CONCURRENT.has(name)) {
    return new IamConcurrentModificationError(`${what}: IAM reported ConcurrentModification after retries (${messageOf(error)})`, {
      cause: error,
    });
  }
  if (THROTTLING.has(name)) {
    return new IamThrottledError(`${what}: throttled by AWS after retries (${name}: ${messageOf(error)})`, { cause: error });
  }
  return error;
}

/**
 * The real `OpenMemberAccount`. Assumed-role sessions are cached in the returned function's
 * closure (the handler's deps, never a module singleton) per account AND session name: a
 * session name tells CloudTrail which execution acted, so reusing another execution's
 * session would misattribute its calls; a Step Functions retry of the same task, the common
 * warm case, reuses the session and skips `AssumeRole`.
 */
export function createOpenMemberAccount(options: OpenMemberAccountOptions): OpenMemberAccountLister {
  const makeIamClient = options.makeIamClient ?? ((config: IAMClientConfig) => new IAMClient(config));
  const now = options.now ?? Date.now;
  const partition = options.partition ?? 'aws';
  const cache = new Map<string, { iam: MemberAccountIam & MemberAccountLister; expiresAt: number }>();

  const retry = <T>(what: string, fn: () => Promise<T>, retryable: (error: unknown) => boolean): Promise<T> =>
    withRetry(fn, {
      ...RETRY,
      isRetryable: retryable,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}),
    }).catch((error: unknown) => {
      throw mapTransient(error, what);
    });
  const isTransient = (error: unknown) => THROTTLING.has(nameOf(error)) || CONCURRENT.has(nameOf(error));

  if (!/^[\w+=,.@-]{1,64}$/.test(options.memberRoleName)) {
    throw new InvalidInputError(`memberRoleName: "${options.memberRoleName}" is not an IAM role name`);
  }

  return async (accountId, sessionName) => {
    if (!/^\d{12}$/.test(accountId)) {
      throw new InvalidInputError(`accountId: "${accountId}" is not a 12-digit AWS account ID`);
    }
    const roleSessionName = sanitizeSessionName(sessionName);
    const key = `${accountId}/${roleSessionName}`;
    for (const [cachedKey, entry] of cache) {
      if (entry.expiresAt - CREDENTIAL_MARGIN_MS <= now()) cache.delete(cachedKey);
    }
    const cached = cache.get(key);
    if (cached) return cached.iam;

    const roleArn = `arn:${partition}:iam::${accountId}:role/${options.memberRoleName}`;
    const assumed = await retry(
      `sts:AssumeRole ${roleArn}`,
      () =>
        options.sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: roleSessionName,
            DurationSeconds: options.sessionDurationSeconds ?? 900,
          }),
        ),
      (error) => THROTTLING.has(nameOf(error)),
    ).catch((error: unknown) => {
      if (error instanceof IamThrottledError) throw error;
      throw new MemberAccountAccessError(
        `Cannot assume ${roleArn} (${nameOf(error)}: ${messageOf(error)}). ` +
          `Check that the member baseline StackSet is deployed to account ${accountId} and trusts this function's role.`,
        { cause: error },
      );
    });
    const credentials = assumed.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`sts:AssumeRole ${roleArn} returned no credentials`);
    }
    const client = makeIamClient({
      region: options.region,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
        ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
      },
    });
    const iam = memberAccountIam(accountId, client, retry, isTransient);
    const expiresAt = credentials.Expiration ? credentials.Expiration.getTime() : now() + 900_000;
    if (cache.size >= MAX_CACHED_SESSIONS) {
      const [oldest] = cache.keys();
      cache.delete(oldest);
    }
    cache.set(key, { iam, expiresAt });
    return iam;
  };
}

type Retry = <T>(what: string, fn: () => Promise<T>, retryable: (error: unknown) => boolean) => Promise<T>;

/** What each group of calls shares: the account, its client, the retry and what is transient. */
interface AccountClient {
  readonly accountId: string;
  readonly client: IAMClient;
  readonly retry: Retry;
  readonly isTransient: (error: unknown) => boolean;
}

/** The port over one account: its role reads, role writes and provider calls. */
function memberAccountIam(
  accountId: string,
  client: IAMClient,
  retry: Retry,
  isTransient: (error: unknown) => boolean,
): MemberAccountIam & MemberAccountLister {
  const account: AccountClient = { accountId, client, retry, isTransient };
  return { accountId, ...roleReads(account), ...roleWrites(account), ...rolePolicyCalls(account), ...providerCalls(account) };
}

/** GetRole and ListRoles: a role that is gone reads as `null`; a listing is whole or throws. */
function roleReads({
  accountId,
  client,
  retry,
  isTransient,
}: AccountClient): Pick<MemberAccountIam & MemberAccountLister, 'getRole' | 'listRoles' | 'listRoleInlinePolicies'> {
  return {
    async getRole(roleName) {
      let role: Role | undefined;
      try {
        ({ Role: role } = await retry(
          `iam:GetRole ${roleName}`,
          () => client.send(new GetRoleCommand({ RoleName: roleName })),
          isTransient,
        ));
      } catch (error) {
        if (NO_SUCH_ENTITY.has(nameOf(error))) return null;
        throw error;
      }
      if (!role?.Arn || !role.RoleName || !role.RoleId) throw new Error(`iam:GetRole ${roleName} returned no role`);
      // An unreadable trust policy throws TrustPolicyRewriteError('malformed-policy').
      // GetRole returns the role's tags (at most 50), so no ListRoleTags round trip is needed
      // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
      return {
        roleName: role.RoleName,
        roleId: role.RoleId,
        arn: role.Arn,
        trustPolicy: parsePolicyDocument(role.AssumeRolePolicyDocument ?? ''),
        tags: Object.fromEntries((role.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      };
    },

    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html: up to 1,000 roles a
    // page (`MaxItems`), `IsTruncated` and `Marker` for the next. The listing carries the trust
    // policy (URL-encoded, like GetRole) but no tags. A page that cannot be read throws: the
    // caller must not act on a partial listing.
    async listRoles() {
      const roles: ListedRole[] = [];
      let marker: string | undefined;
      do {
        const page = await retry(
          `iam:ListRoles ${accountId}`,
          () => client.send(new ListRolesCommand({ MaxItems: 1000, ...(marker ? { Marker: marker } : {}) })),
          isTransient,
        );
        for (const role of page.Roles ?? []) {
          if (!role.RoleName || !role.RoleId || !role.Arn)
            throw new Error(`iam:ListRoles in ${accountId} returned a role without name, ID or ARN`);
          let trustPolicy: PolicyDocument;
          try {
            trustPolicy = parsePolicyDocument(role.AssumeRolePolicyDocument ?? '');
          } catch (error) {
            throw new TrustPolicyRewriteError(
              `malformed-policy: the trust policy of ${role.RoleName} in ${accountId} as ListRoles returned it cannot be read (${messageOf(error)})`,
              'malformed-policy',
            );
          }
          roles.push({
            roleName: role.RoleName,
            roleId: role.RoleId,
            arn: role.Arn,
            path: role.Path ?? '/',
            trustPolicy,
            createDate: role.CreateDate ? new Date(role.CreateDate).toISOString() : null,
          });
        }
        if (page.IsTruncated && !page.Marker) throw new Error(`iam:ListRoles in ${accountId} said it was truncated but gave no marker`);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return roles;
    },

    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html:
    // with `Filter=["Role"]`, every role with its inline policies (`RoleDetailList[].RolePolicyList[]`,
    // each `PolicyName` and a URL-encoded `PolicyDocument`), up to 1,000 a page (`MaxItems`),
    // `IsTruncated` and `Marker` for the next: one paginated call for the account, where
    // ListRolePolicies and GetRolePolicy would cost two calls per role. A page that cannot be read,
    // or a policy that cannot be parsed, throws: the sweep must not act on a partial reading.
    async listRoleInlinePolicies() {
      const roles: RoleInlinePolicies[] = [];
      let marker: string | undefined;
      do {
        const page = await retry(
          `iam:GetAccountAuthorizationDetails ${accountId}`,
          () =>
            client.send(
              new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000, ...(marker ? { Marker: marker } : {}) }),
            ),
          isTransient,
        );
        for (const role of page.RoleDetailList ?? []) {
          if (!role.RoleName || !role.RoleId)
            throw new Error(`iam:GetAccountAuthorizationDetails in ${accountId} returned a role without name or ID`);
          const listed = role.RolePolicyList ?? [];
          if (listed.length === 0) continue;
          const policies: Record<string, PolicyDocument> = {};
          for (const policy of listed) {
            if (!policy.PolicyName)
              throw new Error(`iam:GetAccountAuthorizationDetails in ${accountId}: a policy of ${role.RoleName} has no name`);
            try {
              policies[policy.PolicyName] = parsePolicyDocument(policy.PolicyDocument ?? '');
            } catch (error) {
              throw new Error(
                `iam:GetAccountAuthorizationDetails in ${accountId}: inline policy ${policy.PolicyName} of ${role.RoleName} cannot be read (${messageOf(error)})`,
              );
            }
          }
          roles.push({ roleName: role.RoleName, roleId: role.RoleId, path: role.Path ?? '/', policies });
        }
        if (page.IsTruncated && !page.Marker)
          throw new Error(`iam:GetAccountAuthorizationDetails in ${accountId} said it was truncated but gave no marker`);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return roles;
    },
  };
}

/** UpdateAssumeRolePolicy, TagRole, UntagRole: a vanished role becomes `RoleNotFoundError`. */
function roleWrites({
  accountId,
  client,
  retry,
  isTransient,
}: AccountClient): Pick<MemberAccountIam, 'updateTrustPolicy' | 'tagRole' | 'untagRole'> {
  const roleGone = (roleName: string, error: unknown) =>
    new RoleNotFoundError(`Role ${roleName} in account ${accountId} no longer exists`, { cause: error });

  /** Calls that change a role: a vanished role becomes `RoleNotFoundError`. */
  const onRole = async <T>(what: string, roleName: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await retry(`iam:${what} ${roleName}`, call, isTransient);
    } catch (error) {
      if (NO_SUCH_ENTITY.has(nameOf(error))) throw roleGone(roleName, error);
      throw error;
    }
  };

  return {
    async updateTrustPolicy(roleName, policy: PolicyDocument) {
      try {
        await onRole('UpdateAssumeRolePolicy', roleName, () =>
          client.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(policy) })),
        );
      } catch (error) {
        const name = nameOf(error);
        if (LIMIT_EXCEEDED.has(name)) {
          throw new TrustPolicyRewriteError(
            `policy-too-large: IAM refused the trust policy of ${roleName} as over the account's quota (${messageOf(error)}). ` +
              'Shorten the policy or raise the "Role trust policy length" quota and configure the new maximum.',
            'policy-too-large',
          );
        }
        if (MALFORMED_POLICY.has(name)) {
          throw new TrustPolicyRewriteError(
            `malformed-policy: IAM refused the trust policy of ${roleName} (${messageOf(error)}). Fix the role's trust policy.`,
            'malformed-policy',
          );
        }
        throw error;
      }
    },

    async tagRole(roleName, tags) {
      const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      if (list.length === 0) return;
      await onRole('TagRole', roleName, () => client.send(new TagRoleCommand({ RoleName: roleName, Tags: list })));
    },

    async untagRole(roleName, keys) {
      if (keys.length === 0) return;
      await onRole('UntagRole', roleName, () => client.send(new UntagRoleCommand({ RoleName: roleName, TagKeys: [...keys] })));
    },
  };
}

/** The role's inline policies (PutRolePolicy, GetRolePolicy, DeleteRolePolicy), through the revoke member role. */
function rolePolicyCalls({
  accountId,
  client,
  retry,
  isTransient,
}: AccountClient): Pick<MemberAccountIam, 'getRolePolicy' | 'putRolePolicy' | 'deleteRolePolicy'> {
  return {
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html: the document
    // URL-encoded, like GetRole's; NoSuchEntity names a missing role or a missing policy alike.
    async getRolePolicy(roleName, policyName) {
      try {
        const { PolicyDocument } = await retry(
          `iam:GetRolePolicy ${roleName} ${policyName}`,
          () => client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
          isTransient,
        );
        return parsePolicyDocument(PolicyDocument ?? '');
      } catch (error) {
        if (NO_SUCH_ENTITY.has(nameOf(error))) return null;
        throw error;
      }
    },

    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html: creates or
    // replaces the policy of that name; LimitExceeded when the role's inline policies together
    // would pass 10,240 characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
    async putRolePolicy(roleName, policyName, policy) {
      try {
        await retry(
          `iam:PutRolePolicy ${roleName} ${policyName}`,
          () =>
            client.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(policy) })),
          isTransient,
        );
      } catch (error) {
        if (NO_SUCH_ENTITY.has(nameOf(error))) {
          throw new RoleNotFoundError(`Role ${roleName} in account ${accountId} no longer exists`, { cause: error });
        }
        if (LIMIT_EXCEEDED.has(nameOf(error))) {
          throw new InlinePolicyQuotaError(
            `inline-policy-quota: IAM refused the inline policy ${policyName} of ${roleName} in ${accountId}: the role's inline policies ` +
              `would exceed 10,240 characters (${messageOf(error)}). Shorten or remove the team's inline policies (managed policies do not count).`,
            { cause: error },
          );
        }
        throw error;
      }
    },

    async deleteRolePolicy(roleName, policyName) {
      try {
        await retry(
          `iam:DeleteRolePolicy ${roleName} ${policyName}`,
          () => client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
          isTransient,
        );
      } catch (error) {
        // No such role or no such policy: nothing left to delete.
        if (!NO_SUCH_ENTITY.has(nameOf(error))) throw error;
      }
    },
  };
}

/** The OIDC provider's client IDs: add, read, remove. */
function providerCalls({
  accountId,
  client,
  retry,
  isTransient,
}: AccountClient): Pick<MemberAccountIam & MemberAccountLister, 'addClientId' | 'getProviderClientIds' | 'removeClientId'> {
  return {
    // Add and RemoveClientID are idempotent in IAM ("does not fail or return an error" for
    // an ID already there, or already gone), so neither needs a read first: one call each
    // keeps the Create's critical path short.
    async addClientId(providerArn, clientId) {
      try {
        await retry(
          `iam:AddClientIDToOpenIDConnectProvider ${providerArn}`,
          () => client.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn, ClientID: clientId })),
          isTransient,
        );
      } catch (error) {
        const name = nameOf(error);
        if (LIMIT_EXCEEDED.has(name)) {
          throw new AudienceLimitExceededError(
            `OIDC provider ${providerArn} in account ${accountId} has reached IAM's limit of 100 client IDs (audiences). ` +
              'Delete unused federated roles in this account before adding another.',
            { cause: error },
          );
        }
        if (NO_SUCH_ENTITY.has(name)) {
          throw new OidcProviderNotFoundError(
            `Account ${accountId} has no OIDC provider ${providerArn}; deploy the member baseline StackSet to it`,
            { cause: error },
          );
        }
        if (INVALID_INPUT.has(name)) {
          throw new InvalidInputError(`clientId: "${clientId}" was refused by IAM (${messageOf(error)}); it must be 1–255 characters`, {
            cause: error,
          });
        }
        throw error;
      }
    },

    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOpenIDConnectProvider.html
    async getProviderClientIds(providerArn) {
      try {
        const provider = await retry(
          `iam:GetOpenIDConnectProvider ${providerArn}`,
          () => client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn })),
          isTransient,
        );
        return provider.ClientIDList ?? [];
      } catch (error) {
        if (NO_SUCH_ENTITY.has(nameOf(error))) return null;
        throw error;
      }
    },

    async removeClientId(providerArn, clientId) {
      try {
        await retry(
          `iam:RemoveClientIDFromOpenIDConnectProvider ${providerArn}`,
          () =>
            client.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn, ClientID: clientId })),
          isTransient,
        );
      } catch (error) {
        // No provider means no audience to remove.
        if (!NO_SUCH_ENTITY.has(nameOf(error))) throw error;
      }
    },
  };
}
