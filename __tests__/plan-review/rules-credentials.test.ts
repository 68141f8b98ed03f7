import { type ReviewContext, reviewContext } from '../../plan-review/context';
import type { ResourceChange } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import { TYPE_RULES } from '../../plan-review/rules';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { CONTEXT, change, planOf, replacementLookup } from './support';

/**
 * Who may sign in as the automation's application, and where events go: the judges of owners,
 * client secrets and certificates, federated identity credentials, directory roles and event
 * endpoints, on small hand-made plans. The attack each one stops: a pull request that lets
 * someone else sign in as the application (an owner, a secret, a certificate, a federated
 * credential trusting another issuer or subject), or that sends the federation's events out of
 * the central account, and would otherwise get a quieter review.
 */

const review = (rc: ResourceChange, ctx: ReviewContext = CONTEXT) => buildReview(planOf([rc]), replacementLookup(), ctx);
/** `severity kind` of each finding. */
const found = (rc: ResourceChange, ctx: ReviewContext = CONTEXT) => review(rc, ctx).findings.map((f) => `${f.severity} ${f.kind}`);
const only = (rc: ResourceChange, ctx: ReviewContext = CONTEXT) => {
  const { findings } = review(rc, ctx);
  expect(findings).toHaveLength(1);
  return findings[0]!;
};

const CERTIFICATE_MODE = reviewContext(
  parseConfig({
    ...EXAMPLE_CONFIG,
    automationCredential: {
      mode: 'certificate',
      certificatePem: '-----BEGIN CERTIFICATE-----\nMIIBfake0certificate0for0tests0only==\n-----END CERTIFICATE-----\n',
    },
  }),
);

describe('owners of an application or service principal', () => {
  const OWNER = '00000000-0000-4000-8000-00000000000a';
  const ATTACKER = '00000000-0000-4000-8000-0000000000ee';
  const SECOND = '00000000-0000-4000-8000-0000000000ef';
  const owners = (type: string, before: unknown, after: unknown, fields: Partial<ResourceChange> = {}) =>
    change(type, ['update'], {
      before: { display_name: 'automation', owners: before },
      after: { display_name: 'automation', owners: after },
      ...fields,
    });

  it.each(['azuread_application', 'azuread_service_principal'])(
    'blocks an owner added to the %s, naming each owner added and only those: an owner can add a credential and sign in as it',
    (type) => {
      // Act
      const f = only(owners(type, [OWNER], [OWNER, ATTACKER, SECOND]));
      // Assess
      expect(`${f.severity} ${f.kind}`).toBe('blocking application-owner');
      expect(f.message).toContain(`\`${ATTACKER}\`, \`${SECOND}\``);
      expect(f.message).not.toContain(OWNER);
    },
  );

  it('blocks owners known only after apply: nobody can tell who they are', () => {
    // Act
    const f = only(owners('azuread_application', [OWNER], undefined, { afterUnknown: { owners: true } }));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking application-owner');
    expect(f.message).toContain('(known after apply)');
  });

  it('says nothing of owners removed, reordered, or all removed: nobody new can manage the application', () => {
    expect(found(owners('azuread_application', [OWNER, SECOND], [SECOND]))).toEqual([]);
    expect(found(owners('azuread_service_principal', [OWNER, SECOND], [SECOND, OWNER]))).toEqual([]);
    expect(found(owners('azuread_application', [OWNER], null))).toEqual([]);
    expect(found(owners('azuread_application', [OWNER], []))).toEqual([]);
  });

  it('blocks every owner of a created application (it had none before)', () => {
    // Act
    const f = only(change('azuread_application', ['create'], { after: { display_name: 'automation', owners: [ATTACKER] } }));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking application-owner');
    expect(f.message).toContain(ATTACKER);
  });

  it('blocks an owner added by its own resource (azuread_application_owner), and says nothing of one removed', () => {
    // Prepare
    const added = change('azuread_application_owner', ['create'], {
      after: { application_id: '/applications/00000000-0000-4000-8000-000000000001', owner_object_id: ATTACKER },
    });
    const removed = change('azuread_application_owner', ['delete'], {
      before: { application_id: '/applications/00000000-0000-4000-8000-000000000001', owner_object_id: OWNER },
    });
    // Act / Assess
    expect(only(added).message).toContain(ATTACKER);
    expect(found(added)).toEqual(['blocking application-owner']);
    expect(found(removed)).toEqual(['warning destructive-change']);
  });
});

describe('client secrets and certificates', () => {
  const created = (type: string, actions: readonly string[] = ['create']) =>
    change(type, actions, {
      before: actions.includes('delete') || actions[0] === 'update' ? { display_name: 'ci' } : null,
      after: actions[0] === 'delete' && actions.length === 1 ? null : { display_name: actions[0] === 'update' ? 'ci-renamed' : 'ci' },
      afterUnknown: actions[0] === 'delete' && actions.length === 1 ? {} : { value: true, key_id: true },
    });

  it.each([
    ['azuread_application_password', 'client secret'],
    ['azuread_service_principal_password', 'client secret'],
    ['azuread_application_certificate', 'certificate'],
    ['azuread_service_principal_certificate', 'certificate'],
  ])('blocks a new %s (federated mode): whoever holds a %s signs in as the application', (type, what) => {
    // Act
    const f = only(created(type));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking automation-credential');
    expect(f.message).toContain(`a ${what} credential`);
  });

  it('blocks a replaced secret: the replacement is a new secret someone can hold', () => {
    expect(found(created('azuread_application_password', ['delete', 'create']))).toEqual(['blocking automation-credential']);
    expect(found(created('azuread_application_password', ['create', 'delete']))).toEqual(['blocking automation-credential']);
  });

  it('says nothing of a secret deleted or updated in place, beyond the default warning for a destruction: no one gains a sign-in', () => {
    expect(found(created('azuread_application_password', ['delete']))).toEqual(['warning destructive-change']);
    expect(found(created('azuread_service_principal_password', ['update']))).toEqual([]);
    expect(found(created('azuread_application_certificate', ['update']))).toEqual([]);
  });

  it('in certificate mode, asks to confirm a new certificate is the configured one, and still blocks a client secret', () => {
    // Act
    const certificate = only(created('azuread_application_certificate'), CERTIFICATE_MODE);
    // Assess
    expect(`${certificate.severity} ${certificate.kind}`).toBe('warning certificate-credential');
    expect(found(created('azuread_service_principal_certificate'), CERTIFICATE_MODE)).toEqual(['warning certificate-credential']);
    expect(found(created('azuread_application_password'), CERTIFICATE_MODE)).toEqual(['blocking automation-credential']);
    expect(found(created('azuread_service_principal_password'), CERTIFICATE_MODE)).toEqual(['blocking automation-credential']);
  });

  it('blocks a client secret generated with a new application (its `password` block), and says nothing of an application without one', () => {
    // Prepare
    const withSecret = change('azuread_application', ['create'], {
      after: { display_name: 'automation', password: [{ display_name: 'ci' }] },
    });
    const without = change('azuread_application', ['create'], { after: { display_name: 'automation', password: [] } });
    // Act / Assess
    expect(found(withSecret)).toEqual(['blocking automation-credential']);
    expect(found(without)).toEqual([]);
  });
});

describe('federated identity credentials', () => {
  const TYPE = 'azuread_application_federated_identity_credential';
  const OWN = CONTEXT.automationCredential.mode === 'federated' ? CONTEXT.automationCredential : undefined;
  if (!OWN) throw new Error('the example configuration is in federated mode');
  const [CREATE_ROLE, REPAIR_ROLE] = [OWN.subjects[0]!, OWN.subjects[OWN.subjects.length - 1]!];
  const APP = '/applications/00000000-0000-4000-8000-000000000001';
  const own = (subject = CREATE_ROLE) => ({
    application_id: APP,
    display_name: 'create-service-principal',
    issuer: OWN.issuer,
    subject,
    audiences: [OWN.audience],
  });
  const ADDRESS = `${TYPE}.entra-identity_federated-create-service-principal_3D3199FC`;
  const GATEWAY = `${TYPE}.entra-gateway_federated-create-service-principal_0A1B2C3D`;
  const ATTACKER_ISSUER = 'https://token.actions.githubusercontent.com';
  const ATTACKER_SUBJECT = 'repo:attacker/repo:ref:refs/heads/main';

  const created = (after: Record<string, unknown>, fields: Partial<ResourceChange> = {}) =>
    change(TYPE, ['create'], { address: ADDRESS, after, afterUnknown: { id: true, credential_id: true }, ...fields });
  const updated = (before: Record<string, unknown>, after: Record<string, unknown>, fields: Partial<ResourceChange> = {}) =>
    change(TYPE, ['update'], { address: ADDRESS, before, after, ...fields });
  const rowsOf = (rc: ResourceChange, ctx = CONTEXT) => review(rc, ctx).resources[0]!.rows;

  it("is information when it is one of the functions' own outbound federation credentials, naming the function role", () => {
    // Act
    const f = only(created(own()));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('info outbound-federation-credential');
    expect(f.message).toContain(`\`${CREATE_ROLE}\``);
  });

  it('shows issuer, subject and audiences side by side: nothing before a creation, the values on both sides of an update', () => {
    // Act / Assess
    expect(rowsOf(created(own()))).toEqual([
      { label: 'issuer', before: '(none)', after: OWN.issuer },
      { label: 'subject', before: '(none)', after: CREATE_ROLE },
      { label: 'audiences', before: '(none)', after: JSON.stringify([OWN.audience]) },
    ]);
    expect(rowsOf(updated(own(), { ...own(), subject: ATTACKER_SUBJECT }))).toEqual([
      { label: 'issuer', before: OWN.issuer, after: OWN.issuer },
      { label: 'subject', before: CREATE_ROLE, after: ATTACKER_SUBJECT },
      { label: 'audiences', before: JSON.stringify([OWN.audience]), after: JSON.stringify([OWN.audience]) },
    ]);
  });

  it('judges a creation as new, whatever the plan says of before: no before values, and another issuer still blocks', () => {
    // Prepare: a creation whose plan repeats the values as before (Terraform gives null there).
    const foreign = { ...own(), issuer: ATTACKER_ISSUER, subject: ATTACKER_SUBJECT };
    const rc = created(foreign, { before: foreign });
    // Act / Assess
    expect(found(rc)).toEqual(['blocking automation-credential']);
    expect(rowsOf(rc).map((r) => r.before)).toEqual(['(none)', '(none)', '(none)']);
  });

  it.each([
    ['another issuer', { issuer: ATTACKER_ISSUER }],
    ['another subject', { subject: ATTACKER_SUBJECT }],
    ['another audience', { audiences: ['api://attacker'] }],
    ['a second audience', { audiences: [OWN.audience, 'api://attacker'] }],
    ['no audience', { audiences: [] }],
  ])('blocks a new credential trusting %s: tokens it does not mint would sign in as the application', (_, values) => {
    // Act
    const f = only(created({ ...own(), ...values }));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking automation-credential');
    expect(f.message).toContain("not one of the functions' own outbound federation credentials");
  });

  it('names the issuer, subject and audiences a foreign credential trusts, and says which are known only after apply', () => {
    // Act
    const known = only(created({ ...own(), issuer: ATTACKER_ISSUER, subject: ATTACKER_SUBJECT }));
    const { issuer: _i, subject: _s, ...rest } = own();
    const unknown = created(rest, { afterUnknown: { issuer: true, subject: true } });
    // Assess
    expect(known.message).toContain(`tokens from \`${ATTACKER_ISSUER}\` with subject \`${ATTACKER_SUBJECT}\``);
    expect(known.message).toContain(`(audiences \`${JSON.stringify([OWN.audience])}\`)`);
    expect(only(unknown).message).toContain('tokens from `(known after apply)` with subject `(known after apply)`');
    expect(found(unknown)).toEqual(['blocking automation-credential']);
    expect(rowsOf(unknown).map((r) => r.after)).toEqual(['(known after apply)', '(known after apply)', JSON.stringify([OWN.audience])]);
  });

  it("blocks the functions' own issuer and subject on the gateway application: the functions would sign in as the gateway", () => {
    // Act / Assess
    expect(found(created(own(), { address: GATEWAY }))).toEqual(['blocking automation-credential']);
  });

  it("blocks the functions' own issuer and subject at an address of its own that the configuration attaches to the gateway application", () => {
    // Prepare: the attacker names the resource like the automation's credentials.
    const gatewayApp = 'azuread_application.entra-gateway_application_5E6F7A8B';
    const configuration = {
      root_module: {
        resources: [
          { address: ADDRESS, mode: 'managed', expressions: { application_id: { references: [`${gatewayApp}.id`, gatewayApp] } } },
        ],
      },
    };
    // Act
    const r = buildReview(planOf([created(own())], { configuration }), replacementLookup(), CONTEXT);
    // Assess
    expect(r.findings.map((f) => `${f.severity} ${f.kind}`)).toEqual(['blocking automation-credential']);
  });

  it("blocks the functions' own credential whose application expression also refers to something other than an application (a local value picking the gateway)", () => {
    // Prepare: `local.pick ? <automation application>.id : <gateway's ID>`.
    const automationApp = 'azuread_application.entra-identity_application_7F0CAEB8';
    const configuration = {
      root_module: {
        resources: [
          {
            address: ADDRESS,
            mode: 'managed',
            expressions: { application_id: { references: [`${automationApp}.id`, automationApp, 'local.pick'] } },
          },
        ],
      },
    };
    // Act
    const r = buildReview(planOf([created(own())], { configuration }), replacementLookup(), CONTEXT);
    // Assess
    expect(r.findings.map((f) => `${f.severity} ${f.kind}`)).toEqual(['blocking automation-credential']);
  });

  it('blocks every federated credential in certificate mode: the automation signs in with its certificate only', () => {
    // Act / Assess
    expect(found(created(own()), CERTIFICATE_MODE)).toEqual(['blocking automation-credential']);
  });

  it('says nothing of a credential whose issuer, subject, audiences and application do not change', () => {
    // Act / Assess
    expect(found(updated(own(), { ...own(), display_name: 'renamed', description: 'x' }))).toEqual([]);
    expect(found(updated({ ...own(), issuer: ATTACKER_ISSUER }, { ...own(), issuer: ATTACKER_ISSUER, display_name: 'renamed' }))).toEqual(
      [],
    );
  });

  it.each([
    ['issuer', { issuer: ATTACKER_ISSUER }, `\`issuer\` \`${ATTACKER_ISSUER}\``, `(was \`${OWN.issuer}\`)`],
    ['subject', { subject: ATTACKER_SUBJECT }, `\`subject\` \`${ATTACKER_SUBJECT}\``, `(was \`${CREATE_ROLE}\`)`],
    ['audiences', { audiences: ['api://attacker'] }, '`audiences` `["api://attacker"]`', `(was \`${JSON.stringify([OWN.audience])}\`)`],
  ])('blocks a change of %s, naming the new value and the old one: who can sign in as the application changes', (_, values, now, was) => {
    // Act
    const f = only(updated(own(), { ...own(), ...values }));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking automation-credential');
    expect(f.message).toContain(`now trusts ${now} ${was}`);
  });

  it('names every value that changes, and only those', () => {
    // Act
    const f = only(updated(own(), { ...own(), issuer: ATTACKER_ISSUER, subject: ATTACKER_SUBJECT }));
    // Assess
    expect(f.message).toContain(`now trusts \`issuer\` \`${ATTACKER_ISSUER}\`, \`subject\` \`${ATTACKER_SUBJECT}\``);
    expect(f.message).toContain(`(was \`${OWN.issuer}\`, \`${CREATE_ROLE}\`)`);
    expect(f.message).not.toContain('`audiences`');
  });

  it("blocks a change even when the new values are the functions' own: the subject moved to another function role, or the credential re-pointed at the functions' issuer", () => {
    // Prepare
    const anotherRole = updated(own(), own(REPAIR_ROLE));
    const repointed = updated({ ...own(), issuer: ATTACKER_ISSUER, audiences: ['api://attacker'] }, own());
    // Act / Assess
    expect(found(anotherRole)).toEqual(['blocking automation-credential']);
    expect(only(anotherRole).message).toContain(`\`subject\` \`${REPAIR_ROLE}\``);
    expect(found(repointed)).toEqual(['blocking automation-credential']);
    expect(only(repointed).message).toContain('`issuer`');
    expect(only(repointed).message).toContain('`audiences`');
  });

  it('blocks a subject known only after apply on an update, whatever the plan kept of it', () => {
    // Prepare
    const { subject: _s, ...rest } = own();
    // Act
    const f = only(updated(own(), rest, { afterUnknown: { subject: true } }));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking automation-credential');
    expect(f.message).toContain('`subject` `(known after apply)`');
  });

  it("is still said when only the application changes: the functions' own credential is information, another one blocks", () => {
    // Prepare
    const moved = (values: Record<string, unknown>) =>
      change(TYPE, ['delete', 'create'], {
        address: ADDRESS,
        before: values,
        after: { ...values, application_id: '/applications/00000000-0000-4000-8000-000000000099' },
        replacePaths: [['application_id']],
      });
    // Act / Assess
    expect(found(moved(own()))).toEqual(['warning destructive-change', 'info outbound-federation-credential']);
    expect(found(moved({ ...own(), subject: ATTACKER_SUBJECT }))).toEqual(['blocking automation-credential', 'warning destructive-change']);
    expect(only(updated(own(), { ...own(), application_id: 'x' })).kind).toBe('outbound-federation-credential');
  });

  it('says nothing of a deleted credential beyond what its deletion breaks, whatever the plan says of after', () => {
    // Prepare
    const rc = change(TYPE, ['delete'], { address: ADDRESS, before: own(), after: { ...own(), issuer: ATTACKER_ISSUER } });
    // Act
    const r = review(rc);
    // Assess
    expect(r.findings.map((f) => `${f.severity} ${f.kind}`)).toEqual(['warning destructive-change']);
    expect(r.resources[0]!.rows).toEqual([]);
  });
});

describe('directory roles', () => {
  const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

  it.each([
    ['azuread_directory_role_assignment', { role_id: GLOBAL_ADMIN, principal_object_id: 'p' }],
    ['azuread_directory_role_member', { role_object_id: GLOBAL_ADMIN, member_object_id: 'p' }],
  ])('blocks a %s, naming the role when the plan gives it: the automation holds no directory role', (type, after) => {
    // Act
    const f = only(change(type, ['create'], { after }));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking directory-role');
    if ('role_id' in after) expect(f.message).toContain(`(\`${GLOBAL_ADMIN}\`)`);
  });

  it('still blocks an assignment the plan gives no values for', () => {
    // Act
    const f = only(change('azuread_directory_role_assignment', ['create'], { after: null, afterUnknown: {} }));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('blocking directory-role');
    expect(f.message).toContain('`(none)`');
  });

  it('says nothing of a role assignment removed, beyond the default warning for a destruction', () => {
    // Act / Assess
    expect(
      found(change('azuread_directory_role_assignment', ['delete'], { before: { role_id: GLOBAL_ADMIN, principal_object_id: 'p' } })),
    ).toEqual(['warning destructive-change']);
  });
});

describe('event endpoints', () => {
  const CENTRAL = CONTEXT.centralAccountId;
  const ENDPOINTS = [
    ['aws_cloudwatch_event_target', 'arn', 'the event target sends events to'],
    ['aws_lambda_event_source_mapping', 'event_source_arn', 'the function reads events from'],
  ] as const;
  const queue = (account: string, name = 'events') => `arn:aws:sqs:eu-central-1:${account}:${name}`;
  const endpoint = (type: string, attribute: string, actions: readonly string[], before: unknown, after: unknown, unknown = false) =>
    change(type, actions, {
      before: before === undefined ? null : { [attribute]: before },
      after: { [attribute]: after },
      afterUnknown: unknown ? { [attribute]: true } : {},
    });

  it.each(ENDPOINTS)('%s: warns of a new endpoint outside the central account, naming it', (type, attribute, what) => {
    // Act
    const f = only(endpoint(type, attribute, ['create'], undefined, queue('999999999999')));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('warning event-routing-changed');
    expect(f.message).toContain(`${what} \`${queue('999999999999')}\`, outside the central account`);
  });

  it.each(ENDPOINTS)('%s: warns of an endpoint moved to another account', (type, attribute) => {
    // Act
    const f = only(endpoint(type, attribute, ['update'], queue(CENTRAL), queue('999999999999')));
    // Assess
    expect(f.message).toContain(`\`${queue('999999999999')}\`, outside the central account`);
  });

  it.each(ENDPOINTS)('%s: warns of an endpoint that becomes known only after apply: it may be in any account', (type, attribute) => {
    // Act
    const f = only(endpoint(type, attribute, ['update'], queue(CENTRAL), undefined, true));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('warning event-routing-changed');
    expect(f.message).toContain('`(known after apply)`, outside the central account');
  });

  // An event target's `arn` is also a common attribute (a resource's own ARN, which says
  // nothing): a new target whose destination is computed during apply (`replace()` of a queue's
  // ARN) was reviewed as no-findings.
  it.each(ENDPOINTS)('%s: warns of a new endpoint known only after apply', (type, attribute) => {
    // Act
    const f = only(endpoint(type, attribute, ['create'], undefined, undefined, true));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('warning event-routing-changed');
    expect(f.message).toContain('`(known after apply)`, outside the central account');
  });

  it('says nothing of a new target in the central account', () => {
    expect(found(endpoint('aws_cloudwatch_event_target', 'arn', ['create'], undefined, queue(CENTRAL)))).toEqual([]);
  });

  // A queue the plan creates has an ARN known only after apply: one known already exists, and a
  // second reader of the federation's queue takes messages the router then never sees.
  it('warns of a new reader of a queue the plan does not create, even in the central account', () => {
    // Act
    const f = only(endpoint('aws_lambda_event_source_mapping', 'event_source_arn', ['create'], undefined, queue(CENTRAL)));
    // Assess
    expect(`${f.severity} ${f.kind}`).toBe('warning event-routing-changed');
    expect(f.message).toContain(`the function reads events from \`${queue(CENTRAL)}\`, which this plan does not create`);
  });

  it.each(ENDPOINTS)(
    '%s: warns of an endpoint moved within the central account, naming the attribute and the new endpoint (not as outside it)',
    (type, attribute, what) => {
      // Act
      const f = only(endpoint(type, attribute, ['update'], queue(CENTRAL), queue(CENTRAL, 'elsewhere')));
      // Assess
      expect(`${f.severity} ${f.kind}`).toBe('warning event-routing-changed');
      expect(f.message).toContain(`${what}: \`${attribute}\` becomes \`${queue(CENTRAL, 'elsewhere')}\``);
      expect(f.message).not.toContain('outside the central account');
    },
  );

  it('does not call an endpoint that names no account outside the central account', () => {
    // Act
    const f = only(endpoint('aws_cloudwatch_event_target', 'arn', ['update'], queue(CENTRAL), 'not-an-arn'));
    // Assess
    expect(f.message).toContain('`arn` becomes `not-an-arn`');
    expect(f.message).not.toContain('outside the central account');
    expect(found(endpoint('aws_cloudwatch_event_target', 'arn', ['create'], undefined, 'not-an-arn'))).toEqual([]);
  });

  it('reads the account of an ARN that names none (an S3 bucket) as none, and the source account beside it', () => {
    // Prepare: a function permission for S3 events of a bucket, bounded by the central account.
    const rc = change('aws_lambda_permission', ['create'], {
      after: {
        action: 'lambda:InvokeFunction',
        function_name: 'router',
        principal: 's3.amazonaws.com',
        source_arn: 'arn:aws:s3:::bucket',
        source_account: CENTRAL,
      },
    });
    // Act / Assess
    expect(found(rc)).toEqual(['info lambda-permission']);
  });

  it('says nothing of an endpoint of a deleted target (a judge asked directly, as the review never asks on a deletion)', () => {
    // Prepare
    const rc = endpoint('aws_cloudwatch_event_target', 'arn', ['delete'], queue('999999999999'), undefined);
    // Act
    const judged = TYPE_RULES.aws_cloudwatch_event_target!.judged.arn!({
      rc,
      kind: 'delete',
      name: 'arn',
      before: queue('999999999999'),
      after: undefined,
      afterUnknown: false,
      afterSensitive: false,
      ctx: CONTEXT,
      configuration: {},
      policies: [],
      rows: [],
    });
    // Assess
    expect(judged).toEqual([]);
  });
});
