import type { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

/**
 * The trust policy of a role an AWS service assumes on this account's behalf, bounded by
 * `aws:SourceAccount` so the service cannot be made to assume it for another account
 * (the confused-deputy guidance of the IAM User Guide).
 */
export function assumableByService(scope: Construct, service: string, accountId: string): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, 'assume-role-policy', {
    statement: [
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [service] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] }],
      },
    ],
  });
}
