/**
 * The automation's own record of the applications it creates: the proof "the automation created
 * it" that does not depend on Graph listing applications in `createdObjects` (issue 20, reading 2;
 * docs/architecture.md#the-open-readings). One item per application `uniqueName`, in a DynamoDB table
 * of the central account (stacks/, `records-store.ts` is the adapter):
 *
 * - `intent`, written before `POST /applications`, with a fresh random `nonce` that the create
 *   request carries in the application's `notes`. Nobody but the automation knows the nonce before
 *   the application exists, and once it exists the name is taken: an application holding the name
 *   and the intent's nonce is the one the automation's own request created (a crash, or a lost
 *   answer, between the create and the record's completion). An intent alone proves only that the
 *   automation *tried*: a squatter's application, registered before or after it, carries no nonce,
 *   and is refused (`name-taken`). Once that application exists its notes are readable by any
 *   tenant user, so before the automation deletes or purges it an intent still open is completed
 *   to its object ID: the nonce then proves nothing more (a name freed and re-registered with it
 *   is refused, even if the record outlives the application).
 * - `created`, completed after the `201`, with the application's object and client IDs (and its
 *   service principal's once made): the application with that object ID is the automation's.
 *
 * Either proof holds only together with the role ID in the name (the record's `roleId` is the
 * incarnation's, and its `uniqueName` embeds it), and only for the identity that wrote it.
 */

export type AutomationRecordState = 'intent' | 'created';

export interface AutomationRecord {
  /** The application's `uniqueName` (`aws-{account}-{role key}-{role ID}`, naming.ts): the key. */
  readonly uniqueName: string;
  /** Object ID of the automation identity's service principal that creates it. */
  readonly identity: string;
  readonly account: string;
  readonly roleName: string;
  readonly roleId: string;
  /** Random, written before the create and carried in the application's notes (`CREATION_NONCE_MARK`). */
  readonly nonce: string;
  readonly state: AutomationRecordState;
  /** When the intent was written (ISO 8601). */
  readonly at: string;
  /** Once created: the application's client ID and object ID, and its service principal's object ID once made. */
  readonly appId?: string;
  readonly applicationId?: string;
  readonly servicePrincipalId?: string;
}

export type AutomationIntent = Omit<AutomationRecord, 'state' | 'appId' | 'applicationId' | 'servicePrincipalId'>;

/** What the create request appends to the application's notes, followed by the intent's nonce. */
export const CREATION_NONCE_MARK = 'Creation nonce: ';

export interface AutomationRecordStore {
  get(uniqueName: string): Promise<AutomationRecord | null>;
  /**
   * Writes the intent unless a record of that name exists (a retry keeps the first attempt's
   * nonce, so either attempt's create is recognised). Returns the record that stands.
   */
  putIntent(intent: AutomationIntent): Promise<AutomationRecord>;
  /** Marks the record `created` with the application's IDs (and its service principal's, when given later). */
  complete(
    uniqueName: string,
    ids: { readonly appId: string; readonly applicationId: string; readonly servicePrincipalId?: string },
  ): Promise<void>;
  /** Every record whose name starts with the prefix. */
  listWithPrefix(prefix: string): Promise<readonly AutomationRecord[]>;
  /** Removes it (the application is deleted and purged); an absent one counts as done. */
  remove(uniqueName: string): Promise<void>;
}

/** The table's partition key: one item per application name. */
export const AUTOMATION_RECORD_KEY = 'uniqueName';

/** The central account's table of the records (stacks/automation-records.ts creates it). */
export function automationRecordsTableName(namePrefix: string): string {
  return `${namePrefix}-automation-records`;
}
