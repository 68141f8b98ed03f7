import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { AUTOMATION_RECORD_KEY, type AutomationIntent, type AutomationRecord, type AutomationRecordStore } from './records';

/**
 * The automation's records (records.ts) in the central account's DynamoDB table: one item per
 * application name, strings only. Reads are strongly consistent (`ConsistentRead`): a retry
 * right after an intent must see it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html).
 * Every attribute name goes through a `#placeholder` (`state` is a reserved word:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html).
 */
export class DynamoDbAutomationRecords implements AutomationRecordStore {
  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async get(uniqueName: string): Promise<AutomationRecord | null> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [AUTOMATION_RECORD_KEY]: { S: uniqueName } }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  // PutItem with `attribute_not_exists` on the key: the first intent of a name stands, and a
  // retry reads it back (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).
  async putIntent(intent: AutomationIntent): Promise<AutomationRecord> {
    const record: AutomationRecord = { ...intent, state: 'intent' };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': AUTOMATION_RECORD_KEY },
        }),
      );
      return record;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(intent.uniqueName);
      if (existing) return existing;
      throw error;
    }
  }

  async complete(uniqueName: string, ids: { appId: string; applicationId: string; servicePrincipalId?: string }): Promise<void> {
    const sets: [string, string][] = [
      ['state', 'created'],
      ['appId', ids.appId],
      ['applicationId', ids.applicationId],
      ...(ids.servicePrincipalId ? ([['servicePrincipalId', ids.servicePrincipalId]] as [string, string][]) : []),
    ];
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { [AUTOMATION_RECORD_KEY]: { S: uniqueName } },
        UpdateExpression: `SET ${sets.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
        // Only a record that exists: an intent is always written first.
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: { '#key': AUTOMATION_RECORD_KEY, ...Object.fromEntries(sets.map(([name], i) => [`#n${i}`, name])) },
        ExpressionAttributeValues: Object.fromEntries(sets.map(([, value], i) => [`:v${i}`, { S: value }])),
      }),
    );
  }

  // A Scan with a filter, every page (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html):
  // the table holds one item per application the automation made, bounded by its creator quota.
  async listWithPrefix(prefix: string): Promise<readonly AutomationRecord[]> {
    const records: AutomationRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          ...(prefix ? { FilterExpression: 'begins_with(#key, :prefix)', ExpressionAttributeValues: { ':prefix': { S: prefix } } } : {}),
          ...(prefix ? { ExpressionAttributeNames: { '#key': AUTOMATION_RECORD_KEY } } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const record = fromItem(item);
        if (record) records.push(record);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return records;
  }

  async remove(uniqueName: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { [AUTOMATION_RECORD_KEY]: { S: uniqueName } } }));
  }
}

const FIELDS = ['uniqueName', 'identity', 'account', 'roleName', 'roleId', 'nonce', 'state', 'at'] as const;
const OPTIONAL = ['appId', 'applicationId', 'servicePrincipalId'] as const;

function toItem(record: AutomationRecord): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {};
  for (const field of [...FIELDS, ...OPTIONAL]) {
    const value = record[field];
    if (value !== undefined) item[field] = { S: value };
  }
  return item;
}

/** An item as a record; null for one that is not (a hand-made item proves nothing). */
function fromItem(item: Record<string, AttributeValue>): AutomationRecord | null {
  const text = (field: string) => item[field]?.S;
  const [uniqueName, identity, account, roleName, roleId, nonce, state, at] = FIELDS.map(text);
  if (!uniqueName || !identity || !account || !roleName || !roleId || !nonce || !at) return null;
  if (state !== 'intent' && state !== 'created') return null;
  const optional = Object.fromEntries(OPTIONAL.flatMap((field) => (text(field) === undefined ? [] : [[field, text(field)]])));
  return { uniqueName, identity, account, roleName, roleId, nonce, state, at, ...optional };
}
