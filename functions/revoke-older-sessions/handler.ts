import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadBaseSettings } from '../shared/runtime';
import { liveOpenAccount } from '../shared/iam';
import { FUNCTION_NAME, revokeOlderSessions, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: revokeOlderSessions }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadBaseSettings(process.env);
  return { settings, logger: createLogger(), openAccount: liveOpenAccount(settings) };
});
