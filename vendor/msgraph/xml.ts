/**
 * The few lines of XML the CSDL needs: elements, attributes, nesting, each element's span in the
 * source (so the refresh script copies elements verbatim). CSDL has no mixed content, CDATA or DTD;
 * anything else is an error, not a guess.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** A leaf's text, unescaped. */
  text?: string;
  /** Offsets of the element's first and past-last character in the source. */
  readonly start: number;
  end: number;
}

const ENTITIES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };

function unescapeXml(value: string): string {
  return value.replace(/&(lt|gt|amp|quot|apos);|&#(\d+);|&#x([0-9a-f]+);/gi, (entity, _named, dec, hex) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(Number.parseInt(hex, 16)) : (ENTITIES[entity] ?? entity),
  );
}

/** The document's root element. */
export function parseXml(source: string): XmlElement {
  const tag = /<(\?[^>]*\?|!--[\s\S]*?--|\/?)([\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;
  const attribute = /([\w:.-]+)\s*=\s*"([^"]*)"/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let last = 0;
  for (let match = tag.exec(source); match; match = tag.exec(source)) {
    const between = source.slice(last, match.index);
    if (between.trim() !== '') {
      const open = stack.at(-1);
      // Text is a leaf's only content: it must sit right before that leaf's end tag.
      if (!open || open.children.length > 0 || match[1] !== '/')
        throw new Error(`unexpected text at offset ${last}: ${between.trim().slice(0, 40)}`);
      open.text = unescapeXml(between.trim());
    }
    last = tag.lastIndex;
    const [text, kind = '', name = '', attrs = '', selfClosing] = match;
    if (kind.startsWith('?') || kind.startsWith('!--')) continue;
    if (kind === '/') {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> at offset ${match.index} closes <${open?.name}>`);
      open.end = tag.lastIndex;
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key = '', value = ''] of attrs.matchAll(attribute)) attributes[key] = unescapeXml(value);
    const element: XmlElement = { name, attributes, children: [], start: match.index, end: match.index + text.length };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new Error(`a second root element <${name}> at offset ${match.index}`);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (source.slice(last).trim() !== '' || stack.length > 0 || !root) throw new Error('the document ends inside an element');
  return root;
}
