import { App } from 'cdktf';
import { ConfigError } from './stacks/config';
import { loadConfig } from './stacks/load-config';
import { WebIdentityFederationStack } from './stacks/federation-stack';

try {
  const config = loadConfig();
  const app = new App();
  new WebIdentityFederationStack(app, 'web-identity-federation', config);
  app.synth();
} catch (error) {
  // A bad configuration must fail before anything is written, with every problem listed.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
