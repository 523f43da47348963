// Checks and quoting for text a user hands us (manifests, snapshots): binary data is refused, and what a message
// quotes from the input is escaped and bounded.

/** Quotes input for a message: control and non-ASCII-printable characters escaped, at most `max` characters. */
export function quoteExcerpt(text: string, max = 200): string {
  const escaped = JSON.stringify(text.slice(0, max)).slice(1, -1);
  const printable = escaped.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return printable.length > max || text.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** True for text that is not YAML or JSON at all: NUL bytes, undecodable bytes, or mostly control characters. */
export function looksBinary(sample: string): boolean {
  let control = 0;
  const length = Math.min(sample.length, 8192);
  for (let i = 0; i < length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0 || c === 0xfffd) return true;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) control++;
  }
  return length > 0 && control / length > 0.1;
}

export function binaryMessage(sample: string): string {
  return `binary data, not YAML or JSON text (starts with "${quoteExcerpt(sample)}")`;
}
