import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROLE_TAGS } from '../../functions/shared/workflow';
import { reportSkipped, terraformAvailable } from '../support/terraform';

/**
 * The app teams' Terraform example (examples/terraform-app-team/main.tf, docs/app-teams.md#8-roles-as-code):
 * it must ignore exactly the tags the automation writes (ROLE_TAGS, the one source), set the one
 * the team writes by its own name, leave the trust policy to the automation, and keep away from
 * exclusive management of inline policies. `terraform validate` needs the AWS provider, which
 * cannot be downloaded here: `terraform fmt -check` runs where a terraform binary is on PATH.
 */

const FILE = resolve(__dirname, '..', '..', 'examples', 'terraform-app-team', 'main.tf');
const text = readFileSync(FILE, 'utf8');
/** The file without its comments (`#` to the end of the line, outside strings: the example has no `#` in strings). */
const code = text.replace(/#.*$/gm, '');

function fmtCheck(source: string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'terraform-fmt-'));
  try {
    writeFileSync(join(dir, 'main.tf'), source);
    const result = spawnSync('terraform', ['fmt', '-check', '-no-color', 'main.tf'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('examples/terraform-app-team/main.tf', () => {
  it('ignores exactly the tags the automation writes, and sets entra:owners by its name', () => {
    const block = /ignore_tags\s*\{\s*keys\s*=\s*\[([^\]]*)\]/.exec(code);
    expect(block).not.toBeNull();
    const ignored = [...block![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    const written = Object.values(ROLE_TAGS).filter((tag) => tag !== ROLE_TAGS.owners);
    expect([...ignored].sort()).toEqual([...written].sort());
    expect(code).toContain(`"${ROLE_TAGS.owners}" = var.owners`);
    // The team's own tag is not hidden from Terraform (it must reach the CreateRole call).
    expect(code).not.toMatch(/key_prefixes/);
  });

  it('leaves the trust policy to the automation and manages no inline policy exclusively', () => {
    expect(code).toMatch(/lifecycle\s*\{[^}]*ignore_changes\s*=\s*\[assume_role_policy\]/);
    expect(code).not.toMatch(/\binline_policy\s*\{/);
    expect(code).not.toContain('aws_iam_role_policies_exclusive');
    expect(code).toMatch(/resource "aws_iam_role_policy"/);
  });

  it('is formatted as terraform fmt writes it (and a badly indented copy is not: control)', () => {
    if (!terraformAvailable()) return reportSkipped('terraform fmt -check of the example', { why: 'no terraform binary on PATH' });
    const run = fmtCheck(text);
    expect(run).toEqual({ status: 0, out: '' });
    expect(fmtCheck(text.replace('  name = "payments-deployer"', 'name="payments-deployer"')).status).not.toBe(0);
  });
});
