import { STSClient } from '@aws-sdk/client-sts';
import { createOpenMemberAccount } from './iam';
import type { OpenMemberAccount } from './ports';
import type { BaseSettings } from './settings';

/**
 * IAM in member accounts through the baseline's automation role, for the handlers'
 * `loadDeps`; assumed-role sessions stay cached in the returned function (warm reuse).
 */
export function liveOpenAccount(settings: BaseSettings): OpenMemberAccount {
  return createOpenMemberAccount({
    sts: new STSClient({ region: settings.region }),
    automationRoleName: settings.automationRoleName,
    region: settings.region,
  });
}
