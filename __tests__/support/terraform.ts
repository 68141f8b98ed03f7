import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerraformJson } from './synthesized';

/**
 * Terraform's own parser and evaluator over the strings of a synthesized configuration.
 * Every string of a `.tf.json` file in an expression position is a template
 * (https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping), so a
 * literal `${` that was not written `$${` is an interpolation. Terraform needs providers to
 * validate the whole file, and none can be downloaded here; the built-in `terraform_data`
 * resource needs none, and its `input` takes any value, so the strings are checked there.
 */

export interface SynthesizedString {
  /** Where in cdk.tf.json, e.g. `resource.aws_iam_role.x.name` (a map key ends in `{key}`). */
  readonly path: string;
  readonly text: string;
}

/**
 * Every string Terraform reads as a template: values and map keys of every block but
 * `terraform` (its settings are constants, read literally: a backend path `a$${b}` names the
 * file `a$${b}`, checked with Terraform 1.11). Block type and name labels are included; they
 * never hold `${`.
 */
export function everyString(json: TerraformJson): SynthesizedString[] {
  const found: SynthesizedString[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') found.push({ path, text: value });
    else if (Array.isArray(value)) for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`);
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        found.push({ path: `${path}{key}`, text: key });
        walk(item, path ? `${path}.${key}` : key);
      }
    }
  };
  const { terraform: _constants, ...blocks } = json as unknown as Record<string, unknown>;
  walk(blocks, '');
  return found;
}

/** The addresses the file declares, as an expression names them (`aws_x.y`, `data.aws_x.y`, `var.v`, `local.l`, `module.m`). */
export function declaredAddresses(json: TerraformJson): Set<string> {
  const file = json as unknown as Record<string, Record<string, Record<string, unknown>> | undefined>;
  const addresses = new Set<string>();
  for (const [type, byName] of Object.entries(file.resource ?? {}))
    for (const name of Object.keys(byName)) addresses.add(`${type}.${name}`);
  for (const [type, byName] of Object.entries(file.data ?? {}))
    for (const name of Object.keys(byName)) addresses.add(`data.${type}.${name}`);
  for (const name of Object.keys(file.variable ?? {})) addresses.add(`var.${name}`);
  for (const name of Object.keys(file.locals ?? {})) addresses.add(`local.${name}`);
  for (const name of Object.keys(file.module ?? {})) addresses.add(`module.${name}`);
  return addresses;
}

/**
 * A `${` or `%{` starts a template sequence unless the character before it is the same
 * sigil: `$${` is the escape, and `$$${` reads as `$` then the escape (Terraform 1.11
 * evaluates "x$$${y}" to "x$${y}").
 */
const TEMPLATE_SEQUENCE = /(?<!\$)\$\{|(?<!%)%\{/g;
/** `${address}` followed by attribute and index steps, as CDKTF writes references. */
const REFERENCE = /^\$\{((?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[(?:"[^"\\]*"|\d+)\])*)\}/;

export const REFERENCE_PLACEHOLDER = 'REFERENCE';

/** `text` with each interpolation that only reads a declared address replaced by a placeholder. */
export function withoutOwnReferences(text: string, addresses: ReadonlySet<string>): string {
  let result = '';
  let from = 0;
  for (const match of text.matchAll(TEMPLATE_SEQUENCE)) {
    if (match.index < from) continue;
    const reference = REFERENCE.exec(text.slice(match.index));
    if (!reference || !addresses.has(reference[1])) continue;
    result += text.slice(from, match.index) + REFERENCE_PLACEHOLDER;
    from = match.index + reference[0].length;
  }
  return result + text.slice(from);
}

/** The template sequences of `text` that are not a reference to a declared address (`[]` when all is literal or ours). */
export function foreignTemplateSequences(text: string, addresses: ReadonlySet<string>): string[] {
  const rest = withoutOwnReferences(text, addresses);
  return [...rest.matchAll(TEMPLATE_SEQUENCE)].map((match) => rest.slice(match.index, match.index + 40));
}

export type TerraformRun =
  | { readonly ran: false; readonly why: string }
  | { readonly ran: true; readonly ok: boolean; readonly message: string; readonly values?: unknown };

/** Whether a `terraform` binary answers on PATH. */
export function terraformAvailable(): boolean {
  const probe = spawnSync('terraform', ['version'], { encoding: 'utf8', env: terraformEnv() });
  return !probe.error && probe.status === 0;
}

function terraformEnv(): NodeJS.ProcessEnv {
  // No update check (it would call out), no CLI configuration from the user's machine.
  return { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
}

function inTerraformDir<T>(
  file: object,
  run: (dir: string, terraform: (...args: string[]) => { status: number | null; out: string }) => T,
): T {
  const dir = mkdtempSync(join(tmpdir(), 'terraform-strings-'));
  try {
    writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(file, null, 2)}\n`);
    const terraform = (...args: string[]) => {
      const result = spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: terraformEnv() });
      return { status: result.status, out: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
    };
    return run(dir, terraform);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `terraform init -backend=false` and `terraform validate` over the strings, each one an
 * element of a `terraform_data` resource's `input`. The message names the offending
 * strings' `labels` (one per string) with Terraform's own diagnostic.
 */
export function validateWithTerraform(
  strings: readonly string[],
  labels: readonly string[] = strings.map((_, index) => `string ${index}`),
): TerraformRun {
  if (!terraformAvailable()) return { ran: false, why: 'no terraform binary on PATH' };
  const file = { resource: { terraform_data: { synthesized_strings: { input: strings } } } };
  // JSON.stringify with indentation puts element i of `input` on line FIRST_LINE + i.
  const firstLine =
    JSON.stringify(file, null, 2)
      .split('\n')
      .findIndex((line) => line.includes('"input"')) + 2;
  return inTerraformDir(file, (_dir, terraform) => {
    const init = terraform('init', '-backend=false', '-input=false', '-no-color');
    if (init.status !== 0) return { ran: true, ok: false, message: `terraform init failed:\n${init.out}` };
    const validate = terraform('validate', '-json', '-no-color');
    let report: {
      valid: boolean;
      diagnostics: Array<{ severity: string; summary: string; detail?: string; range?: { start: { line: number } } }>;
    };
    try {
      report = JSON.parse(validate.out.slice(validate.out.indexOf('{')));
    } catch {
      return { ran: true, ok: false, message: `terraform validate answered no JSON:\n${validate.out}` };
    }
    const errors = report.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    const message = errors
      .map((error) => {
        const line = error.range?.start.line;
        const label = line === undefined ? 'the file' : (labels[line - firstLine] ?? `line ${line}`);
        return `${label}: ${error.summary}${error.detail ? `: ${error.detail}` : ''}`;
      })
      .join('\n');
    return { ran: true, ok: report.valid && errors.length === 0, message };
  });
}

/**
 * What Terraform makes of each string (an output of the list, applied with a local state in a
 * temporary directory, read back with `terraform output -json`): the value a provider would
 * receive. Strings must hold no references.
 */
export function evaluateWithTerraform(strings: readonly string[]): TerraformRun {
  if (!terraformAvailable()) return { ran: false, why: 'no terraform binary on PATH' };
  return inTerraformDir({ output: { strings: { value: strings } } }, (_dir, terraform) => {
    const apply = terraform('apply', '-auto-approve', '-input=false', '-no-color');
    if (apply.status !== 0) return { ran: true, ok: false, message: `terraform apply failed:\n${apply.out}` };
    const output = terraform('output', '-json', 'strings');
    if (output.status !== 0) return { ran: true, ok: false, message: `terraform output failed:\n${output.out}` };
    return { ran: true, ok: true, message: '', values: JSON.parse(output.out) };
  });
}

/** Says in the test output that Terraform's check did not run, and why. */
export function reportSkipped(what: string, run: { readonly why: string }): void {
  console.warn(`NOT RUN: ${what}: ${run.why}. Install Terraform to run this check.`);
}
