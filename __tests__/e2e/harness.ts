import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../../functions/shared/runtime';
import type { PolicyDocument, PolicyStatement } from '../../functions/shared/iam';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { startLocalWorld, type LocalWorld, type LocalWorldOptions } from '../../simulation/engine/local-world';
import { parseEvents, pipelineSettings, playEvents } from '../../simulation/engine/run-simulation';
import { synthesizedStateMachines } from '../support/synthesized';
import { appTeamTrustPolicy } from '../fixtures/port-fakes';

/** The end-to-end world: the state machines as synthesized by the stack, the real handlers, IAM model, Graph fake. */

export const settings = pipelineSettings(parseConfig(EXAMPLE_CONFIG));
export const ACCOUNT = '333344445555';
export const HOST = `sts.windows.net/${settings.tenantId}/`;
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;

/** The app team's trust policy for the e2e account, plus any extra statements. */
export function federatedPolicy(extra: PolicyDocument['Statement'] = []): PolicyDocument {
  const policy = appTeamTrustPolicy(PROVIDER_ARN, HOST);
  return { ...policy, Statement: [...(policy.Statement as PolicyStatement[]), ...(Array.isArray(extra) ? extra : [extra])] };
}

export interface E2eWorld extends LocalWorld {
  readonly logs: string[];
  play(...events: object[]): Promise<void>;
}

export async function startE2eWorld(
  options: Partial<Pick<LocalWorldOptions, 'beforeTask' | 'seed'>> & { readonly settings?: Partial<LocalWorldOptions['settings']> } = {},
): Promise<E2eWorld> {
  const logs: string[] = [];
  const logger: Logger = createLogger({ sink: (line) => logs.push(line) });
  const { settings: overrides, ...rest } = options;
  const world = await startLocalWorld({
    definitions: synthesizedStateMachines(),
    settings: { ...settings, ...overrides },
    logger,
    ...rest,
  });
  world.iam.addAccount(ACCOUNT);
  world.iam.createOidcProvider(ACCOUNT, { url: `https://${HOST}` });
  return {
    ...world,
    logs,
    play: (...events) => playEvents(world, parseEvents(events), logger),
  };
}

export const newEventId = (): string => randomUUID();
