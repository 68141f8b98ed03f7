import { readFileSync } from 'node:fs';
import { ConfigError, type FederationConfig, parseConfig } from './config';
import { EXAMPLE_CONFIG } from './example-config';

/**
 * Where the synth's configuration comes from: the operator's file, or the embedded example. Kept
 * out of config.ts: the example is typed by the schema, so the schema importing the example would
 * close an import cycle (CONTRIBUTING.md#layers-what-may-import-what).
 */

/** Environment variable naming the operator's configuration file; unset means the embedded example. */
export const CONFIG_FILE_ENV = 'WEB_IDENTITY_CONFIG';

/** The only place that reads the environment for the synth. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FederationConfig {
  const file = env[CONFIG_FILE_ENV];
  if (!file) return parseConfig(EXAMPLE_CONFIG, 'the embedded example configuration');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [`cannot read it as JSON: ${(error as Error).message}`]);
  }
  return parseConfig(raw, file);
}
