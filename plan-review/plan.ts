import { z } from 'zod';
import { PlanInputError, UnsupportedFormatError } from './errors';

/**
 * The part of `terraform show -json <planfile>` the review reads, after Terraform's JSON
 * output format: https://developer.hashicorp.com/terraform/internals/json-format
 * ("Plan Representation" and "Change Representation"). Unknown properties are ignored, as
 * that page asks of consumers, so later 1.x minor versions are read as well.
 */

/** One entry of `resource_changes`: the change to one resource instance (or one deposed object). */
export interface ResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  /** e.g. `registry.terraform.io/hashicorp/aws`, `terraform.io/builtin/terraform`. */
  readonly providerName: string;
  /** Set when the change is to a deposed object of the instance rather than its current one. */
  readonly deposed?: string;
  /** Display hint only; the set of reasons may grow (the format page says so). */
  readonly actionReason?: string;
  readonly actions: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
  /** Same shape as `after`, `true` at every leaf known only after apply. */
  readonly afterUnknown: unknown;
  readonly beforeSensitive: unknown;
  readonly afterSensitive: unknown;
  readonly replacePaths: readonly (readonly (string | number)[])[];
}

export interface Plan {
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  readonly resourceChanges: readonly ResourceChange[];
  /** The configuration representation (expressions and their references), when present. */
  readonly configuration: unknown;
  /** Terraform 1.5+: the plan stopped on an error and is incomplete. */
  readonly errored: boolean;
}

const change = z.looseObject({
  actions: z.array(z.string()).min(1, 'expected at least one action, e.g. ["update"]'),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  after_unknown: z.unknown().optional(),
  before_sensitive: z.unknown().optional(),
  after_sensitive: z.unknown().optional(),
  replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
});

const resourceChange = z.looseObject({
  address: z.string().min(1),
  mode: z.string(),
  type: z.string(),
  name: z.string(),
  provider_name: z.string(),
  deposed: z.string().optional(),
  action_reason: z.string().optional(),
  change,
});

const planShape = z.looseObject({
  terraform_version: z.string().optional(),
  resource_changes: z.array(resourceChange).optional(),
  configuration: z.unknown().optional(),
  errored: z.boolean().optional(),
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i === 0 ? '' : '.'}${String(step)}`)).join('');
}

/** Reads a parsed `terraform show -json` document; `source` names the file in every error. */
export function parsePlan(input: unknown, source: string): Plan {
  const expected = 'expected the output of "terraform show -json <planfile>"';
  if (!isObject(input)) throw new PlanInputError(`${source}: not a JSON object; ${expected}`);
  const version = input.format_version;
  if (typeof version !== 'string') {
    throw new PlanInputError(`${source}: format_version: missing or not a string; ${expected}`);
  }
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (match?.[1] !== '1') {
    throw new UnsupportedFormatError(
      `${source}: format_version "${version}" is not supported: plan:review reads Terraform's JSON plan format 1.x ` +
        '(Terraform 1.0 and later); produce the plan with Terraform 1.x',
    );
  }
  if (!('resource_changes' in input) && !('planned_values' in input) && 'values' in input) {
    throw new PlanInputError(
      `${source}: this is a state, not a plan; run "terraform show -json <planfile>" on a saved plan (terraform plan -out=<planfile>)`,
    );
  }
  const parsed = planShape.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlanInputError(`${source}: ${fieldPath(issue.path) || '(document)'}: ${issue.message}; ${expected}`);
  }
  const plan = parsed.data;
  return {
    formatVersion: version,
    terraformVersion: plan.terraform_version,
    configuration: plan.configuration,
    errored: plan.errored === true,
    resourceChanges: (plan.resource_changes ?? []).map((rc) => ({
      address: rc.address,
      mode: rc.mode,
      type: rc.type,
      name: rc.name,
      providerName: rc.provider_name,
      deposed: rc.deposed,
      actionReason: rc.action_reason,
      actions: rc.change.actions,
      before: rc.change.before ?? null,
      after: rc.change.after ?? null,
      afterUnknown: rc.change.after_unknown ?? {},
      beforeSensitive: rc.change.before_sensitive ?? {},
      afterSensitive: rc.change.after_sensitive ?? {},
      replacePaths: rc.change.replace_paths ?? [],
    })),
  };
}
