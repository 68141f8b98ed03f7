import type { AutomationIntent, AutomationRecord, AutomationRecordStore } from '../../functions/shared/entra';

/**
 * The automation's record store (functions/shared/entra/records.ts) in memory: the simulator's, seeded
 * from and written to the world's `automationRecords` (docs/simulate.md#automationrecords), and the
 * unit tests'. It behaves as the DynamoDB adapter's conditions make the table behave
 * (__tests__/functions/shared/entra/record-store-contract.test.ts runs both through one suite).
 */
export class InMemoryAutomationRecords implements AutomationRecordStore {
  private readonly records = new Map<string, AutomationRecord>();

  constructor(initial: readonly AutomationRecord[] = []) {
    for (const record of initial) this.records.set(record.uniqueName, { ...record });
  }

  async get(uniqueName: string): Promise<AutomationRecord | null> {
    return this.records.get(uniqueName) ?? null;
  }

  async putIntent(intent: AutomationIntent): Promise<AutomationRecord> {
    const existing = this.records.get(intent.uniqueName);
    if (existing) return existing;
    const record: AutomationRecord = { ...intent, state: 'intent' };
    this.records.set(intent.uniqueName, record);
    return record;
  }

  async complete(uniqueName: string, ids: { appId: string; applicationId: string; servicePrincipalId?: string }): Promise<void> {
    const existing = this.records.get(uniqueName);
    if (!existing) throw new Error(`no automation record named ${uniqueName} to complete`);
    this.records.set(uniqueName, {
      ...existing,
      state: 'created',
      appId: ids.appId,
      applicationId: ids.applicationId,
      ...((ids.servicePrincipalId ?? existing.servicePrincipalId)
        ? { servicePrincipalId: ids.servicePrincipalId ?? existing.servicePrincipalId }
        : {}),
    });
  }

  async listWithPrefix(prefix: string): Promise<readonly AutomationRecord[]> {
    return [...this.records.values()].filter((record) => record.uniqueName.startsWith(prefix));
  }

  async remove(uniqueName: string): Promise<void> {
    this.records.delete(uniqueName);
  }

  /** Puts a record as it stands (a world's `automationRecords`). */
  seed(record: AutomationRecord): void {
    this.records.set(record.uniqueName, { ...record });
  }

  /** Every record, in name order (the simulator's output). */
  all(): AutomationRecord[] {
    return [...this.records.values()].sort((a, b) => (a.uniqueName < b.uniqueName ? -1 : a.uniqueName > b.uniqueName ? 1 : 0));
  }
}
