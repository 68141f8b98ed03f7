/**
 * What the sweep reads and writes besides IAM and Graph (docs/architecture.md#the-sweep): the
 * accounts of the member baseline and the sweep's bucket. The real implementations are in `aws.ts`.
 */

/** One account where the member baseline's StackSet has a stack instance. */
export interface BaselineInstance {
  readonly accountId: string;
  /** `CURRENT`, `OUTDATED` or `INOPERABLE` (StackInstanceSummary.Status). */
  readonly status: string;
  /** `SUCCEEDED`, `FAILED`, `RUNNING`… (StackInstanceComprehensiveStatus.DetailedStatus), when known. */
  readonly detailedStatus?: string;
}

/** Where the member baseline is deployed: every account the sweep covers. */
export interface BaselineAccounts {
  list(): Promise<readonly BaselineInstance[]>;
}

/** JSON objects under the sweep's bucket (the items, the map results, the report), and the report's HTML page. */
export interface SweepStore {
  readonly bucket: string;
  putJson(key: string, value: unknown): Promise<void>;
  /** A text object with its media type (the report's HTML page). */
  putText(key: string, body: string, contentType: string): Promise<void>;
  /** Throws when the object does not exist or is not JSON. */
  getJson(key: string): Promise<unknown>;
}

/**
 * One automation identity as the sweep's plan counts its creator quota: the live directory
 * objects Graph's record says it created (`GraphDirectory.createdObjectCount`).
 */
export interface CreatedObjectCounter {
  createdObjectCount(): Promise<number>;
}
