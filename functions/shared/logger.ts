/**
 * Structured logs: one JSON object per line (CloudWatch Logs Insights parses them), with
 * a level, a message and the ids that tie a line to an execution or a CloudTrail event.
 * Keys that look like credentials are masked so a careless field never leaks a secret.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Where lines go; Lambda ships stdout to CloudWatch, the simulator writes to stderr. */
export type LogSink = (line: string) => void;

const SECRET_KEY = /token|secret|password|assertion|credential|authorization|private.?key/i;

function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message };
  }
  if (depth > 4 || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => redact(item, depth + 1));
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1)]),
  );
}

export function createLogger(options: { sink?: LogSink; fields?: LogFields; now?: () => Date } = {}): Logger {
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    const record = { time: now().toISOString(), level, message, ...(redact({ ...base, ...fields }) as object) };
    sink(JSON.stringify(record));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => createLogger({ sink, now, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (benchmarks). */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
