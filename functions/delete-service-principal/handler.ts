import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadDeleteServicePrincipalSettings } from '../shared/runtime';
import { liveDirectory } from '../shared/entra';
import { liveOpenAccount } from '../shared/iam';
import { FUNCTION_NAME, deleteIdentity, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: deleteIdentity }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadDeleteServicePrincipalSettings(process.env);
  return { settings, logger: createLogger(), directory: liveDirectory(settings), openAccount: liveOpenAccount(settings) };
});
