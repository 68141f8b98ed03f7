import { makeTaskHandler, type LoadDeps, type TaskHandler } from '../shared/handler-kit';
import { liveInventory } from '../shared/live-graph';
import { liveOpenAccount } from '../shared/live-iam';
import { createLogger } from '../shared/logger';
import { loadSweepInspectSettings } from '../shared/settings';
import { FUNCTION_NAME, core, inputSchema, type Deps } from './core';

export function makeHandler(loadDeps: LoadDeps<Deps>): TaskHandler {
  return makeTaskHandler({ name: FUNCTION_NAME, schema: inputSchema, core }, loadDeps);
}

export const handler = makeHandler(() => {
  const settings = loadSweepInspectSettings(process.env);
  return { settings, logger: createLogger(), directory: liveInventory(settings), openAccount: liveOpenAccount(settings) };
});
