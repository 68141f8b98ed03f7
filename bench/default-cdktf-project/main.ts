// The default cdktf toolchain, as `cdktf init --template=typescript` sets it up
// (ts-node, the CLI's synth), with one resource: the baseline the bench compares against.
import type { Construct } from 'constructs';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';

class OneResourceStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-central-1' });
    new SqsQueue(this, 'queue', { name: 'bench' });
  }
}

const app = new App();
new OneResourceStack(app, 'one-resource');
app.synth();
