import { Logger as PowertoolsLogger, type LogItem } from '@aws-lambda-powertools/logger';
import { loadLogLevel, type LogLevelName } from './settings';

/**
 * Structured logs: one JSON object per line (CloudWatch Logs Insights parses them, the
 * security alarms' metric filters match `$.alarm` on them), written by Powertools for AWS
 * Lambda's logger (https://docs.aws.amazon.com/powertools/typescript/latest/core/logger/):
 * `level`, `message`, `timestamp`, `service`, the Lambda request id (`function_request_id`)
 * and `cold_start` once the handler passed its context, then the caller's fields at the top
 * level. Errors keep their name, message, stack and `cause` chain. Keys that look like
 * credentials are masked at any depth so a careless field never leaks a secret.
 * The cores see only this interface.
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  /**
   * From now on every line of this logger and of its children carries the invocation's request
   * id and whether it is the execution environment's first (cold start). The handlers call it
   * on each invocation.
   */
  addLambdaContext(context: LambdaContext): void;
}

/**
 * The part of the Node.js Lambda context object the log lines carry
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
 */
export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
}

/** Where lines go; Lambda ships stdout to CloudWatch, the simulator writes to stderr. */
export type LogSink = (line: string) => void;

const SECRET_KEY = /token|secret|password|assertion|credential|authorization|private.?key/i;

/**
 * Masks secret-looking keys. A JSON replacer (Powertools' `jsonReplacerFn`) rather than a log
 * formatter: JSON.stringify calls it on every key at every depth, including the fields of an
 * error and of its causes after Powertools' formatter expanded them, and it never follows a
 * cycle (Powertools drops those).
 */
function redact(key: string, value: unknown): unknown {
  return SECRET_KEY.test(key) ? '[redacted]' : value;
}

/** The value of the log lines' `service` key. */
const SERVICE_NAME = 'entra-aws-web-identity';

/**
 * Powertools prints through a `Console` of its own on stdout; this prints through `sink`, so
 * tests and the simulator can take the lines. A class per sink because Powertools may print
 * from inside its constructor (a warning about Lambda's log level), before any field is set.
 */
function sinkLoggerClass(sink: LogSink) {
  return class SinkLogger extends PowertoolsLogger {
    protected override printLog(_logLevel: number, log: LogItem): void {
      log.prepareForPrint();
      sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
    }
  };
}

function wrap(powertools: PowertoolsLogger, base: LogFields): Logger {
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields = {}) =>
      powertools[method](message, { ...base, ...fields });
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => wrap(powertools, { ...base, ...fields }),
    addLambdaContext: (context) => powertools.addContext(context),
  };
}

export interface LoggerOptions {
  /** @default stdout, one line per record */
  readonly sink?: LogSink;
  readonly fields?: LogFields;
  /** @default the environment's (`loadLogLevel`), INFO when unset */
  readonly level?: LogLevelName;
}

/**
 * One Powertools logger; children share it, so the Lambda context (request id, cold start:
 * Powertools counts the first invocation of an instance as the cold one) reaches them all.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const SinkLogger = sinkLoggerClass(sink);
  const powertools = new SinkLogger({
    serviceName: SERVICE_NAME,
    logLevel: options.level ?? loadLogLevel(process.env),
    jsonReplacerFn: redact,
  });
  return wrap(powertools, options.fields ?? {});
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = /* @__PURE__ */ createLogger({ sink: () => undefined, level: 'SILENT' });
