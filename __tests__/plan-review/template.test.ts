import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type ReplacementLookup, type TemplateComparison, compareTemplates } from '../../plan-review/template';
import { synthesizedMemberTemplate } from '../support/synthesized';
import { CONTEXT, replacementLookup } from './support';

/** The StackSet's member template compared resource by resource, attributes and sections included. */

const handWritten = JSON.parse(
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'widening.plan.json'), 'utf8')).resource_changes.find(
    (rc: { type: string }) => rc.type === 'aws_cloudformation_stack_set',
  ).change.before.template_body,
);
let synthesized: any;
let replacing: ReplacementLookup;

beforeAll(() => {
  replacing = replacementLookup();
  synthesized = synthesizedMemberTemplate();
});

const body = (base: any, edit: (t: any) => void) => {
  const t = structuredClone(base);
  edit(t);
  return JSON.stringify(t);
};
const compare = (before: string, after: string) => compareTemplates(before, after, replacing, CONTEXT);
function compared(result: TemplateComparison) {
  if (result.kind !== 'compared') throw new Error('expected a comparison');
  return result;
}
const kinds = (result: TemplateComparison) =>
  compared(result).resources.flatMap((r) => r.findings.map((f) => `${r.logicalId} ${f.kind} ${f.severity}`));

describe('compareTemplates', () => {
  it('finds no change when only the template text changes', () => {
    expect(compare(JSON.stringify(synthesized), JSON.stringify(synthesized, null, 2))).toEqual({
      kind: 'compared',
      resources: [],
      sections: [],
    });
  });

  it('treats a renamed logical ID as what CloudFormation does with it: the old provider removed, a new one added', () => {
    // Prepare
    const renamed = body(handWritten, (t) => {
      t.Resources.TenantOidcProvider = t.Resources.EntraOidcProvider;
      delete t.Resources.EntraOidcProvider;
    });
    // Act
    const result = compared(compare(JSON.stringify(handWritten), renamed));
    // Assess
    expect(result.resources.map((r) => [r.logicalId, r.change])).toEqual([
      ['EntraOidcProvider', 'removed'],
      ['TenantOidcProvider', 'added'],
    ]);
    expect(result.resources[0].findings[0].message).toMatch(
      /^removes the Entra OIDC provider `EntraOidcProvider` from every member account/,
    );
  });

  it('reports a resource whose Type changes as replaced, with the every-account caution (item 8)', () => {
    // Prepare
    const retyped = body(synthesized, (t) => {
      t.Resources.AutomationPinRole.Type = 'AWS::IAM::User';
    });
    // Act
    const result = compared(compare(JSON.stringify(synthesized), retyped));
    // Assess
    expect(result.resources.map((r) => [r.logicalId, r.change])).toEqual([['AutomationPinRole', 'replaced']]);
    expect(result.resources[0].findings.map((f) => f.message)).toContainEqual(
      expect.stringMatching(/^replaces the role `AutomationPinRole` in every member account: .* \(its type changes to `AWS::IAM::User`\)/),
    );
  });

  it('sees resource attributes: an always-false Condition deletes the resource in every account; DeletionPolicy Delete on the provider (item 1)', () => {
    // Prepare
    const after = body(synthesized, (t) => {
      t.Conditions = { Never: { 'Fn::Equals': ['a', 'b'] } };
      t.Resources.IamEventsForwardingRule.Condition = 'Never';
      t.Resources.EntraOidcProvider.DeletionPolicy = 'Delete';
      t.Resources.AutomationPinRole.UpdateReplacePolicy = 'Delete';
      t.Resources.AutomationPinRole.DependsOn = ['AutomationReaderRole'];
    });
    // Act
    const result = compared(compare(JSON.stringify(synthesized), after));
    // Assess
    expect(kinds(result)).toEqual([
      'AutomationPinRole template-depends-on info',
      'AutomationPinRole template-deletion-policy warning',
      'EntraOidcProvider template-deletion-policy warning',
      'IamEventsForwardingRule template-resource-condition warning',
    ]);
    expect(result.sections.map((s) => [s.name, s.finding.severity])).toEqual([['Conditions', 'warning']]);
  });

  it('judges the template sections: Transform, Parameters and Mappings warn, Outputs inform', () => {
    // Prepare
    const after = body(synthesized, (t) => {
      t.Transform = 'AWS::Serverless-2016-10-31';
      t.Parameters = { Account: { Type: 'String' } };
      t.Mappings = { M: { a: { b: 'c' } } };
      t.Outputs = { ...(t.Outputs ?? {}), Extra: { Value: 'x' } };
    });
    // Act / Assess
    expect(compared(compare(JSON.stringify(synthesized), after)).sections.map((s) => [s.name, s.finding.severity])).toEqual([
      ['Mappings', 'warning'],
      ['Outputs', 'info'],
      ['Parameters', 'warning'],
      ['Transform', 'warning'],
    ]);
  });

  it('reads a trust policy inside Fn::If: both branches count, so `*` in either is found (item 2)', () => {
    // Prepare
    const after = body(synthesized, (t) => {
      const pin = t.Resources.AutomationPinRole.Properties;
      pin.AssumeRolePolicyDocument = {
        'Fn::If': [
          'Always',
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] },
          pin.AssumeRolePolicyDocument,
        ],
      };
    });
    // Act / Assess
    expect(kinds(compare(JSON.stringify(synthesized), after))).toEqual([
      'AutomationPinRole policy-widened warning',
      'AutomationPinRole principal-public warning',
    ]);
  });

  it('says "cannot judge" for a policy built with a function it cannot read, never "no change"', () => {
    // Prepare
    const after = body(synthesized, (t) => {
      t.Resources.AutomationPinRole.Properties.AssumeRolePolicyDocument = { 'Fn::ImportValue': 'shared-trust' };
    });
    // Act / Assess
    expect(kinds(compare(JSON.stringify(synthesized), after))).toEqual(['AutomationPinRole policy-unreadable warning']);
  });

  it('blocks a forwarder role trust that admits a principal other than EventBridge (it could put events on the bus)', () => {
    // Prepare
    const after = body(synthesized, (t) => {
      t.Resources.IamEventsForwarderRole.Properties.AssumeRolePolicyDocument.Statement.push({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
        Action: 'sts:AssumeRole',
      });
    });
    // Act / Assess
    expect(kinds(compare(JSON.stringify(synthesized), after))).toEqual([
      'IamEventsForwarderRole policy-widened warning',
      'IamEventsForwarderRole principal-cross-account warning',
      'IamEventsForwarderRole bus-put-events blocking',
    ]);
  });

  it('warns when the template starts managing the provider audiences (ClientIdList), which would reset those the automation added', () => {
    // Prepare
    const managed = body(synthesized, (t) => {
      t.Resources.EntraOidcProvider.Properties.ClientIdList = ['11111111-2222-3333-4444-555555555555'];
    });
    // Act / Assess
    expect(kinds(compare(JSON.stringify(synthesized), managed))).toEqual(['EntraOidcProvider template-resource-destructive warning']);
  });

  it('marks a role replaced when its RoleName changes (the CloudFormation specification says RoleName replaces)', () => {
    // Prepare
    const renamed = body(synthesized, (t) => {
      t.Resources.AutomationPinRole.Properties.RoleName = 'web-identity-automation-pin-v2';
    });
    // Act
    const result = compared(compare(JSON.stringify(synthesized), renamed));
    // Assess
    expect(result.resources[0]).toMatchObject({ logicalId: 'AutomationPinRole', change: 'replaced' });
    expect(result.resources[0].properties).toEqual([
      { name: 'RoleName', replaces: 'yes', before: 'web-identity-automation-pin', after: 'web-identity-automation-pin-v2' },
    ]);
  });

  it('flags a managed policy attached to a member role and a removed permissions boundary', () => {
    // Prepare
    const before = body(synthesized, (t) => {
      t.Resources.IamEventsForwarderRole.Properties.PermissionsBoundary = 'arn:aws:iam::aws:policy/PowerUserAccess';
    });
    const after = body(synthesized, (t) => {
      t.Resources.IamEventsForwarderRole.Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    });
    // Act / Assess
    expect(kinds(compare(before, after))).toEqual([
      'IamEventsForwarderRole managed-policy-attached warning',
      'IamEventsForwarderRole permissions-boundary-removed warning',
    ]);
  });

  it('does not analyse a resource type it does not know, and says so', () => {
    // Prepare
    const after = body(synthesized, (t) => {
      t.Resources.Backdoor = { Type: 'AWS::SSO::Assignment', Properties: { PrincipalId: 'x' } };
    });
    // Act / Assess
    expect(kinds(compare(JSON.stringify(synthesized), after))).toEqual(['Backdoor template-resource-not-analysed warning']);
  });

  it('does not compare a template with a duplicate key: which one CloudFormation keeps is not documented', () => {
    // Prepare: the second AutomationPinRole (the one JSON.parse keeps) looks harmless.
    const text = JSON.stringify(synthesized);
    const duplicated = text.replace(
      '"AutomationPinRole":',
      '"AutomationPinRole":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"x"}},"AutomationPinRole":',
    );
    // Act / Assess
    expect(compare(text, duplicated)).toEqual({ kind: 'unreadable', side: 'after' });
  });

  it('says so when a template is not JSON (YAML is not compared resource by resource)', () => {
    expect(compare(JSON.stringify(synthesized), 'Resources:\n  X: {}\n')).toEqual({ kind: 'unreadable', side: 'after' });
  });
});

describe('Fn::If in a member-role trust policy (property)', () => {
  const paths = ['', 'Statement', 'Statement.0', 'Statement.0.Principal', 'Statement.0.Condition'];
  const at = (doc: any, path: string) =>
    path
      .split('.')
      .filter(Boolean)
      .reduce((node, key) => node[key], doc);

  it('never yields "no change": the resource and its trust policy are reported, and a `*` branch is found', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), fc.boolean(), (path, other, wideFirst) => {
        // Prepare: wrap one part of the pin role's trust policy in Fn::If, one branch arbitrary.
        const after = body(synthesized, (t) => {
          const trust = t.Resources.AutomationPinRole.Properties.AssumeRolePolicyDocument;
          const wrap = (original: unknown) => ({ 'Fn::If': ['C', other, original] });
          if (path === '') t.Resources.AutomationPinRole.Properties.AssumeRolePolicyDocument = wrap(trust);
          else {
            const keys = path.split('.');
            const parent = at(trust, keys.slice(0, -1).join('.'));
            parent[keys[keys.length - 1]] = wrap(parent[keys[keys.length - 1]]);
          }
        });
        const widened = body(synthesized, (t) => {
          const trust = t.Resources.AutomationPinRole.Properties.AssumeRolePolicyDocument;
          const open = { ...trust.Statement[0], Principal: { AWS: '*' }, Condition: undefined };
          delete open.Condition;
          trust.Statement[0] = { 'Fn::If': ['C', ...(wideFirst ? [open, trust.Statement[0]] : [trust.Statement[0], open])] };
        });
        // Act
        const result = compared(compare(JSON.stringify(synthesized), after));
        const wide = compared(compare(JSON.stringify(synthesized), widened));
        // Assess
        expect(result.resources.map((r) => r.logicalId)).toEqual(['AutomationPinRole']);
        expect(result.resources[0].policies.map((p) => p.label)).toEqual(['trust policy (`AssumeRolePolicyDocument`)']);
        expect(wide.resources[0].findings.map((f) => f.kind)).toContain('principal-public');
      }),
      { seed: 18, numRuns: 60 },
    );
  });
});
