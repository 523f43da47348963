// A large `kind: List` (what `kubectl get … -o yaml|json` writes) is one YAML document holding every object; parsed
// whole it would be one tree of them all. Its items are found by their lines instead (kubectl writes each item at
// one indentation) and parsed one by one. Anything irregular returns undefined, and the document is parsed whole.

export interface ListItemText {
  text: string;
  /** 1-based line of the item's first line. */
  line: number;
  json: boolean;
}

/** Documents shorter than this are parsed whole: splitting would save nothing worth the code path. */
export const LIST_SPLIT_MIN_CHARS = 1024 * 1024;

interface Line {
  start: number;
  end: number;
}

function* lines(text: string): Generator<Line> {
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    yield { start, end };
    start = end + 1;
  }
}

function indentOf(text: string, line: Line): number {
  let i = line.start;
  while (i < line.end && text.charCodeAt(i) === 0x20) i++;
  return i - line.start;
}

function isBlankOrComment(text: string, line: Line): boolean {
  const content = text.slice(line.start, line.end).trim();
  return content === '' || content.startsWith('#');
}

/** The items of a large List document, or undefined when it is not one or not written regularly. */
export function splitListItems(text: string, startLine: number): ListItemText[] | undefined {
  if (text.length < LIST_SPLIT_MIN_CHARS) return undefined;
  const json = text.trimStart().startsWith('{');
  if (json ? !/^\s*"kind": "\w*List",?\r?$/m.test(text) : !/^kind: *['"]?\w*List['"]? *\r?$/m.test(text))
    return undefined;
  const items: ListItemText[] = [];
  let index = 0;
  let inItems = false;
  let itemIndent = -1;
  let current: { start: number; line: number } | undefined;
  const close = (end: number) => {
    if (!current) return;
    let body = text.slice(current.start, end);
    if (json) body = body.replace(/,\s*$/, '');
    else body = body.replace(/^(\s*)-( |$)/, (_m, pad: string, space: string) => `${pad} ${space}`);
    items.push({ text: body, line: current.line, json });
    current = undefined;
  };
  for (const line of lines(text)) {
    index++;
    const content = text.slice(line.start, Math.min(line.end, line.start + 200));
    if (!inItems) {
      if (json ? /^\s*"items": \[\s*$/.test(content) : /^items: *$/.test(content)) inItems = true;
      continue;
    }
    if (isBlankOrComment(text, line)) continue;
    const indent = indentOf(text, line);
    const rest = content.slice(indent);
    if (itemIndent === -1) {
      if (json ? rest.startsWith('{') : rest.startsWith('- ') || rest === '-') itemIndent = indent;
      else return undefined;
    }
    if (json) {
      if (indent === itemIndent && rest.startsWith('{')) current = { start: line.start, line: startLine + index - 1 };
      else if (indent === itemIndent && /^\},?\s*$/.test(rest)) close(line.end);
      else if (indent < itemIndent) break; // the closing `]`
    } else if (indent === itemIndent && (rest.startsWith('- ') || rest === '-')) {
      close(line.start);
      current = { start: line.start, line: startLine + index - 1 };
    } else if (indent < itemIndent || (indent === itemIndent && !rest.startsWith('-'))) {
      close(line.start);
      break;
    }
  }
  if (!json) close(text.length);
  if (current || items.length === 0) return undefined;
  return items;
}
