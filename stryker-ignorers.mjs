// @ts-check
// Mutants `npm run mutate` does not make: the wording of log lines, of error messages and of the
// credential helper's explanations, and the causes errors carry.
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

/** `{ cause: error }`, the options of an error: the chain a person reads when debugging. */
function isErrorCause(path) {
  if (!path.isObjectExpression()) return false;
  const parent = path.parentPath;
  if (!parent || !(parent.isNewExpression() || parent.isCallExpression())) return false;
  const { callee } = parent.node;
  if (callee.type !== 'Identifier' || !/Error$/i.test(callee.name)) return false;
  return (
    path.node.properties.length > 0 &&
    path.node.properties.every((p) => p.type === 'ObjectProperty' && p.key.type === 'Identifier' && p.key.name === 'cause')
  );
}

/** The value of an `explain:` property: the wording of an explanation the helper prints (its exit code stays mutated). */
function isExplanation(path) {
  const parent = path.parentPath;
  return Boolean(
    parent?.isObjectProperty() &&
      parent.node.value === path.node &&
      parent.node.key.type === 'Identifier' &&
      parent.node.key.name === 'explain',
  );
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'message-text', {
    shouldIgnore(path) {
      if (isLogStatement(path)) return 'log line: its wording is for people';
      if (isLogOnlyIf(path)) return 'a condition that only decides whether a line is logged';
      if (isErrorCause(path)) return "an error's cause: the chain a person reads when debugging";
      if (isExplanation(path)) return "an explanation's wording: the error's exit code is what callers act on";
      if (isErrorMessage(path)) return "error message text: the error's class and fields are what callers act on";
      return undefined;
    },
  }),
];
