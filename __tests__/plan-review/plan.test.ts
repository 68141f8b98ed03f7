import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlanInputError, UnsupportedFormatError } from '../../plan-review/errors';
import { parsePlan } from '../../plan-review/plan';

/** Reading `terraform show -json` (https://developer.hashicorp.com/terraform/internals/json-format). */

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

describe('parsePlan', () => {
  it('reads the plan Terraform 1.11 printed (terraform_data changes of every kind)', () => {
    // Act
    const plan = parsePlan(fixture('terraform-data.plan.json'), 'plan.json');
    // Assess
    expect(plan.formatVersion).toBe('1.2');
    expect(plan.terraformVersion).toBe('1.11.4');
    expect(plan.resourceChanges.map((rc) => [rc.address, rc.actions.join(',')])).toEqual([
      ['terraform_data.gone', 'delete'],
      ['terraform_data.keep', 'update'],
      ['terraform_data.new', 'create'],
      ['terraform_data.swap', 'delete,create'],
    ]);
    expect(plan.resourceChanges[3].replacePaths).toEqual([['triggers_replace']]);
  });

  it('accepts any 1.x format_version and ignores properties it does not know (the format promises compatible minor versions)', () => {
    // Prepare
    const later = { ...fixture('terraform-data.plan.json'), format_version: '1.9', some_future_property: { x: 1 } };
    // Act
    const plan = parsePlan(later, 'plan.json');
    // Assess
    expect(plan.formatVersion).toBe('1.9');
    expect(plan.resourceChanges).toHaveLength(4);
  });

  it('refuses another major format_version with UnsupportedFormatError naming the version', () => {
    // Act
    const act = () => parsePlan(fixture('format-2.plan.json'), 'format-2.plan.json');
    // Assess
    expect(act).toThrow(UnsupportedFormatError);
    expect(act).toThrow(
      /format-2\.plan\.json: format_version "2\.0" is not supported: plan:review reads Terraform's JSON plan format 1\.x/,
    );
    expect(() => parsePlan({ format_version: '0.2' }, 'old.json')).toThrow(UnsupportedFormatError);
  });

  it('refuses a document without format_version, naming the field and the command that makes a plan', () => {
    expect(() => parsePlan({ resource_changes: [] }, 'x.json')).toThrow(PlanInputError);
    expect(() => parsePlan({ resource_changes: [] }, 'x.json')).toThrow(
      'x.json: format_version: missing or not a string; expected the output of "terraform show -json <planfile>"',
    );
    expect(() => parsePlan([], 'x.json')).toThrow('x.json: not a JSON object');
  });

  it('refuses a state (terraform show -json without a plan file) and says how to make a plan', () => {
    // Prepare
    const state = { format_version: '1.0', terraform_version: '1.11.4', values: { root_module: {} } };
    // Act / Assess
    expect(() => parsePlan(state, 'state.json')).toThrow(/this is a state, not a plan; run "terraform show -json <planfile>"/);
  });

  it('names the malformed field of a resource change', () => {
    // Prepare
    const plan = fixture('terraform-data.plan.json');
    plan.resource_changes[2].change.actions = 'create';
    // Act / Assess
    expect(() => parsePlan(plan, 'plan.json')).toThrow(/^plan\.json: resource_changes\[2\]\.change\.actions: /);
  });
});
