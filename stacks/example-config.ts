import type { FederationConfigInput } from './config';

/**
 * The embedded example: every ID is obviously fake, so `npm run synth` works on any
 * machine and nobody mistakes the output for a real deployment. Copy
 * `examples/config.example.json`, fill in your own values and point `WEB_IDENTITY_CONFIG` at it.
 */
export const EXAMPLE_CONFIG: FederationConfigInput = {
  entra: { tenantId: '00000000-0000-4000-8000-000000000001', tokenVersion: 1 },
  aws: {
    centralAccountId: '111111111111',
    centralRegion: 'eu-central-1',
    organizationId: 'o-exampleorg1',
    targetOuIds: ['ou-exam-ple00001'],
    stackSetCallAs: 'SELF',
  },
  namePrefix: 'web-identity',
  automationCredential: {
    mode: 'federated',
    issuerUrl: 'https://00000000-0000-4000-8000-000000000002.tokens.sts.global.api.aws',
  },
  alarmEmail: 'platform-team@example.com',
  tags: { project: 'web-identity-federation', owner: 'platform-team' },
};
