import { createHash } from 'node:crypto';
import { providerArn, providerHost } from '../iam/trust-policy';

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
  return sanitizeSessionName(`wi-${short}-${eventId}`);
}

/**
 * Role session names: 2–64 characters of `[\w+=,.@-]` (STS AssumeRole `RoleSessionName`,
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). A longer name is cut
 * and keeps a short hash, so two long names that share a prefix stay distinct.
 */
export function sanitizeSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '-');
  if (cleaned.length > 64) return `${cleaned.slice(0, 55)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  return cleaned.length >= 2 ? cleaned : `${cleaned}--`.slice(0, 2);
}
