import { Testing } from 'cdktf';
import {
  OTHER_ENV,
  InvalidInputError,
  createLogger,
  silentLogger,
  type LambdaContext,
  type Logger,
  loadLogLevel,
} from '../../../../functions/shared/runtime';
import { LOG_ALARMS } from '../../../../functions/shared/workflow';
import { SecurityAlarms } from '../../../../stacks/security-alarms';
import { provideDeploymentContext } from '../../../../stacks/context';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';

function capture(options: Parameters<typeof createLogger>[0] = {}): { logger: Logger; lines: () => Record<string, any>[] } {
  const raw: string[] = [];
  const logger = createLogger({ ...options, sink: (line) => raw.push(line) });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, any>) };
}

/** Runs `act` with the variables set, then puts the environment back. */
function withEnv<T>(variables: Record<string, string | undefined>, act: () => T): T {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  assign(variables);
  try {
    return act();
  } finally {
    assign(saved);
  }
}

/** What Lambda passes as the handler's second argument (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html). */
function lambdaContext(awsRequestId: string): LambdaContext {
  return {
    awsRequestId,
    functionName: 'web-identity-assign-role-to-audience',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:111111111111:function:web-identity-assign-role-to-audience',
    memoryLimitInMB: '256',
  };
}

describe('createLogger', () => {
  it('writes one JSON line with the level, the message, a timestamp and the fields of the logger and of the call', () => {
    const { logger, lines } = capture();

    logger.child({ function: 'router' }).child({ eventId: 'ev-1' }).info('started', { roleName: 'ci' });

    expect(lines()).toEqual([
      {
        level: 'INFO',
        message: 'started',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        service: 'entra-aws-web-identity',
        sampling_rate: 0,
        function: 'router',
        eventId: 'ev-1',
        roleName: 'ci',
      },
    ]);
  });

  it('puts the request id on every line once the context is added, and says cold start on the first invocation only', () => {
    const { logger, lines } = withEnv({ [OTHER_ENV.initializationType]: 'on-demand' }, () => capture());
    const child = logger.child({ function: 'assign-role-to-audience' });

    logger.addLambdaContext(lambdaContext('req-1'));
    child.info('first');
    child.warn('first again');
    logger.addLambdaContext(lambdaContext('req-2'));
    child.info('second');

    expect(lines().map((line) => [line.message, line.function_request_id, line.cold_start])).toEqual([
      ['first', 'req-1', true],
      ['first again', 'req-1', true],
      ['second', 'req-2', false],
    ]);
    expect(lines()[0]).toMatchObject({
      function_name: 'web-identity-assign-role-to-audience',
      function_arn: 'arn:aws:lambda:eu-central-1:111111111111:function:web-identity-assign-role-to-audience',
      function_memory_size: '256',
    });
  });

  it('masks secret-looking keys at any depth, in arrays and on errors, and keeps the rest', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('token request failed'), { clientAssertion: 'eyJ.assertion', status: 401 });

    logger.error('call failed', {
      accessToken: 'eyJ.top',
      a: { b: { c: { d: { e: { f: { password: 'hunter2', kept: 'visible' } } } } } },
      headers: [{ Authorization: 'Bearer eyJ.header' }],
      privateKey: '-----BEGIN PRIVATE KEY-----',
      error: new Error('outer', { cause: error }),
    });

    const text = JSON.stringify(lines());
    for (const secret of ['eyJ.top', 'hunter2', 'eyJ.header', 'BEGIN PRIVATE KEY', 'eyJ.assertion']) expect(text).not.toContain(secret);
    const [line] = lines();
    expect(line.accessToken).toBe('[redacted]');
    expect(line.a.b.c.d.e.f).toEqual({ password: '[redacted]', kept: 'visible' });
    expect(line.headers).toEqual([{ Authorization: '[redacted]' }]);
    expect(line.error.cause).toMatchObject({ message: 'token request failed', clientAssertion: '[redacted]', status: 401 });
  });

  it('keeps an error’s name, message, stack and cause chain', () => {
    const { logger, lines } = capture();
    const root = new TypeError('socket hang up');
    const error = new Error('STS AssumeRole failed', { cause: root });

    logger.error('task failed', { error });

    const [line] = lines();
    expect(line.error).toMatchObject({ name: 'Error', message: 'STS AssumeRole failed', stack: error.stack });
    expect(line.error.stack).toMatch(/logger\.test\.ts:\d+/);
    expect(line.error.cause).toMatchObject({ name: 'TypeError', message: 'socket hang up', stack: root.stack });
  });

  it('drops the lines below its level', () => {
    const { logger, lines } = capture({ level: 'WARN' });

    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    expect(lines().map((line) => [line.level, line.message])).toEqual([
      ['WARN', 'w'],
      ['ERROR', 'e'],
    ]);
  });

  describe('its level from the environment', () => {
    it('reads POWERTOOLS_LOG_LEVEL when no level is given', () => {
      const { logger, lines } = withEnv({ [OTHER_ENV.logLevel]: 'error', [OTHER_ENV.logLevelAlias]: 'debug' }, () => capture());

      logger.warn('w');
      logger.error('e');

      expect(lines().map((line) => line.message)).toEqual(['e']);
    });

    it('logs debug lines when LOG_LEVEL says so', () => {
      const { logger, lines } = withEnv({ [OTHER_ENV.logLevel]: undefined, [OTHER_ENV.logLevelAlias]: 'DEBUG' }, () => capture());

      logger.debug('d');

      expect(lines().map((line) => line.message)).toEqual(['d']);
    });
  });

  it('keeps the alarm field at the top level, where each security alarm’s metric filter reads it', () => {
    const synthesized = JSON.parse(
      Testing.synthScope((scope) => {
        provideDeploymentContext(scope, { namePrefix: 'web-identity', accountId: '111111111111', region: 'eu-central-1' });
        new SecurityAlarms(scope, 'alarms', {
          logGroupOf: (task) =>
            (scope.node.tryFindChild(`${task}-logs`) as CloudwatchLogGroup | undefined) ??
            new CloudwatchLogGroup(scope, `${task}-logs`, { name: `${task}-logs` }),
          alarmTopic: new SnsTopic(scope, 'alarms-topic', { name: 'alarms' }),
        });
      }),
    ) as { resource: { aws_cloudwatch_log_metric_filter: Record<string, { pattern: string }> } };
    const patterns = Object.values(synthesized.resource.aws_cloudwatch_log_metric_filter).map((filter) => filter.pattern);
    const { logger, lines } = capture();

    for (const alarm of Object.keys(LOG_ALARMS))
      logger.child({ function: 'assign-role-to-audience' }).error('role tagged as failed', { alarm });

    // The JSON filter form `{ $.<key> = "<value>" }` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
    expect(new Set(patterns).size).toBe(Object.keys(LOG_ALARMS).length);
    for (const pattern of patterns) {
      const [, key, value] = /^\{ \$\.(\w+) = "([^"]+)" \}$/.exec(pattern) ?? [];
      expect(lines().filter((line) => line[key!] === value)).toHaveLength(1);
    }
  });

  it('has a silent logger that writes nothing', () => {
    const write = jest.spyOn(process.stdout, 'write');
    try {
      silentLogger.error('nothing', { error: new Error('x') });
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});

describe('loadLogLevel', () => {
  it('prefers POWERTOOLS_LOG_LEVEL over LOG_LEVEL, in any case, and defaults to INFO', () => {
    expect(loadLogLevel({ POWERTOOLS_LOG_LEVEL: 'debug', LOG_LEVEL: 'ERROR' })).toBe('DEBUG');
    expect(loadLogLevel({ LOG_LEVEL: 'warn' })).toBe('WARN');
    expect(loadLogLevel({ POWERTOOLS_LOG_LEVEL: '' })).toBe('INFO');
    expect(loadLogLevel({})).toBe('INFO');
  });

  it('refuses a level Powertools does not know, naming the variable and the fix', () => {
    expect(() => loadLogLevel({ LOG_LEVEL: 'verbose' })).toThrow(InvalidInputError);
    expect(() => loadLogLevel({ LOG_LEVEL: 'verbose' })).toThrow(
      'Lambda environment: LOG_LEVEL is invalid ("verbose"). Fix: set it to one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, or remove it for INFO.',
    );
  });
});
