// Splits YAML text into documents as it arrives, so a 50 MB file is parsed one small document at a time instead
// of as one tree. YAML forbids a line starting with `---` or `...` (then a blank or the line's end) anywhere inside
// a document, scalars included, so these lines are exact document boundaries; no parsing is needed to find them.
// Each piece of input is searched once (the text of a long document is kept as pieces and joined once), and a
// document longer than the cap is not kept at all: it is reported by its size.

export interface DocumentChunk {
  /** The document's text, its `---` line included (a `...` end line is dropped); '' when oversized. */
  text: string;
  /** 1-based line of the chunk's first line in the whole input. */
  startLine: number;
  /** Set when the document was longer than the cap: its length in characters (its text was dropped). */
  oversized?: number;
}

/** The longest document kept whole; beyond it memory, not the input, would decide whether a scan finishes. */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r]|$)/gm;

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

export class DocumentSplitter {
  /** The incomplete last line of the input so far. */
  private carry = '';
  /** Complete lines of the current document. */
  private parts: string[] = [];
  private partsLength = 0;
  private partsLines = 0;
  private oversized = false;
  /** Line number of the current document's first line. */
  private line = 1;
  private first = true;

  constructor(private readonly maxDocumentChars = MAX_DOCUMENT_CHARS) {}

  /** Adds text; returns the documents completed by it. */
  push(text: string): DocumentChunk[] {
    return this.process(text, false);
  }

  /** Ends the input; returns the last document, if any. */
  end(): DocumentChunk[] {
    const out = this.process('', true);
    this.emit(out);
    return out;
  }

  private process(text: string, final: boolean): DocumentChunk[] {
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
    }
    const input = this.carry + text;
    // Only complete lines are searched: a marker at the very end may yet turn out to be `----` or `---x`.
    const limit = final ? input.length : input.lastIndexOf('\n') + 1;
    this.carry = input.slice(limit);
    const out: DocumentChunk[] = [];
    let from = 0;
    MARKER.lastIndex = 0;
    for (let match = MARKER.exec(input); match && match.index < limit; match = MARKER.exec(input)) {
      this.append(input.slice(from, match.index));
      this.emit(out);
      if (match[0] === '...') {
        const nl = input.indexOf('\n', match.index);
        from = nl === -1 ? limit : nl + 1;
        this.line += 1;
      } else {
        from = match.index;
      }
      MARKER.lastIndex = match.index + 3;
    }
    this.append(input.slice(from, limit));
    return out;
  }

  private append(text: string): void {
    if (text === '') return;
    this.partsLines += countNewlines(text);
    this.partsLength += text.length;
    if (this.oversized) return;
    if (this.partsLength > this.maxDocumentChars) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(text);
  }

  private emit(out: DocumentChunk[]): void {
    if (this.partsLength === 0) return;
    out.push(
      this.oversized
        ? { text: '', startLine: this.line, oversized: this.partsLength }
        : { text: this.parts.length === 1 ? (this.parts[0] ?? '') : this.parts.join(''), startLine: this.line },
    );
    this.line += this.partsLines;
    this.parts = [];
    this.partsLength = 0;
    this.partsLines = 0;
    this.oversized = false;
  }
}

/** Every document of a whole text (small inputs and tests). */
export function splitDocuments(text: string, maxDocumentChars?: number): DocumentChunk[] {
  const splitter = new DocumentSplitter(maxDocumentChars);
  return [...splitter.push(text), ...splitter.end()];
}
