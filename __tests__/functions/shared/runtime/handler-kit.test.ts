import { z } from 'zod';
import { InvalidInputError, TrustPolicyRewriteError, makeTaskHandler, OTHER_ENV, createLogger } from '../../../../functions/shared/runtime';

const schema = z.object({ accountId: z.string().regex(/^\d{12}$/), roleName: z.string() });

function setUp(core: (deps: { logger: ReturnType<typeof createLogger> }, input: z.infer<typeof schema>) => Promise<object>) {
  const lines: string[] = [];
  let builds = 0;
  const handler = makeTaskHandler({ name: 'demo', schema, core }, () => {
    builds += 1;
    return { logger: createLogger({ sink: (line) => lines.push(line) }) };
  });
  return { handler, lines, builds: () => builds };
}

describe('makeTaskHandler', () => {
  it('returns the whole execution state with the result added, and builds deps once for warm invocations', async () => {
    const { handler, builds } = setUp(async (_deps, input) => ({ seen: input.roleName }));
    const state = { accountId: '111122223333', roleName: 'r', eventId: 'e', extra: { kept: true } };
    expect(await handler(state)).toEqual({ ...state, seen: 'r' });
    await handler(state);
    expect(builds()).toBe(1);
  });

  it('rejects input that does not match the schema with InvalidInputError naming the field', async () => {
    const { handler } = setUp(async () => ({}));
    const failure = handler({ accountId: '12', roleName: 'r' });
    await expect(failure).rejects.toBeInstanceOf(InvalidInputError);
    await expect(failure).rejects.toThrow(/demo input: accountId:/);
  });

  it('puts the refusal reason at the start of a TrustPolicyRewriteError message for RecordFailureOnRole', async () => {
    const { handler } = setUp(async () => {
      throw new TrustPolicyRewriteError('statement 0 uses a wildcard principal', 'wildcard');
    });
    const error = await handler({ accountId: '111122223333', roleName: 'r' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TrustPolicyRewriteError', message: 'wildcard: statement 0 uses a wildcard principal' });
  });

  it('logs one JSON line per outcome with the ids and never the secrets', async () => {
    const { handler, lines } = setUp(async () => ({ accessToken: 'eyJ.secret', ok: true }));
    await handler({ accountId: '111122223333', roleName: 'r', eventId: 'ev-1' });
    const [line] = lines.map((l) => JSON.parse(l));
    expect(line).toMatchObject({ level: 'INFO', function: 'demo', eventId: 'ev-1', accountId: '111122223333', roleName: 'r' });
    expect(lines.join('\n')).not.toContain('eyJ.secret');
  });

  it('logs the Lambda request id of each invocation on its lines, and cold start on the first one only', async () => {
    const { handler, lines } = setUp(async () => ({ ok: true }));
    const state = { accountId: '111122223333', roleName: 'r' };
    const context = (awsRequestId: string) => ({
      awsRequestId,
      functionName: 'demo',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-central-1:111111111111:function:demo',
      memoryLimitInMB: '256',
    });
    const initializationType = process.env[OTHER_ENV.initializationType];
    process.env[OTHER_ENV.initializationType] = 'on-demand'; // as Lambda sets it; read when the logger is built
    try {
      await handler(state, context('req-1'));
      await handler(state, context('req-2'));
    } finally {
      if (initializationType === undefined) delete process.env[OTHER_ENV.initializationType];
      else process.env[OTHER_ENV.initializationType] = initializationType;
    }

    expect(lines.map((l) => JSON.parse(l)).map((line) => [line.function_request_id, line.cold_start])).toEqual([
      ['req-1', true],
      ['req-2', false],
    ]);
  });

  it('retries building deps on the next invocation when the first build failed', async () => {
    let attempts = 0;
    const handler = makeTaskHandler({ name: 'demo', schema, core: async () => ({}) }, () => {
      attempts += 1;
      if (attempts === 1) throw new Error('STS unreachable');
      return { logger: createLogger({ sink: () => undefined }) };
    });
    const state = { accountId: '111122223333', roleName: 'r' };
    await expect(handler(state)).rejects.toThrow('STS unreachable');
    await expect(handler(state)).resolves.toEqual(state);
  });
});
