import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadServicePrincipalSwitchSettings } from '../shared/runtime';
import { liveDirectory } from '../shared/entra';
import { FUNCTION_NAME, disableServicePrincipal, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: disableServicePrincipal }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadServicePrincipalSwitchSettings(process.env);
  return { logger: createLogger(), directory: liveDirectory(settings) };
});
