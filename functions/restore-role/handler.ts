import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadBaseSettings } from '../shared/runtime';
import { liveOpenAccount } from '../shared/iam';
import { FUNCTION_NAME, restoreRole, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: restoreRole }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadBaseSettings(process.env);
  return { logger: createLogger(), openAccount: liveOpenAccount(settings) };
});
