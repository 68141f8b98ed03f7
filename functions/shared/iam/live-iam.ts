import { STSClient } from '@aws-sdk/client-sts';
import { createOpenMemberAccount } from './member-account';
import type { OpenMemberAccountLister } from './ports';
import type { MemberAccountSettings } from '../runtime/settings';

/**
 * IAM in member accounts through the baseline's member role of the function's capability,
 * for the handlers' `loadDeps`; assumed-role sessions stay cached in the returned function
 * (warm reuse).
 */
export function liveOpenAccount(settings: MemberAccountSettings): OpenMemberAccountLister {
  return createOpenMemberAccount({
    sts: new STSClient({ region: settings.region }),
    memberRoleName: settings.memberRoleName,
    region: settings.region,
  });
}
