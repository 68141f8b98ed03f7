import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadSweepPlanSettings } from '../shared/runtime';
import { liveIdentityCounters, liveInventory } from '../shared/entra';
import { s3SweepStore, stackSetBaselineAccounts } from '../shared/sweep';
import { FUNCTION_NAME, planSweep, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: planSweep }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadSweepPlanSettings(process.env);
  const inventory = liveInventory(settings);
  return {
    logger: createLogger(),
    settings,
    inventory,
    identities: liveIdentityCounters(settings, inventory),
    // The StackSet lives in the central region; its instances in us-east-1.
    baseline: stackSetBaselineAccounts(new CloudFormationClient({ region: settings.region }), {
      stackSetName: settings.stackSetName,
      callAs: settings.stackSetCallAs,
      region: settings.stackSetInstanceRegion,
    }),
    store: s3SweepStore(new S3Client({ region: settings.region }), settings.sweepBucket),
  };
});
