import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { AUTOMATION_RECORD_KEY, automationRecordsTableName } from '../functions/shared/entra/records';
import type { RecordAccess } from '../functions/shared/workflow';
import { deploymentContext } from './context';
import type { TaskFunction } from './task-function';

/**
 * The central account's table of the automation's own record of its creations
 * (functions/shared/entra/records.ts): the proof "the automation created it" that does not depend
 * on Graph's `createdObjects` listing applications (docs/architecture.md#the-open-readings, reading 2).
 */
export class AutomationRecordsTable extends Construct {
  public readonly table: DynamodbTable;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const context = deploymentContext(this);
    // On demand: a few writes per role created. Point-in-time recovery: the records are a proof
    // of ownership; losing them under reading 2 would leave the automation unable to prove, and
    // so to delete, what it made (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html).
    this.table = new DynamodbTable(this, 'table', {
      name: automationRecordsTableName(context.namePrefix),
      billingMode: 'PAY_PER_REQUEST',
      hashKey: AUTOMATION_RECORD_KEY,
      attribute: [{ name: AUTOMATION_RECORD_KEY, type: 'S' }],
      pointInTimeRecovery: { enabled: true },
    });
  }

  /**
   * What a function may do with the records, by its task's `records` access (contracts.ts TASKS):
   * `create` writes intents and completes them (and removes a compensated creation's), `remove`
   * reads, completes an open intent before its application is deleted (graph-client.ts `pinIntent`)
   * and removes, `read` only reads. Scan: the prefix listings (records-store.ts).
   */
  grant(fn: TaskFunction, access: RecordAccess): void {
    const actions = {
      create: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:DeleteItem'],
      remove: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:DeleteItem'],
      read: ['dynamodb:GetItem', 'dynamodb:Scan'],
    }[access];
    fn.addToRolePolicy({ sid: 'AutomationRecords', effect: 'Allow', actions, resources: [this.table.arn] });
  }
}
