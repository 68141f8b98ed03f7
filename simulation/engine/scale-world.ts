import { createHash } from 'node:crypto';
import type { FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { createRoleEvent, derivedRoleId } from './cloudtrail-events';
import { DEFAULT_CREATOR_QUOTA } from '../fakes/graph-state';

/**
 * A world at the scale the platform is built for (docs/simulate.md#a-world-at-scale): many
 * accounts, each with the tenant's provider and a number of federated roles, some of which bring
 * their own identity (a managed identity named in `sub`). Generated rather than stored: 1,000
 * accounts × 10 roles is about 30 MB of JSON. Deterministic: the same options give the same
 * files, byte for byte.
 */
export interface ScaleWorldOptions {
  readonly accounts: number;
  readonly rolesPerAccount: number;
  /** How many of each account's roles bring their own identity (a managed identity of the tenant). */
  readonly broughtPerAccount: number;
  /** `shared` (one client ID per provider) or `per-role` (one per role). */
  readonly audienceMode: 'per-role' | 'shared';
  /** The share of each automation identity's quota the configuration lets it use. */
  readonly quotaShare?: number;
}

/** A GUID derived from a name: stable across runs, unique for unique names. */
function derivedGuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const accountIdOf = (index: number): string => String(100000000000 + index);

/**
 * How many automation identities the roles with an application of their own need: two objects
 * each, `quotaShare` of 250 per identity.
 */
export function identitiesNeeded(applicationRoles: number, quotaShare: number): number {
  const usable = quotaShare >= 1 ? DEFAULT_CREATOR_QUOTA : Math.floor(quotaShare * DEFAULT_CREATOR_QUOTA);
  return Math.max(1, Math.ceil((applicationRoles * 2) / usable));
}

export interface ScaleWorld {
  readonly world: object;
  readonly events: object[];
  readonly config: FederationConfigInput;
}

export function scaleWorld(options: ScaleWorldOptions): ScaleWorld {
  const { accounts, rolesPerAccount, broughtPerAccount, audienceMode } = options;
  if (broughtPerAccount > rolesPerAccount) throw new Error('broughtPerAccount cannot exceed rolesPerAccount');
  const quotaShare = options.quotaShare ?? 0.9;
  const tenantId = EXAMPLE_CONFIG.entra.tenantId;
  const host = `sts.windows.net/${tenantId}/`;
  const worldAccounts: Record<string, object> = {};
  const servicePrincipals: object[] = [];
  const events: object[] = [];

  for (let a = 0; a < accounts; a += 1) {
    const accountId = accountIdOf(a);
    const providerArn = `arn:aws:iam::${accountId}:oidc-provider/${host}`;
    worldAccounts[accountId] = { oidcProviders: [{ url: `https://${host}`, clientIds: [] }] };
    for (let r = 0; r < rolesPerAccount; r += 1) {
      const brought = r < broughtPerAccount;
      const roleName = brought ? `vm-workload-${r}` : `ci-deployer-${r}`;
      const conditions: Record<string, string> = { [`${host}:aud`]: 'api://replace-me' };
      if (brought) {
        const identity = { id: derivedGuid(`mi/${accountId}/${r}`), appId: derivedGuid(`mi-client/${accountId}/${r}`) };
        servicePrincipals.push({ ...identity, displayName: `mi-${accountId}-${r}`, servicePrincipalType: 'ManagedIdentity' });
        conditions[`${host}:sub`] = identity.id;
      }
      const policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow' as const,
            Principal: { Federated: providerArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: conditions },
          },
        ],
      };
      const eventId = derivedGuid(`event/${accountId}/${roleName}`);
      events.push(createRoleEvent(roleName, policy, { accountId, eventId, roleId: derivedRoleId(accountId, roleName, eventId) }));
    }
  }

  const applicationRoles = accounts * (rolesPerAccount - broughtPerAccount);
  const config: FederationConfigInput = {
    ...EXAMPLE_CONFIG,
    entra: {
      ...EXAMPLE_CONFIG.entra,
      tokenVersion: 1,
      audienceMode,
      automationIdentities: identitiesNeeded(applicationRoles, quotaShare),
      quotaShare,
    },
  };
  return { world: { accounts: worldAccounts, entra: { servicePrincipals } }, events, config };
}
