import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadSweepRemoveRevocationsSettings } from '../shared/runtime';
import { liveOpenAccount } from '../shared/iam';
import { FUNCTION_NAME, removeRevocations, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: removeRevocations }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadSweepRemoveRevocationsSettings(process.env);
  return { settings, logger: createLogger(), openAccount: liveOpenAccount(settings) };
});
