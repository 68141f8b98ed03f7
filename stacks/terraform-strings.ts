/**
 * Terraform reads every string of a `.tf.json` file where an expression is expected
 * (attribute values, and the keys of maps) as a string template: `${…}` starts an
 * interpolation and `%{…}` a directive, and a literal `${` or `%{` must be written `$${` or
 * `%%{`. Sources: "Strings and Templates", Escape Sequences
 * (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences),
 * and "JSON Configuration Syntax", Expression Mapping
 * (https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping).
 *
 * So every string the stack takes from elsewhere (a CloudFormation template whose `Fn::Sub`
 * strings hold `${AWS::AccountId}`, a state machine definition, an event pattern, the
 * operator's tags) goes through `terraformLiteral` before it reaches a resource.
 *
 * CDKTF's references are not literals: until synthesis resolves them they are markers
 * `${TfToken[…]}` inside the string, and they must stay interpolations. Escaping therefore
 * happens here, on the string that still holds the markers, never on the synthesized JSON.
 */

const CDKTF_TOKEN_MARKER = '${TfToken[';

/**
 * `text` as a Terraform string that evaluates to exactly `text`, with CDKTF's reference
 * markers left to become interpolations. A `$` right before a reference cannot be written
 * (Terraform would read `$${` as the escape): that throws rather than change the reference.
 */
export function terraformLiteral(text: string): string {
  // A replacer function: in a replacement *string* `$$` means one `$`, so '$${' would
  // silently give back '${'.
  const escaped = text.replace(/[$%]\{/g, (sequence, offset: number) =>
    text.startsWith(CDKTF_TOKEN_MARKER, offset) ? sequence : `${sequence[0]}${sequence}`,
  );
  if (escaped.includes(`$${CDKTF_TOKEN_MARKER}`)) {
    throw new Error(
      `terraformLiteral: a literal "$" directly before a Terraform reference cannot be written (Terraform reads "$\${" as an escaped "\${"): ${text.slice(0, 200)}`,
    );
  }
  return escaped;
}

/** `JSON.stringify(value)` as a Terraform literal (references inside stay references). */
export function terraformLiteralJson(value: unknown, space?: number): string {
  return terraformLiteral(JSON.stringify(value, null, space));
}

/** A string map (tags) with keys and values as Terraform literals: map keys are templates too. */
export function terraformLiteralRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [terraformLiteral(key), terraformLiteral(value)]));
}
