import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReview } from '../../plan-review/markdown';
import { parsePlan } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import type { ReplacementLookup } from '../../plan-review/template';
import { CONTEXT, replacementLookup } from './support';

/**
 * The review of the fixture plans, as Markdown. The expected texts (fixtures/*.review.md) were
 * read line by line against the plans when they were written; any change to the output shows
 * up here as a diff to read again.
 */

const FIXTURES = join(__dirname, 'fixtures');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
let replacing: ReplacementLookup;

beforeAll(() => {
  replacing = replacementLookup();
});

function review(fixture: string, edit: (plan: { resource_changes: unknown[] }) => void = () => undefined): string {
  const json = JSON.parse(read(fixture));
  edit(json);
  return renderReview(buildReview(parsePlan(json, fixture), replacing, CONTEXT));
}

describe('plan review', () => {
  it.each(['widening', 'replacement', 'first-deployment', 'terraform-data'])('prints the expected review of %s.plan.json', (name) => {
    // Act
    const markdown = review(`${name}.plan.json`);
    // Assess
    expect(markdown).toBe(read(`${name}.review.md`));
  });

  it('flags every widening in the widening plan: new actions and `*`, a removed condition, a looser condition, a lifted Deny, a new Graph permission', () => {
    // Act
    const markdown = review('widening.plan.json');
    // Assess
    expect(markdown).toContain('Verdict: 🛑 **blocking**');
    expect(markdown).toContain('new `*` in Action: `states:*`');
    expect(markdown).toContain('new action: `iam:PassRole`');
    expect(markdown).toContain('condition removed: `StringEquals` `aws:SourceAccount`');
    expect(markdown).toContain('condition `StringEquals` `aws:PrincipalOrgID` now also allows `o-otherorg22`');
    expect(markdown).toContain('Deny no longer applies: `iam:UpdateAssumeRolePolicy` on');
    expect(markdown).toContain('new action: `iam:PutRolePolicy`');
    expect(markdown).toContain('grants `Application.ReadWrite.All` (`1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9`)');
    expect(markdown).toContain('- no destructive change to the federation');
  });

  it('keeps the widening review short: documents as diffs, whole documents and long tables folded', () => {
    // Prepare: the lines GitHub shows before anything is unfolded (the review was 474 lines before).
    const lines = review('widening.plan.json').split('\n');
    let depth = 0;
    const outside = lines.filter((line) => {
      if (line.startsWith('<details>')) depth++;
      const shown = depth === 0;
      if (line.startsWith('</details>')) depth--;
      return shown;
    });
    // Assess
    expect(outside.filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(120);
    expect(outside.length).toBeLessThanOrEqual(150);
    expect(outside.some((l) => l.startsWith('```diff'))).toBe(true);
  });

  it('warns about each destructive change to the federation in the replacement plan, with what it breaks', () => {
    // Act
    const markdown = review('replacement.plan.json');
    // Assess
    expect(markdown).toContain('- 🛑 **4 destructive changes to the federation**');
    expect(markdown).toContain(
      '`aws_cloudformation_stack_set_instance.member-baseline_us-east-1-instances_75A875C1`: replaces the member baseline stack instances (target OUs, us-east-1) because `stack_set_instance_region` cannot be updated in place',
    );
    expect(markdown).toContain('`aws_sfn_state_machine.workflows_delete_63907112`: replaces (create before destroy) a federation workflow');
    expect(markdown).toContain(
      '`azuread_application_federated_identity_credential.entra-identity_federated-delete-service-principal_3D3199FC`: deletes',
    );
    expect(markdown).toContain(
      'replaces the Entra OIDC provider `EntraOidcProvider` in every member account: the new provider has none of the audiences',
    );
    expect(markdown).toContain('(CloudFormation replaces it when `Url` changes)');
    expect(markdown).toContain('| aws | 0 | 2 | 2 | 0 |\n| azuread | 0 | 0 | 0 | 1 |');
  });

  it('shows values known only after apply as such, and does not judge a policy it cannot see yet', () => {
    // Act
    const markdown = review('first-deployment.plan.json');
    // Assess
    expect(markdown).toContain(
      '#### `aws_cloudwatch_event_bus_policy.pipeline_bus-policy_B5A59947` (create): bus policy (`policy`) — the new document is (known after apply)',
    );
    expect(markdown).toContain('bus policy (`policy`): the new document is (known after apply): nothing here can judge it');
    expect(markdown).not.toContain('no widened access');
    expect(markdown).toContain('| granted to (service principal) | `(none)` | `(known after apply)` |');
    expect(markdown).toContain(
      'Data sources read only during apply, so their values are (known after apply): `data.aws_iam_policy_document.pipeline_bus-policy-document_5B58B9DE`.',
    );
  });

  it('counts by cloud from provider_name: aws, azuread, and the built-in terraform provider', () => {
    expect(review('widening.plan.json')).toContain('| aws | 0 | 5 | 0 | 0 |\n| azuread | 1 | 0 | 0 | 0 |');
    const builtIn = review('terraform-data.plan.json');
    expect(builtIn).toContain('| terraform | 1 | 1 | 1 | 1 |');
    expect(builtIn).toContain('`output`: `a` → `(known after apply)`');
  });

  it('prints the same text whatever the order of resource_changes', () => {
    // Act
    const reversed = review('replacement.plan.json', (plan) => plan.resource_changes.reverse());
    // Assess
    expect(reversed).toBe(read('replacement.review.md'));
  });

  it('hides sensitive values', () => {
    // Act
    const markdown = review('terraform-data.plan.json', (plan) => {
      const keep = plan.resource_changes[1] as { change: { before_sensitive: object; after_sensitive: object } };
      keep.change.before_sensitive = { input: true };
      keep.change.after_sensitive = { input: true };
    });
    // Assess
    expect(markdown).toContain('`input`: `(sensitive)` → `(sensitive)`');
    expect(markdown).not.toContain('`input`: `a`');
  });
});

describe('plan values cannot write Markdown into the review', () => {
  /** The lines GitHub renders as Markdown: outside fenced code blocks (CommonMark: a fence closes only with at least as many backticks). */
  function outsideFences(markdown: string): string[] {
    const outside: string[] = [];
    let open: string | undefined;
    for (const line of markdown.split('\n')) {
      const fence = /^(`{3,})/.exec(line)?.[1];
      if (open === undefined && fence) open = fence;
      else if (open !== undefined && fence && fence.length >= open.length && /^`+\s*$/.test(line)) open = undefined;
      else if (open === undefined) outside.push(line);
    }
    return outside;
  }

  it('keeps a policy that contains a code fence and a heading inside its code block', () => {
    // Prepare: an attacker's Sid that tries to close the fence and print its own verdict.
    const injected = '```\n\n### ✅ nothing to review here\n\n```';
    // Act
    const markdown = review('widening.plan.json', (plan) => {
      const change = plan.resource_changes[0] as { change: { after: { policy: string } } };
      const doc = JSON.parse(change.change.after.policy);
      doc.Statement[1].Sid = injected;
      change.change.after.policy = JSON.stringify(doc);
    });
    // Assess
    expect(markdown).toContain('nothing to review here'); // shown, as data
    expect(outsideFences(markdown).filter((l) => l.includes('nothing to review here'))).toEqual([]);
  });

  it('keeps a value with backticks, pipes and a newline inside its table cell', () => {
    // Act
    const markdown = review('terraform-data.plan.json', (plan) => {
      const keep = plan.resource_changes[1] as { change: { after: { input: string } } };
      keep.change.after.input = 'b` | **injected** |\n| `x';
    });
    // Assess
    const row = markdown.split('\n').find((l) => l.startsWith('| update | `terraform_data.keep`'))!;
    expect(row).toContain("`b' \\| **injected** \\| \\| 'x`");
    expect(row.split(/(?<!\\)\|/)).toHaveLength(6); // 4 cells: action, resource, cloud, attributes
  });
});
