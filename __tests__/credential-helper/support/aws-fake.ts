/**
 * A loopback AWS query-protocol endpoint for STS AssumeRoleWithWebIdentity and IAM GetRole /
 * GetOpenIDConnectProvider, modelled on the documented examples:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html (response, errors)
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOpenIDConnectProvider.html
 * It evaluates trust policies the way IAM does for web identity: the token's issuer must have
 * an OIDC provider in the account, its audience (azp when present, else aud) must be one of the
 * provider's client IDs, and an Allow statement for that provider must have every
 * StringEquals / StringLike condition on `{provider}:aud` / `{provider}:sub` satisfied.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import { sendXml, startHttpsServer, stopServer, type LoopbackTls } from './https-server';
import { verifyJwt, type JsonWebKeyWithKid } from './entra-fake';

export interface FakeRole {
  arn: string;
  trustPolicy: unknown;
  tags?: Record<string, string>;
}

export interface FakeAccount {
  accountId: string;
  /** Provider URLs without https://, as IAM stores them (e.g. sts.windows.net/{tid}/). */
  providers: { url: string; clientIds: string[] }[];
  roles: FakeRole[];
}

export interface AwsFake {
  url: string;
  /** Query actions received, in order, with " (signed)" when the request carried a SigV4 Authorization header. */
  requests: string[];
  /** RoleSessionName of each AssumeRoleWithWebIdentity that succeeded, in order. */
  sessions: string[];
  stop: () => Promise<void>;
}

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export async function startAwsFake(tls: LoopbackTls, account: FakeAccount, jwks: () => { keys: JsonWebKeyWithKid[] }): Promise<AwsFake> {
  const requests: string[] = [];
  const sessions: string[] = [];
  const { server, url } = await startHttpsServer(tls, (request, body, response) => {
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    requests.push(`${action}${request.headers.authorization ? ' (signed)' : ''}`);
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return assumeRoleWithWebIdentity(form, response);
      case 'GetRole':
        return getRole(form, response);
      case 'GetOpenIDConnectProvider':
        return getProvider(form, response);
      default:
        return error(response, 400, IAM_NS, 'InvalidAction', `Could not find operation ${action}`);
    }
  });

  function assumeRoleWithWebIdentity(form: URLSearchParams, response: ServerResponse) {
    // STS validates the request's members before it reads the token (API reference: RoleSessionName
    // is 2–64 characters of [\w+=,.@-], DurationSeconds 900 to 43,200).
    const sessionName = form.get('RoleSessionName') ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      return error(
        response,
        400,
        STS_NS,
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const duration = Number(form.get('DurationSeconds') ?? 3600);
    if (!(duration >= 900 && duration <= 43200)) {
      return error(
        response,
        400,
        STS_NS,
        'ValidationError',
        `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint`,
      );
    }
    const claims = verifyJwt(form.get('WebIdentityToken') ?? '', jwks());
    if (!claims)
      return error(response, 400, STS_NS, 'InvalidIdentityToken', "Couldn't verify the token signature against the provider's keys");
    const issuer = String(claims.iss ?? '');
    const providerUrl = issuer.replace(/^https:\/\//, '');
    const provider = account.providers.find((candidate) => candidate.url === providerUrl);
    if (!provider)
      return error(response, 400, STS_NS, 'InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${issuer}`);
    const now = Date.now();
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) {
      return error(
        response,
        400,
        STS_NS,
        'ExpiredTokenException',
        `Token expired: current date/time ${Math.floor(now / 1000)} must be before the expiration date/time ${String(claims.exp)}`,
      );
    }
    const audience = String(claims.azp ?? claims.aud ?? '');
    if (!provider.clientIds.includes(audience)) return error(response, 400, STS_NS, 'InvalidIdentityToken', 'Incorrect token audience');
    const role = account.roles.find((candidate) => candidate.arn === form.get('RoleArn'));
    const providerArn = `arn:aws:iam::${account.accountId}:oidc-provider/${providerUrl}`;
    const context: Record<string, string> = { [`${providerUrl}:aud`]: audience, [`${providerUrl}:sub`]: String(claims.sub ?? '') };
    if (!role || !trustAllows(role.trustPolicy, providerArn, context)) {
      return error(response, 403, STS_NS, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    }
    sessions.push(sessionName);
    const roleName = role.arn.split('/').at(-1);
    const expiration = new Date(now + duration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    sendXml(
      response,
      200,
      `<AssumeRoleWithWebIdentityResponse xmlns="${STS_NS}">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${String(claims.sub)}</SubjectFromWebIdentityToken>
    <Audience>${audience}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account.accountId}:assumed-role/${roleName}/${sessionName}</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:${sessionName}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${randomBytes(48).toString('base64')}</SessionToken>
      <SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>
      <Expiration>${expiration}</Expiration>
      <AccessKeyId>ASIA${randomBytes(8).toString('hex').toUpperCase()}</AccessKeyId>
    </Credentials>
    <Provider>${issuer}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`,
    );
  }

  function getRole(form: URLSearchParams, response: ServerResponse) {
    const role = account.roles.find((candidate) => candidate.arn.endsWith(`/${form.get('RoleName')}`));
    if (!role) return error(response, 404, IAM_NS, 'NoSuchEntity', `The role with name ${form.get('RoleName')} cannot be found.`);
    const tags = Object.entries(role.tags ?? {})
      .map(([key, value]) => `<member><Key>${key}</Key><Value>${value}</Value></member>`)
      .join('');
    sendXml(
      response,
      200,
      `<GetRoleResponse xmlns="${IAM_NS}">
  <GetRoleResult>
    <Role>
      <Path>/</Path>
      <AssumeRolePolicyDocument>${encodeURIComponent(JSON.stringify(role.trustPolicy))}</AssumeRolePolicyDocument>
      <RoleId>AROAFP4BKI7Y7TEXAMPLE</RoleId>
      <RoleName>${role.arn.split('/').at(-1)}</RoleName>
      <Arn>${role.arn}</Arn>
      <CreateDate>2019-11-13T16:45:56Z</CreateDate>
      <Tags>${tags}</Tags>
    </Role>
  </GetRoleResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</GetRoleResponse>`,
    );
  }

  function getProvider(form: URLSearchParams, response: ServerResponse) {
    const arn = form.get('OpenIDConnectProviderArn') ?? '';
    const provider = account.providers.find((candidate) => arn === `arn:aws:iam::${account.accountId}:oidc-provider/${candidate.url}`);
    if (!provider) return error(response, 404, IAM_NS, 'NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
    sendXml(
      response,
      200,
      `<GetOpenIDConnectProviderResponse xmlns="${IAM_NS}">
  <GetOpenIDConnectProviderResult>
    <ThumbprintList><member>c3768084dfb3d2b68b7897bf5f565da8eEXAMPLE</member></ThumbprintList>
    <CreateDate>2014-10-09T03:32:51.398Z</CreateDate>
    <ClientIDList>${provider.clientIds.map((id) => `<member>${id}</member>`).join('')}</ClientIDList>
    <Url>${provider.url}</Url>
  </GetOpenIDConnectProviderResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</GetOpenIDConnectProviderResponse>`,
    );
  }

  return { url, requests, sessions, stop: () => stopServer(server as Server) };
}

function trustAllows(policy: unknown, providerArn: string, context: Record<string, string>): boolean {
  const statements = ([] as unknown[]).concat((policy as { Statement?: unknown }).Statement ?? []) as {
    Effect?: string;
    Action?: string | string[];
    Principal?: { Federated?: string | string[] };
    Condition?: Record<string, Record<string, string | string[]>>;
  }[];
  return statements.some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    if (!([] as string[]).concat(statement.Action ?? []).includes('sts:AssumeRoleWithWebIdentity')) return false;
    if (!([] as string[]).concat(statement.Principal?.Federated ?? []).includes(providerArn)) return false;
    return Object.entries(statement.Condition ?? {}).every(([operator, conditions]) =>
      Object.entries(conditions).every(([key, expected]) => {
        const actual = Object.entries(context).find(([contextKey]) => contextKey.toLowerCase() === key.toLowerCase())?.[1];
        if (actual === undefined) return false;
        const values = ([] as string[]).concat(expected);
        if (operator === 'StringEquals') return values.includes(actual);
        if (operator === 'StringLike')
          return values.some((value) => new RegExp(`^${value.split('*').map(escapeRegExp).join('.*')}$`).test(actual));
        return false;
      }),
    );
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function error(response: ServerResponse, status: number, namespace: string, code: string, message: string): void {
  sendXml(
    response,
    status,
    `<ErrorResponse xmlns="${namespace}">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>`,
  );
}
