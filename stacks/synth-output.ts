import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'cdktf';

/**
 * Where `cdktf synth` writes a stack, and in which format. cdktf writes `cdk.tf.json`, or with
 * `cdktf synth --hcl` (which sets SYNTH_HCL_OUTPUT=true for the app) `cdk.tf`, and never removes
 * the other one: after both, the stack folder holds the same resources twice and Terraform
 * refuses the configuration ("Duplicate resource" errors), since it loads every .tf and
 * .tf.json file of a folder (https://developer.hashicorp.com/terraform/language/files).
 */

/**
 * What each format writes in the stack's folder (cdktf/lib/manifest.js `stackFileName`,
 * synthesize/synthesizer.js: HCL adds `metadata.json`); the first file is the configuration.
 */
const STACK_FILES = { json: ['cdk.tf.json'], hcl: ['cdk.tf', 'metadata.json'] } as const;

/**
 * Whether the app writes HCL. The stack's synthesizer takes "true" or "1" in SYNTH_HCL_OUTPUT, the
 * App (which names the file) only "true" (cdktf 0.21 app.js and terraform-stack.js), so "1" would
 * write HCL into cdk.tf.json: "1" is made "true" before the App is created, so both agree.
 */
export function hclOutputRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.SYNTH_HCL_OUTPUT === '1') env.SYNTH_HCL_OUTPUT = 'true';
  return env.SYNTH_HCL_OUTPUT === 'true';
}

/** Removes the other format's file from the stack's folder, and returns the path of the file written. */
export function keepOnlyWrittenFormat(app: App, stackId: string): string {
  const folder = join(app.outdir, 'stacks', stackId);
  const [written, other] = app.hclOutput ? [STACK_FILES.hcl, STACK_FILES.json] : [STACK_FILES.json, STACK_FILES.hcl];
  for (const file of other) rmSync(join(folder, file), { force: true });
  return join(folder, written[0]);
}
