import { relative } from 'node:path';
import { App } from 'cdktf';
import { ConfigError } from './stacks/config';
import { CONFIG_FILE_ENV, loadConfig } from './stacks/load-config';
import { WebIdentityFederationStack } from './stacks/federation-stack';
import { hclOutputRequested, keepOnlyWrittenFormat } from './stacks/synth-output';

const STACK_ID = 'web-identity-federation';

try {
  const config = loadConfig();
  const app = new App({ hclOutput: hclOutputRequested(process.env) });
  new WebIdentityFederationStack(app, STACK_ID, config);
  app.synth();
  const written = keepOnlyWrittenFormat(app, STACK_ID);
  const file = process.env[CONFIG_FILE_ENV];
  // One line on stderr (stdout stays free for cdktf): which configuration, and which file was written.
  console.error(
    `synth: ${file ? `configuration ${file}` : `the embedded example configuration (set ${CONFIG_FILE_ENV} to use yours)`}; wrote ${relative(process.cwd(), written)}`,
  );
} catch (error) {
  // A bad configuration must fail before anything is written, with every problem listed.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
