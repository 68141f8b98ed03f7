import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { stateMachineNames } from '../../functions/shared/workflow';
import { parseConfig, type FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';

/** The synthesized Terraform JSON of one stack, as `cdktf synth` writes it. */
export interface TerraformJson {
  readonly terraform: Record<string, unknown>;
  readonly provider: Record<string, Array<Record<string, unknown>>>;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, Record<string, unknown>>;
}

const cache = new Map<string, TerraformJson>();

/**
 * Under `npm run mutate`, the parts that do not mutate what the stack is built from set
 * SYNTHESIZED_EXAMPLE_CACHE (jest.mutate.config.js, a file in Stryker's sandbox): the example is
 * then synthesized once per run rather than in each suite for each mutant, which was most of a
 * mutant's time. cdktf and the provider bindings are loaded only to synthesize, for the same reason.
 */
function synthesizeNow(config: FederationConfigInput): TerraformJson {
  const cacheFile = config === EXAMPLE_CONFIG ? process.env.SYNTHESIZED_EXAMPLE_CACHE : undefined;
  if (cacheFile) {
    try {
      return JSON.parse(readFileSync(cacheFile, 'utf8')) as TerraformJson;
    } catch {
      // Not written yet: synthesized below.
    }
  }
  const { Testing } = require('cdktf') as typeof import('cdktf');
  const { WebIdentityFederationStack } = require('../../stacks/federation-stack') as typeof import('../../stacks/federation-stack');
  const app = Testing.app();
  const stack = new WebIdentityFederationStack(app, 'web-identity-federation', parseConfig(config));
  const text = Testing.synth(stack);
  if (cacheFile) {
    // Written whole, then renamed: a concurrent reader sees all of it or nothing.
    writeFileSync(`${cacheFile}.${process.pid}`, text);
    renameSync(`${cacheFile}.${process.pid}`, cacheFile);
  }
  return JSON.parse(text) as TerraformJson;
}

/** Synthesizes the stack for a configuration (the embedded example by default); cached per configuration. */
export function synthesize(config: FederationConfigInput = EXAMPLE_CONFIG): TerraformJson {
  const key = JSON.stringify(config);
  let json = cache.get(key);
  if (!json) {
    json = synthesizeNow(config);
    cache.set(key, json);
  }
  return json;
}

/** Every resource (or data source) of a type, without the hashed logical ids. */
export function resourcesOf(json: TerraformJson, type: string, kind: 'resource' | 'data' = 'resource'): Array<Record<string, any>> {
  return Object.values(json[kind][type] ?? {});
}

/** The one resource of a type whose properties match, or a failure naming what was there. */
export function resourceWhere(
  json: TerraformJson,
  type: string,
  match: (resource: Record<string, any>) => boolean,
  kind: 'resource' | 'data' = 'resource',
): Record<string, any> {
  const found = resourcesOf(json, type, kind).filter(match);
  if (found.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${found.length}`);
  return found[0];
}

/** The state machines' ASL, parsed from the synthesized configuration (Lambda ARNs stay Terraform references). */
export function synthesizedStateMachines(config: FederationConfigInput = EXAMPLE_CONFIG): {
  create: any;
  delete: any;
  sweep: any;
  revoke: any;
  restore: any;
} {
  const json = synthesize(config);
  const names = stateMachineNames(parseConfig(config).namePrefix);
  const byName = (name: string) =>
    JSON.parse(resourceWhere(json, 'aws_sfn_state_machine', (machine) => machine.name === name).definition as string);
  return {
    create: byName(names.create),
    delete: byName(names.delete),
    sweep: byName(names.sweep),
    revoke: byName(names.revoke),
    restore: byName(names.restore),
  };
}

/** The StackSet's template as Terraform hands it to CloudFormation, parsed. */
export function synthesizedMemberTemplate(config: FederationConfigInput = EXAMPLE_CONFIG): any {
  const stackSet = resourcesOf(synthesize(config), 'aws_cloudformation_stack_set')[0];
  return JSON.parse(literalValue(stackSet.template_body as string));
}

/**
 * The value Terraform makes of a synthesized string that holds no interpolation: `$${` reads
 * as `${` and `%%{` as `%{` (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).
 * Throws on an unescaped `${` or `%{`, which Terraform would evaluate.
 */
export function literalValue(text: string): string {
  const sequence = /(?<!\$)\$\{|(?<!%)%\{/.exec(text);
  if (sequence)
    throw new Error(`not a Terraform literal: template sequence at ${sequence.index}: ${text.slice(sequence.index, sequence.index + 40)}`);
  return text.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/**
 * An IAM policy document data source rendered as the policy JSON Terraform would make
 * of it (`statement` blocks → `Statement`), for least-privilege assertions.
 */
export function policyStatements(document: Record<string, any>): Array<Record<string, any>> {
  return (document.statement as Array<Record<string, any>>).map((statement) => ({
    Sid: statement.sid,
    Effect: statement.effect ?? 'Allow',
    Action: statement.actions ?? [],
    Resource: statement.resources ?? [],
    Principal: statement.principals,
    Condition: statement.condition,
  }));
}
