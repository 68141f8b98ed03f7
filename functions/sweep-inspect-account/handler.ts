import { makeTaskHandler, type LoadDeps, type TaskHandler, createLogger, loadSweepInspectSettings } from '../shared/runtime';
import { liveInventory } from '../shared/entra';
import { liveOpenAccount } from '../shared/iam';
import { FUNCTION_NAME, inspectAccount, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core: inspectAccount }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadSweepInspectSettings(process.env);
  return { settings, logger: createLogger(), directory: liveInventory(settings), openAccount: liveOpenAccount(settings) };
});
