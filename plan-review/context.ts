import { ENTRA_TOKEN_EXCHANGE_AUDIENCE, TASKS, TASK_FUNCTION_NAMES } from '../functions/shared/workflow';
import type { FederationConfig } from '../stacks/config';
import { memberBaselineName, memberBaselineResourceNames, protectedRolePatterns } from '../stacks/member-baseline-template';

/**
 * What the review judges a plan against: the deployment's configuration (the same file
 * `npm run synth` read, `WEB_IDENTITY_CONFIG`), reduced to the facts the rules need. Every
 * name is derived by the functions the stack itself uses, so the review and the synth agree.
 */
export interface ReviewContext {
  /** `aws.organizationId`: a principal bounded by `aws:PrincipalOrgID` equal to it belongs to the organization. */
  readonly organizationId: string;
  /** `aws.centralAccountId`: the account the central resources live in. */
  readonly centralAccountId: string;
  /** The member forwarder role's name: the only principal that may put events on the central bus. */
  readonly forwarderRoleName: string;
  /** The functions' own outbound identity federation (federated mode), or the configured certificate mode. */
  readonly automationCredential:
    | {
        readonly mode: 'federated';
        readonly issuer: string;
        /** Subjects (execution role ARNs) of the functions that call Graph. */
        readonly subjects: readonly string[];
        readonly audience: string;
      }
    | { readonly mode: 'certificate' };
  /** Role name patterns no member role may touch (OrganizationAccountAccessRole, Control Tower, StackSet, ...). */
  readonly protectedRoles: readonly string[];
}

export function reviewContext(config: FederationConfig): ReviewContext {
  const roleArn = (task: string) => `arn:aws:iam::${config.aws.centralAccountId}:role/${config.namePrefix}-${task}`;
  return {
    organizationId: config.aws.organizationId,
    centralAccountId: config.aws.centralAccountId,
    forwarderRoleName: memberBaselineResourceNames(memberBaselineName(config.namePrefix)).forwarderRoleName,
    automationCredential:
      config.automationCredential.mode === 'federated'
        ? {
            mode: 'federated',
            issuer: config.automationCredential.issuerUrl,
            subjects: TASK_FUNCTION_NAMES.filter((task) => TASKS[task].callsGraph).map(roleArn),
            audience: ENTRA_TOKEN_EXCHANGE_AUDIENCE,
          }
        : { mode: 'certificate' },
    protectedRoles: protectedRolePatterns(config),
  };
}
