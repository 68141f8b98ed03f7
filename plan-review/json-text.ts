/**
 * Duplicate object keys in JSON text. RFC 8259 leaves their meaning to the parser ("the
 * behavior of software that receives such an object is unpredictable",
 * https://www.rfc-editor.org/rfc/rfc8259#section-4); JSON.parse keeps the last one, and what
 * CloudFormation or IAM keep is not documented. A document with one is not judged: a reviewer
 * could be shown one value while the service reads the other.
 */
export function duplicateKey(text: string): string | undefined {
  const stack: Set<string>[] = [];
  let i = 0;
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(text.slice(start, i)) as string;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '{') {
      stack.push(new Set());
      i++;
    } else if (c === '}') {
      stack.pop();
      i++;
    } else if (c === '"') {
      const value = readString();
      let j = i;
      while (j < text.length && /\s/.test(text[j])) j++;
      const keys = stack[stack.length - 1];
      if (text[j] === ':' && keys) {
        if (keys.has(value)) return value;
        keys.add(value);
      }
    } else i++;
  }
  return undefined;
}
