import { ROLE_LOCK_ATTRIBUTES } from '../../functions/shared/workflow';

/**
 * The role-lock table of the central account (functions/shared/workflow/role-lock.ts), as the state
 * machines reach it through Step Functions' optimized DynamoDB integration: `PutItem` and
 * `DeleteItem` with a condition expression. The simulator's local pipeline plays Step Functions
 * and calls `putItem` / `deleteItem` with the Task state's effective parameters.
 *
 * What it models, with sources:
 * - the request shapes and the condition expression grammar: comparisons (`=`, `<>`, `<`,
 *   `<=`, `>`, `>=`), `attribute_exists` / `attribute_not_exists`, `AND`, `OR`, `NOT` and
 *   parentheses, with `#name` and `:value` placeholders
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html,
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html);
 *   a placeholder used but not given, or given but not used, is a `ValidationException`
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html);
 * - a condition that does not hold leaves the item unchanged and answers
 *   `ConditionalCheckFailedException` (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html);
 * - numbers (`N`) compare as numbers, strings (`S`) by their UTF-8 bytes; values of different
 *   types are never equal nor ordered;
 * - Step Functions names the errors `DynamoDB.` + the exception
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html).
 *
 * Where it refuses more than DynamoDB: attribute names must be `#placeholders` (DynamoDB
 * accepts plain names that are not reserved words; the model does not carry the reserved word
 * list), and only `S` and `N` values are modelled. A refusal names what is not modelled.
 */

export type AttributeValue = { readonly S: string } | { readonly N: string };
export type Item = Readonly<Record<string, AttributeValue>>;

export interface PutItemParameters {
  readonly TableName?: unknown;
  readonly Item?: unknown;
  readonly ConditionExpression?: unknown;
  readonly ExpressionAttributeNames?: unknown;
  readonly ExpressionAttributeValues?: unknown;
}

export interface DeleteItemParameters {
  readonly TableName?: unknown;
  readonly Key?: unknown;
  readonly ConditionExpression?: unknown;
  readonly ExpressionAttributeNames?: unknown;
  readonly ExpressionAttributeValues?: unknown;
}

/** An error as a Step Functions Task state reports it: `name` is what `Retry`/`Catch` match. */
class DynamoDbIntegrationError extends Error {
  constructor(
    readonly exception: 'ConditionalCheckFailedException' | 'ValidationException' | 'ResourceNotFoundException',
    message: string,
  ) {
    super(`${message} (Service: DynamoDb, Status Code: 400, Error Code: ${exception})`);
    this.name = `DynamoDB.${exception}`;
  }
}

const validation = (message: string) => new DynamoDbIntegrationError('ValidationException', message);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function attributeValue(value: unknown, where: string): AttributeValue {
  if (isRecord(value) && Object.keys(value).length === 1) {
    if (typeof value.S === 'string') return { S: value.S };
    if (typeof value.N === 'string') {
      if (!/^-?\d+(\.\d+)?$/.test(value.N)) throw validation(`${where}: the N value "${value.N}" is not a number`);
      return { N: value.N };
    }
  }
  throw validation(
    `${where}: expected {"S": string} or {"N": "<number>"} (the model handles only these types), got ${JSON.stringify(value)}`,
  );
}

function attributeMap(value: unknown, where: string): Record<string, AttributeValue> {
  if (!isRecord(value)) throw validation(`${where}: expected a map of attribute values`);
  return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, attributeValue(v, `${where}.${name}`)]));
}

// ---------- condition expressions ----------

type Operand = { readonly kind: 'path'; readonly name: string } | { readonly kind: 'value'; readonly value: AttributeValue };
type Condition =
  | { readonly kind: 'compare'; readonly op: string; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'exists'; readonly name: string; readonly exists: boolean }
  | { readonly kind: 'not'; readonly inner: Condition }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition };

const TOKEN = /\s*(<>|<=|>=|[=<>(),]|#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(expression);
    if (!match)
      throw validation(`Invalid ConditionExpression: Syntax error; token: "${expression.slice(TOKEN.lastIndex).trim().split(/\s/)[0]}"`);
    tokens.push(match[1]!);
  }
  return tokens;
}

interface Placeholders {
  readonly names: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, AttributeValue>>;
  readonly usedNames: Set<string>;
  readonly usedValues: Set<string>;
}

function parseCondition(expression: string, placeholders: Placeholders): Condition {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string): string => {
    const token = tokens[at];
    if (token === undefined || (expected !== undefined && token.toUpperCase() !== expected)) {
      throw validation(`Invalid ConditionExpression: Syntax error; expected ${expected ?? 'more'}, got ${token ?? 'the end'}`);
    }
    at += 1;
    return token;
  };
  const name = (token: string): string => {
    if (!token.startsWith('#')) {
      throw validation(
        `ConditionExpression: attribute name "${token}" must be written as a #placeholder (the model does not carry DynamoDB's reserved words)`,
      );
    }
    const resolved = placeholders.names[token];
    if (resolved === undefined) {
      throw validation(
        `Value provided in ExpressionAttributeNames unused in expressions, or an attribute name placeholder is not defined: ${token}`,
      );
    }
    placeholders.usedNames.add(token);
    return resolved;
  };
  const operand = (): Operand => {
    const token = take();
    if (token.startsWith(':')) {
      const value = placeholders.values[token];
      if (value === undefined)
        throw validation(`An expression attribute value used in expression is not defined; attribute value: ${token}`);
      placeholders.usedValues.add(token);
      return { kind: 'value', value };
    }
    return { kind: 'path', name: name(token) };
  };
  const primary = (): Condition => {
    const token = peek();
    if (token === '(') {
      take('(');
      const inner = or();
      take(')');
      return inner;
    }
    if (token && /^NOT$/i.test(token)) {
      take();
      return { kind: 'not', inner: primary() };
    }
    if (token && /^attribute_(not_)?exists$/.test(token)) {
      take();
      take('(');
      const attribute = name(take());
      take(')');
      return { kind: 'exists', name: attribute, exists: token === 'attribute_exists' };
    }
    const left = operand();
    const op = take();
    if (!['=', '<>', '<', '<=', '>', '>='].includes(op)) throw validation(`Invalid ConditionExpression: the model does not handle "${op}"`);
    return { kind: 'compare', op, left, right: operand() };
  };
  const and = (): Condition => {
    let left = primary();
    while (peek() && /^AND$/i.test(peek()!)) {
      take();
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Condition => {
    let left = and();
    while (peek() && /^OR$/i.test(peek()!)) {
      take();
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const condition = or();
  if (at !== tokens.length) throw validation(`Invalid ConditionExpression: Syntax error; token: "${tokens[at]}"`);
  return condition;
}

function compare(op: string, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (!a || !b) return false;
  let order: number;
  if ('N' in a && 'N' in b) order = Number(a.N) - Number(b.N);
  else if ('S' in a && 'S' in b) order = Buffer.compare(Buffer.from(a.S, 'utf8'), Buffer.from(b.S, 'utf8'));
  else return op === '<>';
  switch (op) {
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

function holds(condition: Condition, item: Item | undefined): boolean {
  const resolve = (operand: Operand) => (operand.kind === 'value' ? operand.value : item?.[operand.name]);
  switch (condition.kind) {
    case 'compare':
      return compare(condition.op, resolve(condition.left), resolve(condition.right));
    case 'exists':
      return (item?.[condition.name] !== undefined) === condition.exists;
    case 'not':
      return !holds(condition.inner, item);
    case 'and':
      return holds(condition.left, item) && holds(condition.right, item);
    default:
      return holds(condition.left, item) || holds(condition.right, item);
  }
}

// ---------- the table ----------

export interface DynamoDbTableOptions {
  /** Accepts a TableName: the literal name, or (synthesized definitions) a Terraform reference to the table. */
  readonly accepts?: (tableName: string) => boolean;
}

/** One table with a string partition key (the role locks: `ROLE_LOCK_ATTRIBUTES.key`). */
export class DynamoDbTable {
  private readonly items = new Map<string, Item>();
  /** Requests by operation, refused ones included. */
  readonly calls: Record<'dynamodb:PutItem' | 'dynamodb:DeleteItem', number> = { 'dynamodb:PutItem': 0, 'dynamodb:DeleteItem': 0 };
  /** Answers `ConditionalCheckFailedException`, by operation. */
  readonly conditionFailures: Record<'dynamodb:PutItem' | 'dynamodb:DeleteItem', number> = {
    'dynamodb:PutItem': 0,
    'dynamodb:DeleteItem': 0,
  };

  constructor(
    readonly tableName: string,
    readonly keyAttribute: string = ROLE_LOCK_ATTRIBUTES.key,
    private readonly options: DynamoDbTableOptions = {},
  ) {}

  /** The items, by key (for the simulator's output and tests). */
  snapshot(): Record<string, Item> {
    return Object.fromEntries([...this.items].sort(([a], [b]) => a.localeCompare(b)));
  }

  putItem(parameters: PutItemParameters): Record<string, never> {
    this.calls['dynamodb:PutItem'] += 1;
    this.checkTable(parameters.TableName);
    const item = attributeMap(parameters.Item, 'Item');
    const key = this.keyOf(item, 'Item');
    this.checkCondition('dynamodb:PutItem', parameters, this.items.get(key));
    this.items.set(key, item);
    return {};
  }

  deleteItem(parameters: DeleteItemParameters): Record<string, never> {
    this.calls['dynamodb:DeleteItem'] += 1;
    this.checkTable(parameters.TableName);
    const keyMap = attributeMap(parameters.Key, 'Key');
    if (Object.keys(keyMap).length !== 1) throw validation('The provided key element does not match the schema');
    const key = this.keyOf(keyMap, 'Key');
    this.checkCondition('dynamodb:DeleteItem', parameters, this.items.get(key));
    this.items.delete(key);
    return {};
  }

  private checkTable(tableName: unknown): void {
    const name = String(tableName ?? '');
    const accepted = name === this.tableName || (this.options.accepts?.(name) ?? false);
    if (!accepted)
      throw new DynamoDbIntegrationError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
  }

  private keyOf(item: Record<string, AttributeValue>, where: string): string {
    const key = item[this.keyAttribute];
    if (!key || !('S' in key))
      throw validation(`One or more parameter values were invalid: Missing the key ${this.keyAttribute} in the item (${where})`);
    if (key.S === '')
      throw validation(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${this.keyAttribute}`,
      );
    return key.S;
  }

  private checkCondition(
    operation: 'dynamodb:PutItem' | 'dynamodb:DeleteItem',
    parameters: PutItemParameters | DeleteItemParameters,
    current: Item | undefined,
  ): void {
    const names = parameters.ExpressionAttributeNames === undefined ? {} : parameters.ExpressionAttributeNames;
    if (!isRecord(names) || !Object.values(names).every((v) => typeof v === 'string'))
      throw validation('ExpressionAttributeNames must map placeholders to names');
    const values =
      parameters.ExpressionAttributeValues === undefined
        ? {}
        : attributeMap(parameters.ExpressionAttributeValues, 'ExpressionAttributeValues');
    const placeholders: Placeholders = { names: names as Record<string, string>, values, usedNames: new Set(), usedValues: new Set() };
    const expression = parameters.ConditionExpression;
    const condition = expression === undefined ? undefined : parseCondition(String(expression), placeholders);
    const unusedValues = Object.keys(values).filter((v) => !placeholders.usedValues.has(v));
    if (unusedValues.length > 0)
      throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
    const unusedNames = Object.keys(names).filter((n) => !placeholders.usedNames.has(n));
    if (unusedNames.length > 0)
      throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    if (condition && !holds(condition, current)) {
      this.conditionFailures[operation] += 1;
      throw new DynamoDbIntegrationError('ConditionalCheckFailedException', 'The conditional request failed');
    }
  }
}
