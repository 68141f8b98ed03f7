import { TRANSIENT_ERROR_NAMES } from '../functions/shared/runtime';
import type { RetryRule, TaskFunctionArns } from './workflow-definitions';

/**
 * The Amazon States Language of `{Prefix}-Sweep` (docs/architecture.md#the-sweep), as typed data:
 *
 *   Plan → InspectAccounts (Distributed Map over accounts) → Decide → ShouldRepair
 *        → RepairAccounts (Distributed Map: repair, remove expired revocations, then each role's
 *          Create, waited for) → Report
 *
 * Items and results go through S3, never through the state: a state carries at most 256 KiB
 * and an execution 25,000 history events (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html),
 * while the accounts, their findings and the report grow with the organization. Each account
 * is a child execution of a Distributed Map (its own history), read with bounded concurrency;
 * one failing account is caught into an `unreadable-account` result and never stops the rest.
 *
 * The local Step Functions emulator cannot run ItemReader/ResultWriter: the simulator runs the
 * same steps and functions itself (simulation/engine/local-sweep.ts) and the tests validate this
 * structure with asl-validator.
 */

export interface SweepDefinitionProps {
  readonly functionArns: TaskFunctionArns;
  /** `{Prefix}-Role-Create`: the repair federates through it. */
  readonly createStateMachineArn: string;
  /** Accounts processed at once by each map. */
  readonly maxConcurrency: number;
}

/** Every state of the top level, in the order an execution meets them (the simulator follows the same list). */
export const SWEEP_STATES = ['Plan', 'InspectAccounts', 'Decide', 'ShouldRepair', 'RepairAccounts', 'Report'] as const;

const RETRIES: readonly RetryRule[] = [
  {
    ErrorEquals: [...TRANSIENT_ERROR_NAMES],
    IntervalSeconds: 2,
    MaxAttempts: 8,
    BackoffRate: 2,
    MaxDelaySeconds: 120,
    JitterStrategy: 'FULL',
  },
  {
    ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

const invoke = (functionArn: string, comment: string) => ({
  Type: 'Task' as const,
  Comment: comment,
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionArn, 'Payload.$': '$' },
  Retry: RETRIES,
});

/** A Distributed Map over a JSON array in the sweep's bucket, its children's results written back there. */
const distributedMap = <P extends { readonly StartAt: string; readonly States: object }>(
  label: string,
  comment: string,
  itemsKeyPath: string,
  itemField: string,
  resultPrefixPath: string,
  maxConcurrency: number,
  processor: P,
) => ({
  Type: 'Map' as const,
  Comment: comment,
  Label: label,
  ItemReader: {
    Resource: 'arn:aws:states:::s3:getObject',
    ReaderConfig: { InputType: 'JSON' },
    Parameters: { 'Bucket.$': '$.sweep.bucket', 'Key.$': itemsKeyPath },
  },
  // Each child gets its item and the sweep's context.
  ItemSelector: { [`${itemField}.$`]: '$$.Map.Item.Value', 'sweep.$': '$.sweep' },
  ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...processor },
  MaxConcurrency: maxConcurrency,
  // Every item catches its own failure into a result; a child that still fails (e.g. a result
  // over the payload limit) shows as FAILED in the result files, which the report reads too.
  ToleratedFailurePercentage: 100,
  ResultWriter: {
    Resource: 'arn:aws:states:::s3:putObject',
    Parameters: { 'Bucket.$': '$.sweep.bucket', 'Prefix.$': resultPrefixPath },
  },
});

export function sweepDefinition(props: SweepDefinitionProps) {
  const arns = props.functionArns;
  return {
    Comment: 'Adopts roles that trust the tenant, repairs drift and reports, across every account of the member baseline.',
    StartAt: 'Plan',
    // A day-one repair federates every pre-existing role; the next scheduled run starts a day later.
    TimeoutSeconds: 12 * 3600,
    States: {
      Plan: {
        ...invoke(arns['sweep-plan'], "Lists the accounts and the automation's Entra objects once; writes the per-account items."),
        Parameters: {
          FunctionName: arns['sweep-plan'],
          Payload: { 'input.$': '$', 'executionName.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' },
        },
        OutputPath: '$.Payload',
        Next: 'InspectAccounts',
      },
      InspectAccounts: {
        ...distributedMap(
          'InspectAccounts',
          'Reads every account (changes nothing) and proposes its findings.',
          '$.sweep.accountsKey',
          'account',
          '$.sweep.inspectPrefix',
          props.maxConcurrency,
          {
            StartAt: 'InspectAccount',
            States: {
              InspectAccount: {
                ...invoke(arns['sweep-inspect-account'], "Lists the account's roles and audiences; decides its findings."),
                OutputPath: '$.Payload.inspection',
                Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'AccountUnreadable' }],
                End: true,
              },
              AccountUnreadable: {
                Type: 'Pass',
                Comment: 'The account was not read completely: nothing is deleted for it in this run.',
                Parameters: { 'accountId.$': '$.account.accountId', readable: false, 'failure.$': '$.failure' },
                End: true,
              },
            },
          },
        ),
        ResultPath: '$.inspection',
        Next: 'Decide',
      },
      Decide: {
        ...invoke(arns['sweep-report'], 'Applies the deletion cap and writes the repair items (none in a report run).'),
        OutputPath: '$.Payload',
        Next: 'ShouldRepair',
      },
      ShouldRepair: {
        Type: 'Choice',
        Comment: 'A report run, or a repair run with nothing to repair, makes no write call.',
        Choices: [{ Variable: '$.decision.repair', BooleanEquals: true, Next: 'RepairAccounts' }],
        Default: 'Report',
      },
      RepairAccounts: {
        ...distributedMap(
          'RepairAccounts',
          'Deletes orphans and dead client IDs under the cap, removes expired revocation policies, then federates each role through the Create workflow.',
          '$.decision.repairsKey',
          'repair',
          '$.sweep.repairPrefix',
          props.maxConcurrency,
          {
            StartAt: 'RepairAccount',
            States: {
              RepairAccount: {
                ...invoke(
                  arns['sweep-repair-account'],
                  'Deletes the approved orphans and dead client IDs; names the Create executions to run.',
                ),
                // The item and the sweep stay beside its result: the next step needs them.
                OutputPath: '$.Payload',
                Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RepairFailed' }],
                Next: 'RemoveRevocationPolicies',
              },
              RemoveRevocationPolicies: {
                // Its own step through its own member role (revoke, the only one that may write
                // inline policies), after RepairAccount (audience): each task keeps its capability.
                ...invoke(
                  arns['sweep-remove-revocations'],
                  "Removes the account's expired EntraRevokeOlderSessions policies, each read again first; adds its outcomes to the repair's.",
                ),
                OutputPath: '$.Payload.repaired',
                // A failure keeps RepairAccount's result and federates all the same: the policies
                // stay (a stale Deny opens nothing) and the report lists them failed, with the error.
                Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RevocationPoliciesKept' }],
                Next: 'FederateRoles',
              },
              RevocationPoliciesKept: {
                Type: 'Pass',
                Parameters: {
                  'accountId.$': '$.repaired.accountId',
                  'outcomes.$': '$.repaired.outcomes',
                  'federations.$': '$.repaired.federations',
                  'revocationFailure.$': '$.failure',
                },
                Next: 'FederateRoles',
              },
              FederateRoles: {
                Type: 'Map',
                Comment: "One Create at a time per account, waited for: the maps' concurrency bounds the Creates, and so the Graph writes.",
                ItemsPath: '$.federations',
                MaxConcurrency: 1,
                ItemProcessor: {
                  ProcessorConfig: { Mode: 'INLINE' },
                  StartAt: 'Federate',
                  States: {
                    Federate: {
                      Type: 'Task',
                      Comment: 'The Create workflow, as for an IAM event (eventName "Sweep").',
                      Resource: 'arn:aws:states:::states:startExecution.sync:2',
                      Parameters: { StateMachineArn: props.createStateMachineArn, 'Name.$': '$.executionName', 'Input.$': '$.input' },
                      ResultSelector: { 'status.$': '$.Status' },
                      ResultPath: '$.execution',
                      Retry: [
                        {
                          ErrorEquals: ['StepFunctions.ExecutionLimitExceededException'],
                          IntervalSeconds: 5,
                          MaxAttempts: 5,
                          BackoffRate: 2,
                          JitterStrategy: 'FULL',
                        },
                      ],
                      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.execution', Next: 'FederationDidNotSucceed' }],
                      End: true,
                    },
                    FederationDidNotSucceed: {
                      Type: 'Pass',
                      // The Cause of a failed .sync execution holds its whole description (input,
                      // output): only the error is kept, so an account's result stays small.
                      Comment: "The role's entra:federation-status says why; the report lists it as failed.",
                      Parameters: {
                        'roleName.$': '$.roleName',
                        'executionName.$': '$.executionName',
                        'input.$': '$.input',
                        execution: { 'Error.$': '$.execution.Error' },
                      },
                      End: true,
                    },
                  },
                },
                ResultPath: '$.federations',
                End: true,
              },
              RepairFailed: {
                Type: 'Pass',
                Parameters: { 'accountId.$': '$.repair.accountId', outcomes: [], federations: [], 'failure.$': '$.failure' },
                End: true,
              },
            },
          },
        ),
        ResultPath: '$.repairs',
        Next: 'Report',
      },
      Report: {
        ...invoke(arns['sweep-report'], 'Writes the report to S3 and its metrics to the log; outputs where the report is and its totals.'),
        ResultSelector: { 'report.$': '$.Payload.report' },
        ResultPath: '$',
        End: true,
      },
    },
  };
}
