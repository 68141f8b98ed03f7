import { runSimulation } from '@cloud-copilot/iam-simulate';

/**
 * IAM policy evaluation by an independent implementation (@cloud-copilot/iam-simulate), for
 * the policies the stack synthesizes: the member template's roles (CloudFormation values
 * resolved for one member account) and the central account's policy documents (Terraform
 * `aws_iam_policy_document` blocks rendered as IAM JSON).
 */

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface MemberAccount {
  readonly accountId: string;
  readonly region: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A CloudFormation value as it would be in the given member account: pseudo parameters,
 * `Fn::Sub` over them, `Ref` of a custom resource (its physical ID, given) and `GetAtt … Arn`
 * of a named role.
 */
export function resolveCfn(value: unknown, template: any, account: MemberAccount, refs: Readonly<Record<string, string>> = {}): Json {
  const pseudo: Record<string, string> = { 'AWS::AccountId': account.accountId, 'AWS::Region': account.region, 'AWS::Partition': 'aws' };
  if (Array.isArray(value)) return value.map((item) => resolveCfn(item, template, account, refs));
  if (typeof value !== 'object' || value === null) return value as Json;
  const record = value as Record<string, unknown>;
  if ('Ref' in record) {
    const name = String(record.Ref);
    const resolved = pseudo[name] ?? refs[name];
    if (resolved === undefined) throw new Error(`resolveCfn: no value for Ref ${name}`);
    return resolved;
  }
  if ('Fn::Sub' in record) {
    return String(record['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const resolved = pseudo[name];
      if (resolved === undefined) throw new Error(`resolveCfn: no value for \${${name}}`);
      return resolved;
    });
  }
  if ('Fn::GetAtt' in record) {
    const [logicalId, attribute] = record['Fn::GetAtt'] as [string, string];
    const resource = template.Resources[logicalId];
    if (resource?.Type !== 'AWS::IAM::Role' || attribute !== 'Arn')
      throw new Error(`resolveCfn: cannot resolve GetAtt ${logicalId}.${attribute}`);
    return `arn:aws:iam::${account.accountId}:role/${resource.Properties.RoleName}`;
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, resolveCfn(item, template, account, refs)]));
}

/** A role of the member template in one account: its name, ARN, trust policy and inline policies. */
export function memberRole(template: any, logicalId: string, account: MemberAccount) {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::IAM::Role') throw new Error(`${logicalId} is not a role of the template`);
  const properties = resolveCfn(resource.Properties, template, account) as any;
  return {
    name: properties.RoleName as string,
    arn: `arn:aws:iam::${account.accountId}:role/${properties.RoleName}`,
    trustPolicy: properties.AssumeRolePolicyDocument,
    identityPolicies: (properties.Policies as any[]).map((policy) => ({
      name: policy.PolicyName as string,
      policy: policy.PolicyDocument,
    })),
  };
}

/** Placeholder ARNs for the Terraform references a central policy document holds (its own log group, secret, bus). */
const REFERENCE_PLACEHOLDERS: Readonly<Record<string, string>> = {
  aws_cloudwatch_log_group: 'arn:aws:logs:eu-central-1:111111111111:log-group:/aws/lambda/placeholder',
  aws_secretsmanager_secret: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:placeholder',
  aws_cloudwatch_event_bus: 'arn:aws:events:eu-central-1:111111111111:event-bus/placeholder',
  aws_dynamodb_table: 'arn:aws:dynamodb:eu-central-1:111111111111:table/placeholder',
};

/**
 * An `aws_iam_policy_document` data source as the IAM JSON Terraform renders from it.
 * `${type.name.arn}` references become placeholder ARNs, or the ARN given for that type.
 */
export function terraformPolicy(document: Record<string, any>, references: Readonly<Record<string, string>> = {}) {
  const resolve = (text: string) =>
    text.replace(/\$\{([a-z0-9_]+)\.[^}]+\}/g, (reference, type: string) => {
      const arn = references[type] ?? REFERENCE_PLACEHOLDERS[type];
      if (!arn) throw new Error(`no ARN for the Terraform reference ${reference}`);
      return arn;
    });
  return {
    Version: '2012-10-17',
    Statement: (document.statement as any[]).map((statement) => ({
      ...(statement.sid ? { Sid: statement.sid } : {}),
      Effect: statement.effect ?? 'Allow',
      Action: statement.actions,
      Resource: (statement.resources as string[]).map(resolve),
      ...(statement.principals
        ? { Principal: Object.fromEntries((statement.principals as any[]).map((p) => [p.type, p.identifiers])) }
        : {}),
      ...(statement.condition
        ? {
            Condition: (statement.condition as any[]).reduce<Record<string, Record<string, string[]>>>((all, c) => {
              all[c.test] = { ...all[c.test], [c.variable]: c.values };
              return all;
            }, {}),
          }
        : {}),
    })),
  };
}

export interface EvaluationRequest {
  /** The caller: a session ARN (`arn:aws:sts::…:assumed-role/…`), a role ARN, or a service principal. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identityPolicies?: readonly { name: string; policy: unknown }[];
  readonly resourcePolicy?: unknown;
  /**
   * Request context. iam-simulate fills none in itself, so the caller states what AWS would
   * set for this principal (`sessionContext` below derives the principal's own keys).
   */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/** The global keys IAM sets for a role session: its role's ARN and account (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html). */
export function sessionContext(sessionArn: string, organizationId: string): Record<string, string> {
  const match = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(sessionArn);
  if (!match) throw new Error(`not a role session ARN: ${sessionArn}`);
  return {
    'aws:PrincipalArn': `arn:aws:iam::${match[1]}:role/${match[2]}`,
    'aws:PrincipalAccount': match[1]!,
    'aws:PrincipalOrgID': organizationId,
    'aws:PrincipalType': 'AssumedRole',
  };
}

/** The decision for one request; a request or policy the evaluator rejects fails the test. */
export async function evaluate(request: EvaluationRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: { ...request.context },
      },
      identityPolicies: [...(request.identityPolicies ?? [])],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`iam-simulate refused the request: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
