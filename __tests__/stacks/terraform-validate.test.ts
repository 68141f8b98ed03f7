import { Testing } from 'cdktf';
import { parseConfig, type FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { WebIdentityFederationStack } from '../../stacks/federation-stack';
import { literalValue, resourcesOf, synthesize, type TerraformJson } from '../support/synthesized';
import {
  declaredAddresses,
  evaluateWithTerraform,
  everyString,
  foreignTemplateSequences,
  reportSkipped,
  validateWithTerraform,
  withoutOwnReferences,
} from '../support/terraform';

/** Operator free text that reaches the configuration: tags (keys too) and the issuer URL. */
const TEMPLATE_LOOKALIKE_CONFIG: FederationConfigInput = {
  ...EXAMPLE_CONFIG,
  automationCredential: { mode: 'federated', issuerUrl: 'https://issuer.example.com/${AWS::AccountId}/%{x}' },
  tags: { 'cost-center': '${var.cost}', note: '100%{done}', '${key}': 'value' },
};

/** Every string of the file, with its own references replaced, under `terraform validate`. */
function validateSynthesized(json: TerraformJson) {
  const addresses = declaredAddresses(json);
  const strings = everyString(json);
  return validateWithTerraform(
    strings.map(({ text }) => withoutOwnReferences(text, addresses)),
    strings.map(({ path }) => path),
  );
}

function foreignSequencesIn(json: TerraformJson): string[] {
  const addresses = declaredAddresses(json);
  return everyString(json).flatMap(({ path, text }) => foreignTemplateSequences(text, addresses).map((sequence) => `${path}: ${sequence}`));
}

describe("the synthesized configuration under Terraform's own parser", () => {
  it.each([
    ['the example configuration', EXAMPLE_CONFIG],
    ['a configuration whose tags and issuer URL look like templates', TEMPLATE_LOOKALIKE_CONFIG],
  ])('passes terraform validate for every string of %s', (_name, config) => {
    // Prepare
    const json = synthesize(config);

    // Act
    const run = validateSynthesized(json);

    // Assess
    if (!run.ran) return reportSkipped('terraform validate over cdk.tf.json', run);
    expect(run.message).toBe('');
    expect(run.ok).toBe(true);
  });

  it('rejects an unescaped CloudFormation ${AWS::AccountId} (negative control)', () => {
    // Prepare
    const unescaped = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x';

    // Act
    const run = validateWithTerraform(['fine', unescaped], ['control.fine', 'control.unescaped']);

    // Assess
    if (!run.ran) return reportSkipped('terraform validate negative control', run);
    expect(run.ok).toBe(false);
    expect(run.message).toMatch(/^control\.unescaped: Missing open parenthesis/);
    expect(run.message).not.toMatch(/control\.fine/);
  });

  it('hands CloudFormation the member template exactly as the stack wrote it', () => {
    // Prepare
    const stack = new WebIdentityFederationStack(Testing.app(), 'web-identity-federation', parseConfig(EXAMPLE_CONFIG));
    const json = JSON.parse(Testing.synth(stack)) as TerraformJson;
    const templateBody = resourcesOf(json, 'aws_cloudformation_stack_set')[0].template_body as string;

    // Act
    const run = evaluateWithTerraform([templateBody]);

    // Assess
    if (!run.ran) return reportSkipped('terraform evaluation of the template body', run);
    expect(run.message).toBe('');
    expect(run.values).toEqual([JSON.stringify(stack.baseline.template)]);
    expect(run.values).toEqual([expect.stringContaining('"Fn::Sub":"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"')]);
  });

  it("gives the providers the operator's tags and issuer URL unchanged", () => {
    // Prepare
    const json = synthesize(TEMPLATE_LOOKALIKE_CONFIG);
    const tags = (json.provider.aws[0].default_tags as Array<{ tags: Record<string, string> }>)[0].tags;
    const issuer = resourcesOf(json, 'azuread_application_federated_identity_credential')[0].issuer as string;

    // Act
    const run = evaluateWithTerraform([issuer, ...Object.entries(tags).flat()]);

    // Assess
    if (!run.ran) return reportSkipped('terraform evaluation of tags and issuer', run);
    expect(run.message).toBe('');
    const [evaluatedIssuer, ...tagEntries] = run.values as string[];
    expect(evaluatedIssuer).toBe('https://issuer.example.com/${AWS::AccountId}/%{x}');
    const evaluatedTags = Object.fromEntries(
      tagEntries.flatMap((_, index) => (index % 2 ? [] : [[tagEntries[index], tagEntries[index + 1]]])),
    );
    expect(evaluatedTags).toEqual({ ...TEMPLATE_LOOKALIKE_CONFIG.tags, 'managed-by': 'cdktf', system: 'web-identity' });
  });
});

describe('the synthesized configuration, checked without Terraform', () => {
  it.each([
    ['the example configuration', EXAMPLE_CONFIG],
    ['a configuration whose tags and issuer URL look like templates', TEMPLATE_LOOKALIKE_CONFIG],
  ])('holds no ${ or %{ in %s but references to addresses the file declares', (_name, config) => {
    expect(foreignSequencesIn(synthesize(config))).toEqual([]);
  });

  it("reads the member template's Fn::Sub strings back as CloudFormation wrote them", () => {
    const body = resourcesOf(synthesize(), 'aws_cloudformation_stack_set')[0].template_body as string;

    expect(body).toContain('"Fn::Sub":"arn:$${AWS::Partition}:iam::$${AWS::AccountId}:role/*"');
    expect(literalValue(body)).toContain('"Fn::Sub":"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"');
  });

  it('tells a reference to a declared address from every other template sequence (negative control)', () => {
    // Prepare
    const addresses = new Set(['aws_sqs_queue.queue', 'data.aws_iam_policy_document.doc']);

    // Act / Assess
    expect(
      foreignTemplateSequences('${aws_sqs_queue.queue.arn} ${data.aws_iam_policy_document.doc.json} $${AWS::Region}', addresses),
    ).toEqual([]);
    expect(foreignTemplateSequences('arn:${AWS::AccountId}', addresses)).toEqual(['${AWS::AccountId}']);
    expect(foreignTemplateSequences('${aws_sqs_queue.other.arn}', addresses)).toEqual(['${aws_sqs_queue.other.arn}']);
    expect(foreignTemplateSequences('$$${AWS::Region} %{if x}', addresses)).toEqual(['%{if x}']);
  });
});
