import { diagnose, type DiagnoseInput, type TrustPolicy } from '../../credential-helper/doctor';
import type { EntraTokenClaims } from '../../credential-helper/jwt';

// Claims shaped like the v1 app-only access token example in
// https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const APP_ID = '00001111-aaaa-2222-bbbb-3333cccc4444';
const SP = '11112222-bbbb-3333-cccc-4444dddd5555';
const PROVIDER = `sts.windows.net/${TENANT}/`;
const NOW = new Date('2026-03-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

const v1Claims: EntraTokenClaims = {
  aud: APP_ID,
  iss: `https://sts.windows.net/${TENANT}/`,
  appid: APP_ID,
  oid: SP,
  sub: SP,
  tid: TENANT,
  ver: '1.0',
  iat: nowSeconds - 60,
  nbf: nowSeconds - 60,
  exp: nowSeconds + 3540,
};

function policy(condition: Record<string, Record<string, string | string[]>>, provider = PROVIDER): TrustPolicy {
  return {
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${provider}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
      },
    ],
  };
}

const automationPolicy = policy({ StringEquals: { [`${PROVIDER}:aud`]: APP_ID, [`${PROVIDER}:sub`]: SP } });

function failed(claims: EntraTokenClaims, trustPolicy: TrustPolicy, providerClientIds: string[] | undefined = [APP_ID]) {
  return diagnose({ claims, trustPolicy, providerClientIds, now: NOW })
    .findings.filter((finding) => !finding.ok)
    .map((finding) => finding.check);
}

describe('doctor diagnose', () => {
  it('passes every check for the token the automation trusts', () => {
    expect(failed(v1Claims, automationPolicy)).toEqual([]);
  });

  it('reads the audience from azp when present, as IAM does for v2 tokens', () => {
    // Prepare: a v2 token whose aud differs from azp; the v2 provider's policy names azp
    const v2Provider = `login.microsoftonline.com/${TENANT}/v2.0`;
    const claims = { ...v1Claims, iss: `https://${v2Provider}`, ver: '2.0', aud: 'api://something-else', azp: APP_ID };

    // Act
    const result = failed(claims, policy({ StringEquals: { [`${v2Provider}:aud`]: APP_ID, [`${v2Provider}:sub`]: SP } }, v2Provider));

    // Assess
    expect(result).toEqual([]);
  });

  it('flags issuer and token version for a v2 token against a v1 provider', () => {
    const claims = { ...v1Claims, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, ver: '2.0', azp: APP_ID };
    const diagnosis = diagnose({ claims, trustPolicy: automationPolicy, providerClientIds: [APP_ID], now: NOW });
    const issuer = diagnosis.findings.find((finding) => finding.check === 'issuer');
    expect(issuer?.ok).toBe(false);
    expect(issuer?.fix).toContain('requestedAccessTokenVersion null or 1');
    expect(diagnosis.findings.find((finding) => finding.check === 'token version')?.ok).toBe(false);
  });

  it('names the tenant when the token comes from another tenant', () => {
    const other = '99999999-0000-cccc-1111-dddd2222eeee';
    const diagnosis = diagnose({
      claims: { ...v1Claims, iss: `https://sts.windows.net/${other}/`, tid: other },
      trustPolicy: automationPolicy,
      now: NOW,
    });
    expect(diagnosis.findings.find((finding) => finding.check === 'issuer')?.fix).toContain(
      `from tenant ${other}, the role trusts tenant ${TENANT}`,
    );
  });

  it('flags a wrong sub and a wrong audience separately', () => {
    expect(failed({ ...v1Claims, sub: 'ffffeeee-dddd-cccc-bbbb-aaaa99998888' }, automationPolicy)).toEqual(['subject']);
    const otherApp = '22223333-cccc-4444-dddd-5555eeee6666';
    expect(failed({ ...v1Claims, aud: otherApp }, automationPolicy, [APP_ID, otherApp])).toEqual(['audience']);
  });

  it('flags an audience missing from the provider client IDs', () => {
    expect(failed(v1Claims, automationPolicy, ['22223333-cccc-4444-dddd-5555eeee6666'])).toEqual(['provider client IDs']);
  });

  it('treats StringEquals literally and StringLike with wildcards', () => {
    expect(failed(v1Claims, policy({ StringEquals: { [`${PROVIDER}:sub`]: '*' } }))).toEqual(['subject']);
    expect(failed(v1Claims, policy({ StringLike: { [`${PROVIDER}:sub`]: '11112222-*' } }))).toEqual([]);
  });

  it('matches condition keys case-insensitively, as IAM does', () => {
    expect(failed(v1Claims, policy({ StringEquals: { [`${PROVIDER.toUpperCase()}:SUB`]: SP } }))).toEqual([]);
  });

  it('flags an expired token and a token from the future', () => {
    expect(failed({ ...v1Claims, exp: nowSeconds - 1 }, automationPolicy)).toEqual(['expiry']);
    expect(failed({ ...v1Claims, nbf: nowSeconds + 3600 }, automationPolicy)).toEqual(['expiry']);
  });

  it('flags a policy with no web identity statement', () => {
    const awsPrincipal: TrustPolicy = {
      Statement: [
        { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/corp' }, Action: 'sts:AssumeRoleWithSAML' },
      ],
    };
    expect(failed(v1Claims, awsPrincipal)).toContain('issuer');
  });

  it('notes what it did not check instead of passing it silently', () => {
    const diagnosis = diagnose({
      claims: v1Claims,
      trustPolicy: policy({ StringEquals: { [`${PROVIDER}:aud`]: APP_ID }, ForAnyValue: { [`${PROVIDER}:sub`]: SP } }),
      now: NOW,
    });
    expect(diagnosis.notes.join('\n')).toMatch(/ForAnyValue on .*:sub was not evaluated/);
    expect(diagnosis.notes.join('\n')).toContain('no :sub condition');
    expect(diagnosis.notes.join('\n')).toContain('client ID list was not checked');
  });
});

describe('doctor fixes name the token source', () => {
  const GATEWAY = '0a0a0a0a-1111-4222-8333-444455556666';
  const MI = { clientId: 'a2a2a2a2-2222-4333-8444-555566667777', sp: 'b2b2b2b2-2222-4333-8444-555566667777' };
  const sharedPolicy = (sub: string) => policy({ StringEquals: { [`${PROVIDER}:aud`]: GATEWAY, [`${PROVIDER}:sub`]: sub } });

  function fixOf(input: Omit<DiagnoseInput, 'now'>, check: string): string | undefined {
    return diagnose({ ...input, now: NOW }).findings.find((finding) => finding.check === check && !finding.ok)?.fix;
  }

  it('tells a managed identity its sub is its own object ID, and how to name it in the trust policy', () => {
    const claims = { ...v1Claims, aud: GATEWAY, appid: MI.clientId, sub: MI.sp, oid: MI.sp };
    const fix = fixOf(
      {
        claims,
        trustPolicy: sharedPolicy(SP),
        providerClientIds: [GATEWAY],
        source: { kind: 'managed-identity', audience: GATEWAY, clientId: MI.clientId },
      },
      'subject',
    );
    expect(fix).toContain(`object ID of this managed identity's service principal (client ID ${MI.clientId})`);
    expect(fix).toContain(`StringEquals ${PROVIDER}:sub = ${MI.sp}`);
  });

  it('tells a federated workload to sign in as the role application, with a federated credential', () => {
    const fix = fixOf(
      {
        claims: v1Claims,
        trustPolicy: automationPolicy,
        providerClientIds: [APP_ID],
        source: { kind: 'github-actions', audience: APP_ID, clientId: APP_ID },
      },
      'subject',
    );
    expect(fix).toBeUndefined();
    const mismatch = fixOf(
      {
        claims: { ...v1Claims, sub: 'ffffeeee-dddd-cccc-bbbb-aaaa99998888' },
        trustPolicy: automationPolicy,
        providerClientIds: [APP_ID],
        source: { kind: 'workload-identity', audience: APP_ID, clientId: APP_ID },
      },
      'subject',
    );
    expect(mismatch).toContain('--client-id (or AZURE_CLIENT_ID)');
    expect(mismatch).toContain('federated credential');
  });

  it('names --audience for a managed identity that asked for the wrong application', () => {
    const claims = { ...v1Claims, aud: APP_ID, appid: MI.clientId, sub: MI.sp };
    const fix = fixOf(
      {
        claims,
        trustPolicy: sharedPolicy(MI.sp),
        providerClientIds: [GATEWAY, APP_ID],
        source: { kind: 'managed-identity', audience: APP_ID, clientId: MI.clientId },
      },
      'audience',
    );
    expect(fix).toContain(`use --audience ${GATEWAY}`);
  });

  it('names an explicit --audience that differs from what the role expects', () => {
    const other = '22223333-cccc-4444-dddd-5555eeee6666';
    const fix = fixOf(
      {
        claims: { ...v1Claims, aud: other },
        trustPolicy: automationPolicy,
        providerClientIds: [APP_ID, other],
        source: { kind: 'certificate', audience: other, clientId: APP_ID },
      },
      'audience',
    );
    expect(fix).toContain(`requested for --audience ${other}; the role expects ${APP_ID}`);
  });

  it('explains that a v2 token cannot serve the shared audience: IAM reads azp, the client, not the audience', () => {
    const v2Provider = `login.microsoftonline.com/${TENANT}/v2.0`;
    const claims = { ...v1Claims, iss: `https://${v2Provider}`, ver: '2.0', aud: GATEWAY, azp: APP_ID };
    const trustPolicy = policy({ StringEquals: { [`${v2Provider}:aud`]: GATEWAY, [`${v2Provider}:sub`]: SP } }, v2Provider);
    const fix = fixOf(
      { claims, trustPolicy, providerClientIds: [GATEWAY], source: { kind: 'certificate', audience: GATEWAY, clientId: APP_ID } },
      'audience',
    );
    expect(fix).toContain('IAM reads :aud from azp');
    expect(fix).toContain('must issue v1 tokens');
  });

  it('explains an audience requested by URI against a role that expects the application ID', () => {
    const claims = { ...v1Claims, aud: 'api://entra-aws-gateway' };
    const input = {
      claims,
      trustPolicy: sharedPolicy(SP),
      providerClientIds: [GATEWAY],
      source: { kind: 'certificate' as const, audience: 'api://entra-aws-gateway', clientId: APP_ID },
    };
    expect(fixOf(input, 'audience')).toContain(
      `the URI it was requested by (a v1 token carries the resource as requested), but the role expects an application ID: use --audience ${GATEWAY}`,
    );
    expect(fixOf(input, 'provider client IDs')).toContain('request it by application ID');
  });

  it("tells a managed identity of another tenant that it cannot sign in to the role's tenant", () => {
    const other = '99999999-0000-cccc-1111-dddd2222eeee';
    const fix = fixOf(
      {
        claims: { ...v1Claims, iss: `https://sts.windows.net/${other}/`, tid: other },
        trustPolicy: automationPolicy,
        source: { kind: 'managed-identity', audience: APP_ID },
      },
      'issuer',
    );
    expect(fix).toContain(`The managed identity belongs to tenant ${other}`);
  });
});
