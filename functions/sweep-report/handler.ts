import { S3Client } from '@aws-sdk/client-s3';
import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadSweepReportSettings } from '../shared/runtime';
import { s3SweepStore } from '../shared/sweep';
import { FUNCTION_NAME, reportSweep, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: reportSweep }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadSweepReportSettings(process.env);
  return { settings, logger: createLogger(), store: s3SweepStore(new S3Client({ region: settings.region }), settings.sweepBucket) };
});
