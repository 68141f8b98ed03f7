import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadAssignRoleSettings } from '../shared/runtime';
import { liveOpenAccount } from '../shared/iam';
import { FUNCTION_NAME, revokeRole, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: revokeRole }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadAssignRoleSettings(process.env);
  return { settings, logger: createLogger(), openAccount: liveOpenAccount(settings) };
});
