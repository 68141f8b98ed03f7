import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadCreateServicePrincipalSettings } from '../shared/runtime';
import { liveDirectory } from '../shared/entra';
import { liveOpenAccount } from '../shared/iam';
import { FUNCTION_NAME, registerIdentity, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: registerIdentity }, loadDeps);
}

export const handler = makeHandler(() => {
  const loaded = loadCreateServicePrincipalSettings(process.env);
  const settings = { ...loaded, automationClientIds: [loaded.automationClientId.toLowerCase(), ...loaded.automationPoolClientIds] };
  return { settings, logger: createLogger(), directory: liveDirectory(settings), openAccount: liveOpenAccount(settings) };
});
