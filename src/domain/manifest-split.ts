// Splits YAML text into documents as it arrives, so a 50 MB file is parsed one small document at a time instead
// of as one tree. YAML forbids a line starting with `---` or `...` (then a blank or the line's end) anywhere inside
// a document, scalars included, so these lines are exact document boundaries; no parsing is needed to find them.

export interface DocumentChunk {
  /** The document's text, its `---` line included (a `...` end line is dropped). */
  text: string;
  /** 1-based line of the chunk's first line in the whole input. */
  startLine: number;
}

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r]|$)/gm;

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

export class DocumentSplitter {
  private buffer = '';
  /** Start of the current document in `buffer`. */
  private docStart = 0;
  /** Where the marker search resumes: everything before it has been searched. */
  private scanFrom = 0;
  /** Line number of buffer[docStart]. */
  private line = 1;
  private first = true;

  /** Adds text; returns the documents completed by it. */
  push(text: string): DocumentChunk[] {
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
    }
    this.buffer += text;
    const out: DocumentChunk[] = [];
    // Only complete lines are searched: a marker at the very end may yet turn out to be `----` or `---x`.
    const limit = this.buffer.lastIndexOf('\n') + 1;
    MARKER.lastIndex = this.scanFrom;
    for (let match = MARKER.exec(this.buffer); match && match.index < limit; match = MARKER.exec(this.buffer)) {
      this.emit(out, match.index);
      if (match[0] === '...') {
        const end = this.buffer.indexOf('\n', match.index);
        this.docStart = end + 1;
        this.line += 1;
      } else {
        this.docStart = match.index;
      }
      MARKER.lastIndex = match.index + 3;
    }
    this.scanFrom = Math.max(limit, this.docStart);
    if (this.docStart > 0) {
      this.buffer = this.buffer.slice(this.docStart);
      this.scanFrom -= this.docStart;
      this.docStart = 0;
    }
    return out;
  }

  /** Ends the input; returns the last document, if any. */
  end(): DocumentChunk[] {
    const out: DocumentChunk[] = [];
    // The last line may lack its newline: search it too.
    const rest = this.push('\n');
    out.push(...rest);
    this.emit(out, this.buffer.length);
    this.buffer = '';
    this.docStart = 0;
    this.scanFrom = 0;
    return out;
  }

  private emit(out: DocumentChunk[], end: number): void {
    if (end <= this.docStart) return;
    const text = this.buffer.slice(this.docStart, end);
    out.push({ text, startLine: this.line });
    this.line += countNewlines(text);
  }
}

/** Every document of a whole text (small inputs and tests). */
export function splitDocuments(text: string): DocumentChunk[] {
  const splitter = new DocumentSplitter();
  return [...splitter.push(text), ...splitter.end()];
}
