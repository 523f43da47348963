// One manifest document's text to a value: JSON first, YAML otherwise, and parse errors with the line they are on.
import { load as loadYaml, YAMLException } from 'js-yaml';
import { quoteExcerpt } from './input-text';

/** JSON first (fast, exact), YAML for everything else; a JSON parse failure is reported by the YAML parser. */
export function parseDocumentText(text: string): unknown {
  const trimmed = text.trimStart();
  const body = trimmed.startsWith('---') ? trimmed.slice(trimmed.indexOf('\n') + 1).trimStart() : trimmed;
  if (body.startsWith('{') || body.startsWith('[')) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      // fall through: YAML flow style, or broken JSON whose error YAML locates
    }
  }
  // json: duplicate keys take the last value, as kubectl's decoder does, instead of failing the document.
  return loadYaml(text, { json: true });
}

class JsonError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** A `.json` file is JSON, not YAML: its errors are JSON's (a YAML reading would call broken JSON "plain text"). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new JsonError(`not valid JSON: ${quoteExcerpt(message)}`, yamlErrorLine(text));
  }
}

/** JSON.parse names no line; the YAML parser, reading the same text, usually trips on the same spot. */
function yamlErrorLine(text: string): number {
  try {
    loadYaml(text, { json: true });
  } catch (error) {
    if (error instanceof YAMLException) return error.mark.line;
  }
  return 0;
}

export function describeYamlError(error: unknown, startLine: number): [number | undefined, string] {
  if (error instanceof JsonError) return [startLine + error.line, error.message];
  if (error instanceof YAMLException) {
    const line = startLine + error.mark.line;
    return [line, `${error.reason} (line ${line}, column ${error.mark.column + 1})`];
  }
  return [undefined, quoteExcerpt(error instanceof Error ? error.message : String(error))];
}
