import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  EntityAlreadyExistsException,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  IAMServiceException,
  LimitExceededException,
  NoSuchEntityException,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { synthesizedMemberTemplate } from '../support/synthesized';

/**
 * The provider function exactly as it ships: the ZipFile string of the synthesized template,
 * loaded as the CommonJS module CloudFormation makes of it (index.js), with the SDK resolved
 * from this project and IAM answered by aws-sdk-client-mock.
 */

type Outcome = { status: 'SUCCESS' | 'FAILED'; reason: string; physicalResourceId: string; data: Record<string, string> };
interface ProviderModule {
  outcomeOf(event: object, iam: IAMClient, wait: (ms: number) => Promise<void>): Promise<Outcome>;
  respond(event: object, outcome: Outcome, request: typeof httpRequest): Promise<void>;
  handler(event: object): Promise<void>;
}

const template = synthesizedMemberTemplate();
const code: string = template.Resources.EntraOidcProviderFunction.Properties.Code.ZipFile;

/** Loads the inline code as index.js; `node:https` may be swapped for a loopback client. */
function load(overrides: Record<string, unknown> = {}): ProviderModule {
  const module = { exports: {} as ProviderModule };
  const requireFor = (id: string) => (id in overrides ? overrides[id] : require(id));
  new Function('exports', 'require', 'module', code)(module.exports, requireFor, module);
  return module.exports;
}

const iam = mockClient(IAMClient);
afterEach(() => iam.reset());
afterAll(() => iam.restore());

const URL = 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/';
const ARN = 'arn:aws:iam::222233334444:oidc-provider/sts.windows.net/00000000-0000-0000-0000-000000000000/';
const event = (requestType: 'Create' | 'Update' | 'Delete', extra: Record<string, unknown> = {}) => ({
  RequestType: requestType,
  ServiceToken: 'arn:aws:lambda:us-east-1:222233334444:function:web-identity-member-baseline-oidc-provider',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/placeholder',
  StackId: 'arn:aws:cloudformation:us-east-1:222233334444:stack/StackSet-web-identity-member-baseline-0000/guid',
  RequestId: 'b5c5a5f0-0000-4000-8000-000000000001',
  LogicalResourceId: 'EntraOidcProvider',
  ResourceType: 'Custom::EntraOidcProvider',
  ResourceProperties: { ServiceToken: 'x', ServiceTimeout: '300', Url: URL, Arn: ARN },
  ...extra,
});
const noWait = async () => undefined;
/** Every IAM command the function sent, by name. */
const sent = () => iam.calls().map((call) => (call.args[0] as object).constructor.name);
/** IAM's answer for an unmodelled error such as AccessDenied (the SDK names it by its code). */
const unmodelled = (name: string) => new IAMServiceException({ name, $fault: 'client', $metadata: {}, message: `${name} for test` });

describe('the OIDC provider custom resource', () => {
  it('creates the provider with its URL only (no client IDs, no thumbprint) when the account has none', async () => {
    iam.on(CreateOpenIDConnectProviderCommand).resolves({ OpenIDConnectProviderArn: ARN });

    const outcome = await load().outcomeOf(event('Create'), new IAMClient({}), noWait);

    expect(outcome).toMatchObject({ status: 'SUCCESS', physicalResourceId: ARN, data: { Arn: ARN, Adopted: 'false' } });
    expect(iam.commandCalls(CreateOpenIDConnectProviderCommand).map((call) => call.args[0].input)).toEqual([{ Url: URL }]);
  });

  it("adopts a provider the account's team created by hand, and leaves its client IDs alone", async () => {
    iam
      .on(CreateOpenIDConnectProviderCommand)
      .rejects(new EntityAlreadyExistsException({ $metadata: {}, message: `Provider with url ${URL} already exists.` }));
    iam.on(GetOpenIDConnectProviderCommand).resolves({ Url: URL.replace('https://', ''), ClientIDList: ['hand-made-app-id'] });

    const outcome = await load().outcomeOf(event('Create'), new IAMClient({}), noWait);

    expect(outcome).toMatchObject({ status: 'SUCCESS', physicalResourceId: ARN, data: { Arn: ARN, Adopted: 'true' } });
    expect(iam.commandCalls(GetOpenIDConnectProviderCommand)[0]?.args[0].input).toEqual({ OpenIDConnectProviderArn: ARN });
    expect(sent()).toEqual(['CreateOpenIDConnectProviderCommand', 'GetOpenIDConnectProviderCommand']);
  });

  it('recognises the older error name EntityAlreadyExists too', async () => {
    iam.on(CreateOpenIDConnectProviderCommand).rejects(unmodelled('EntityAlreadyExists'));
    iam.on(GetOpenIDConnectProviderCommand).resolves({ Url: URL });

    expect(await load().outcomeOf(event('Create'), new IAMClient({}), noWait)).toMatchObject({
      status: 'SUCCESS',
      data: { Adopted: 'true' },
    });
  });

  it('converges on an update: the same provider, adopted, same physical ID', async () => {
    iam.on(CreateOpenIDConnectProviderCommand).rejects(new EntityAlreadyExistsException({ $metadata: {}, message: 'exists' }));
    iam.on(GetOpenIDConnectProviderCommand).resolves({ Url: URL });

    const outcome = await load().outcomeOf(event('Update', { PhysicalResourceId: ARN }), new IAMClient({}), noWait);

    expect(outcome).toMatchObject({ status: 'SUCCESS', physicalResourceId: ARN });
  });

  it('never deletes the provider: a Delete calls nothing and succeeds', async () => {
    const outcome = await load().outcomeOf(event('Delete', { PhysicalResourceId: ARN }), new IAMClient({}), noWait);

    expect(outcome).toMatchObject({ status: 'SUCCESS', physicalResourceId: ARN });
    expect(iam.calls()).toHaveLength(0);
  });

  it('sends no command that could change or remove the audiences or the provider, whatever IAM answers', async () => {
    for (const answer of ['created', 'exists', 'limit'] as const) {
      iam.reset();
      if (answer === 'created') iam.on(CreateOpenIDConnectProviderCommand).resolves({ OpenIDConnectProviderArn: ARN });
      if (answer === 'exists')
        iam.on(CreateOpenIDConnectProviderCommand).rejects(new EntityAlreadyExistsException({ $metadata: {}, message: 'exists' }));
      if (answer === 'limit')
        iam.on(CreateOpenIDConnectProviderCommand).rejects(new LimitExceededException({ $metadata: {}, message: 'limit' }));
      iam.on(GetOpenIDConnectProviderCommand).resolves({ Url: URL });
      for (const type of ['Create', 'Update', 'Delete'] as const)
        await load().outcomeOf(event(type, { PhysicalResourceId: ARN }), new IAMClient({}), noWait);

      const forbidden = [
        AddClientIDToOpenIDConnectProviderCommand,
        RemoveClientIDFromOpenIDConnectProviderCommand,
        UpdateOpenIDConnectProviderThumbprintCommand,
        DeleteOpenIDConnectProviderCommand,
      ].map((command) => command.name);
      expect(sent().filter((name) => forbidden.includes(name))).toEqual([]);
      expect(sent().length).toBeGreaterThan(0);
    }
  });

  it('fails the resource, with the reason, when IAM refuses the provider (and does not throw)', async () => {
    iam
      .on(CreateOpenIDConnectProviderCommand)
      .rejects(new LimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for OpenIdIdpsPerAccount: 100' }));

    const outcome = await load().outcomeOf(event('Create'), new IAMClient({}), noWait);

    expect(outcome).toMatchObject({ status: 'FAILED', physicalResourceId: 'EntraOidcProvider' });
    expect(outcome.reason).toMatch(/Cannot create or adopt https:\/\/sts\.windows\.net\/.*LimitExceededException: Cannot exceed quota/);
  });

  it('fails when the existing provider cannot be read by the ARN its URL gives', async () => {
    iam.on(CreateOpenIDConnectProviderCommand).rejects(new EntityAlreadyExistsException({ $metadata: {}, message: 'exists' }));
    iam.on(GetOpenIDConnectProviderCommand).rejects(new NoSuchEntityException({ $metadata: {}, message: 'not found' }));

    expect(await load().outcomeOf(event('Create'), new IAMClient({}), noWait)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/NoSuchEntity/),
    });
  });

  it("waits for a new role's policy to apply: AccessDenied is retried, three times at most", async () => {
    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
    };
    iam
      .on(CreateOpenIDConnectProviderCommand)
      .rejectsOnce(unmodelled('AccessDenied'))
      .rejectsOnce(unmodelled('AccessDenied'))
      .resolves({ OpenIDConnectProviderArn: ARN });

    expect(await load().outcomeOf(event('Create'), new IAMClient({}), wait)).toMatchObject({ status: 'SUCCESS' });
    expect(waits).toEqual([5000, 10000]);

    iam.reset();
    waits.length = 0;
    iam.on(CreateOpenIDConnectProviderCommand).rejects(unmodelled('AccessDenied'));
    expect(await load().outcomeOf(event('Create'), new IAMClient({}), wait)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/AccessDenied/),
    });
    expect(iam.commandCalls(CreateOpenIDConnectProviderCommand)).toHaveLength(4);
  });

  it('fails, calling nothing, when the template gave no URL', async () => {
    const outcome = await load().outcomeOf(event('Create', { ResourceProperties: { ServiceToken: 'x' } }), new IAMClient({}), noWait);

    expect(outcome).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/ResourceProperties\.Url and \.Arn must be strings/) });
    expect(iam.calls()).toHaveLength(0);
  });
});

describe("the provider function's answer to CloudFormation", () => {
  /** A loopback stand-in for the presigned response URL. */
  async function responseUrl(status = 200) {
    const received: { method?: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?X-Amz-Signature=x`;
    return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('PUTs the outcome as JSON with an empty content-type, as the presigned URL was signed', async () => {
    const target = await responseUrl();
    try {
      const outcome: Outcome = {
        status: 'SUCCESS',
        reason: 'Adopted the existing provider.',
        physicalResourceId: ARN,
        data: { Arn: ARN, Adopted: 'true' },
      };
      await load().respond(event('Create', { ResponseURL: target.url }), outcome, httpRequest);

      expect(target.received).toHaveLength(1);
      expect(target.received[0]).toMatchObject({ method: 'PUT', headers: { 'content-type': '' } });
      expect(JSON.parse(target.received[0]!.body)).toEqual({
        Status: 'SUCCESS',
        Reason: 'Adopted the existing provider.',
        PhysicalResourceId: ARN,
        StackId: event('Create').StackId,
        RequestId: event('Create').RequestId,
        LogicalResourceId: 'EntraOidcProvider',
        Data: { Arn: ARN, Adopted: 'true' },
      });
    } finally {
      await target.close();
    }
  });

  it('rejects when the response URL refuses the answer', async () => {
    const target = await responseUrl(403);
    try {
      await expect(
        load().respond(
          event('Create', { ResponseURL: target.url }),
          { status: 'SUCCESS', reason: '', physicalResourceId: ARN, data: {} },
          httpRequest,
        ),
      ).rejects.toThrow(/answered 403/);
    } finally {
      await target.close();
    }
  });

  it('answers CloudFormation from the handler, for a Delete too', async () => {
    const target = await responseUrl();
    try {
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      // The handler's `node:https` swapped for plain HTTP to the loopback server.
      await load({ 'node:https': { request: httpRequest } }).handler(event('Delete', { ResponseURL: target.url, PhysicalResourceId: ARN }));

      expect(JSON.parse(target.received[0]!.body)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ARN });
      expect(iam.calls()).toHaveLength(0);
      expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({ requestType: 'Delete', status: 'SUCCESS' });
      log.mockRestore();
    } finally {
      await target.close();
    }
  });
});
