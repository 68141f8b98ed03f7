import { providerArn, providerHost } from './trust-policy';

/** The tenant's OIDC provider as one member account names it. */
export interface Federation {
  /** Issuer host+path, also the prefix of the provider's condition keys (`sts.windows.net/{tid}/`). */
  readonly host: string;
  readonly providerArn: string;
}

export function federationFor(settings: { tenantId: string; tokenVersion: 1 | 2 }, accountId: string): Federation {
  const host = providerHost(settings.tenantId, settings.tokenVersion);
  return { host, providerArn: providerArn(accountId, host) };
}

/**
 * STS role session name (2–64 of `[\w+=,.@-]`): which function acted for which CloudTrail
 * event, so the member account's CloudTrail shows why the automation changed a role.
 */
export function sessionNameFor(functionName: string, eventId: string): string {
  const short = functionName.replace(/[^a-z]+/g, '').slice(0, 12) || 'task';
  return `wi-${short}-${eventId.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}
