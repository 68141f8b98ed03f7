import { Testing } from 'cdktf';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { terraformLiteral, terraformLiteralJson, terraformLiteralRecord } from '../../stacks/terraform-strings';
import { evaluateWithTerraform, reportSkipped } from '../support/terraform';

describe('terraformLiteral', () => {
  it('writes a literal ${ as $${ and a literal %{ as %%{', () => {
    // Prepare
    const text = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x %{if}';

    // Act
    const escaped = terraformLiteral(text);

    // Assess
    expect(escaped).toBe('arn:$${AWS::Partition}:iam::$${AWS::AccountId}:role/x %%{if}');
  });

  it('leaves $, % and braces alone where they start no template sequence', () => {
    expect(terraformLiteral('a$ b% {c} $$ %% $.Payload States.Format({})')).toBe('a$ b% {c} $$ %% $.Payload States.Format({})');
  });

  it('escapes the keys and values of a tag map', () => {
    expect(terraformLiteralRecord({ '${k}': '%{v}', plain: 'x' })).toEqual({ '$${k}': '%%{v}', plain: 'x' });
  });

  it('keeps references inside embedded JSON as interpolations and escapes the rest', () => {
    // Prepare / Act
    const synthesized = JSON.parse(
      Testing.synthScope((scope) => {
        const topic = new SnsTopic(scope, 'topic', { name: 'topic' });
        new SqsQueue(scope, 'queue', {
          name: 'queue',
          policy: terraformLiteralJson({ Resource: topic.arn, Sub: 'arn:${AWS::AccountId}:${Name}', Directive: '%{if}' }),
        });
      }),
    );

    // Assess
    const policy = Object.values(synthesized.resource.aws_sqs_queue as Record<string, { policy: string }>)[0].policy;
    expect(policy).toBe('{"Resource":"${aws_sns_topic.topic.arn}","Sub":"arn:$${AWS::AccountId}:$${Name}","Directive":"%%{if}"}');
  });

  it('refuses a literal $ right before a reference, which no Terraform string can express', () => {
    const refused = () =>
      Testing.synthScope((scope) => {
        const topic = new SnsTopic(scope, 'topic', { name: 'topic' });
        terraformLiteral(`cost: $${topic.arn}`);
      });

    expect(refused).toThrow(/literal "\$" directly before a Terraform reference/);
  });

  it("reads back as the original text under Terraform's own evaluator", () => {
    // Prepare
    const originals = [
      '${AWS::AccountId}',
      '$${already}',
      '$$${x}',
      '%{if x}',
      '%%{y}',
      '%%%{z}',
      'a$',
      '$',
      '%',
      '{}',
      '${',
      'end$${',
      '${a}${b}%{c}',
    ];

    // Act
    const run = evaluateWithTerraform(originals.map(terraformLiteral));

    // Assess
    if (!run.ran) return reportSkipped('round trip of escaped strings through Terraform', run);
    expect(run.message).toBe('');
    expect(run.values).toEqual(originals);
  });
});
