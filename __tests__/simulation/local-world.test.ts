import { silentLogger } from '../../functions/shared/logger';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { startLocalWorld } from '../../simulation/local-world';
import { localDefinitions, pipelineSettings } from '../../simulation/run-simulation';

describe('startLocalWorld', () => {
  it("gives the tenant the automation's identity the caller names, so functions configured with it find themselves", async () => {
    // Prepare
    const automation = {
      automationServicePrincipalId: 'f0f0f0f0-0000-4000-8000-00000000000a',
      automationAppId: 'f0f0f0f0-0000-4000-8000-00000000000b',
    };
    const world = await startLocalWorld({
      definitions: localDefinitions(),
      settings: pipelineSettings(parseConfig(EXAMPLE_CONFIG)),
      logger: silentLogger,
      graphState: automation,
    });
    try {
      // Act
      const res = await fetch(`${world.graph.baseUrl}/servicePrincipals(appId='${automation.automationAppId}')?$select=id`, {
        headers: { Authorization: 'Bearer t' },
      });
      // Assess
      expect(await res.json()).toMatchObject({ id: automation.automationServicePrincipalId });
      expect(world.graph.state.automationServicePrincipalId).toBe(automation.automationServicePrincipalId);
    } finally {
      await world.close();
    }
  });
});
