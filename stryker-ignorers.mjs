// @ts-check
// Mutants `npm run mutate` does not make: the wording of log lines and of error messages.
// What a log line or an error says is read by people; what the code decides (the error's class,
// its status and fields, the outcome, what reaches IAM and Graph) stays mutated and must be
// caught. Without this, about a third of all mutants were message text, drowning the real ones.
// Plugin API: https://stryker-mutator.io/docs/stryker-js/configuration/#ignorers-string
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** `logger.info(…)`, `deps.logger.warn(…)`, `console.error(…)`: a statement that only logs. */
function isLogStatement(path) {
  if (!path.isExpressionStatement()) return false;
  const call = path.node.expression;
  if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return false;
  const { object, property } = call.callee;
  if (property.type !== 'Identifier' || !LOG_LEVELS.has(property.name)) return false;
  const owner =
    object.type === 'Identifier'
      ? object.name
      : object.type === 'MemberExpression' && object.property.type === 'Identifier'
        ? object.property.name
        : '';
  return owner === 'logger' || owner === 'console';
}

/**
 * Where an error class takes its message: the credential helper's `HelperError(exitCode, message, …)`
 * second (its exit code, a public interface, stays mutated), every other error first.
 */
const MESSAGE_ARGUMENT = { HelperError: 1 };

/** The message of `new SomeError(message, …)` or of a helper `someError(message, …)`; the other arguments stay mutated. */
function isErrorMessage(path) {
  const parent = path.parentPath;
  if (!parent || !(parent.isNewExpression() || parent.isCallExpression())) return false;
  const { callee, arguments: args } = parent.node;
  if (callee.type !== 'Identifier' || !/Error$/i.test(callee.name)) return false;
  return args[MESSAGE_ARGUMENT[callee.name] ?? 0] === path.node;
}

/** `if (…) logger.warn(…)` with no else: its condition only decides whether a line is logged. */
function isLogOnlyIf(path) {
  if (!path.isIfStatement() || path.node.alternate) return false;
  const consequent = path.get('consequent');
  const statements = consequent.isBlockStatement() ? consequent.get('body') : [consequent];
  return statements.length > 0 && statements.every(isLogStatement);
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'message-text', {
    shouldIgnore(path) {
      if (isLogStatement(path)) return 'log line: its wording is for people';
      if (isLogOnlyIf(path)) return 'a condition that only decides whether a line is logged';
      if (isErrorMessage(path)) return "error message text: the error's class and fields are what callers act on";
      return undefined;
    },
  }),
];
