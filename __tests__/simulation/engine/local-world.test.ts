import { silentLogger } from '../../../functions/shared/runtime';
import { parseConfig } from '../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../stacks/example-config';
import * as graphFake from '../../../simulation/fakes/graph-fake';
import type { GraphFake } from '../../../simulation/fakes/graph-fake';
import { startLocalWorld } from '../../../simulation/engine/local-world';

const graphFakeStart = graphFake.startGraphFake;
import { localDefinitions, pipelineSettings } from '../../../simulation/engine/run-simulation';

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

  it('stops the Graph fake it started when the world cannot be assembled, so no server keeps the process alive', async () => {
    // Prepare: catch the fake as it starts; definitions that are not state machines make the assembly throw after it listens.
    const started: GraphFake[] = [];
    const start = jest.spyOn(graphFake, 'startGraphFake').mockImplementation(async (options) => {
      const fake = await graphFakeStart(options);
      started.push(fake);
      return fake;
    });

    try {
      // Act
      const world = startLocalWorld({
        definitions: { create: null, delete: null } as never,
        settings: pipelineSettings(parseConfig(EXAMPLE_CONFIG)),
        logger: silentLogger,
      });

      // Assess
      await expect(world).rejects.toThrow(/States/);
      expect(started).toHaveLength(1);
      await expect(fetch(`${started[0]!.baseUrl}/applications`, { headers: { Authorization: 'Bearer t' } })).rejects.toThrow();
    } finally {
      start.mockRestore();
    }
  });
});
