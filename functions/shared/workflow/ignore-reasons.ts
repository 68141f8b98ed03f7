/**
 * Why the router started nothing for an event: a closed set, one source for the router's
 * `event ignored` / `message failed` log lines (their `reason` field), the dashboard's ignored
 * events widget (docs/operator.md#the-dashboard) and the simulator's `ignoredEvents`
 * (docs/simulate.md#ignored-events lists the same table; a test keeps them equal).
 */
export const IGNORE_REASONS = {
  'call-failed': 'The IAM call itself failed (the CloudTrail record carries an errorCode): nothing changed.',
  'automation-call': "The automation's own call (through one of its member roles): acting on it would loop.",
  'not-a-trust-event':
    'An IAM call that does not decide a role trust (TagRole, and any other call than CreateRole, UpdateAssumeRolePolicy, DeleteRole).',
  'forged-account': 'detail.recipientAccountId differs from the account that sent the event: another account put it on the bus.',
  'protected-role': 'The role is protected (OrganizationAccountAccessRole, Control Tower, StackSet, CDK, service roles…): never changed.',
  'not-federated': "A CreateRole whose trust policy does not reference the tenant's provider.",
  malformed:
    'The message cannot be read (not JSON, not an IAM CloudTrail event, a bad role name or policy): SQS moves it to the dead-letter queue.',
  'start-failed':
    'The execution could not be started (e.g. Step Functions throttled): SQS delivers the message again, then to the dead-letter queue.',
} as const;
export type IgnoreReason = keyof typeof IGNORE_REASONS;
export const IGNORE_REASON_NAMES = Object.keys(IGNORE_REASONS) as IgnoreReason[];

/** The messages of the router's log lines that say an event started nothing (the metric filters match them). */
export const ROUTER_LOG_MESSAGES = {
  ignored: 'event ignored',
  failed: 'message failed; SQS will redeliver it or move it to the DLQ',
} as const;
