// Kubernetes manifests from text: YAML or JSON, many documents per file, `kind: List` expanded, each object with its
// 1-based line. Rendered Helm output (`helm template … | eks-upgrade scan -`) is just multi-document YAML whose
// `# Source:` comments name the template. A broken document is reported with its line; the others still count.
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  file: string;
  /** 1-based line of the object's first key. */
  line: number;
  /** The Helm template that produced it (`# Source:` comment), when present. */
  helmSource?: string;
  /** The whole object, for the workload checks. Never logged or sent to a model (it may be a Secret). */
  body: Record<string, unknown>;
}

export interface ManifestParseError {
  file: string;
  line?: number;
  message: string;
}

export interface ParsedManifests {
  objects: ManifestObject[];
  errors: ManifestParseError[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lineOf(node: YamlNode | null | undefined, counter: LineCounter): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : counter.linePos(offset).line;
}

function helmSourceOf(doc: Document): string | undefined {
  const comment = doc.commentBefore ?? (isMap(doc.contents) ? doc.contents.commentBefore : undefined);
  const match = comment ? /Source:\s*(\S+)/.exec(comment) : null;
  return match?.[1];
}

/** A Kubernetes object, undefined for other YAML, or an error when apiVersion/kind are there but not strings. */
function toObject(
  value: Record<string, unknown>,
  file: string,
  line: number,
  helmSource: string | undefined,
): ManifestObject | ManifestParseError | undefined {
  const { apiVersion, kind } = value;
  if (apiVersion === undefined || kind === undefined) return undefined;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return { file, line, message: 'apiVersion and kind must be strings' };
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const name =
    typeof metadata.name === 'string'
      ? metadata.name
      : typeof metadata.generateName === 'string'
        ? `${metadata.generateName}*`
        : '(unnamed)';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  return { apiVersion: apiVersion.trim(), kind: kind.trim(), name, namespace, file, line, helmSource, body: value };
}

/** True for `kind: List` and the typed lists (`DeploymentList`…) that carry `items`. */
function isListObject(value: Record<string, unknown>): boolean {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

const HELM_HINT =
  'this looks like an unrendered Helm template: render it first (helm template --kube-version <target> … | eks-upgrade scan --manifests -)';

/** Parses one file's text. `file` is only used to label objects and errors. */
export function parseManifestText(text: string, file: string): ParsedManifests {
  const parsed = parseDocuments(text, file);
  if (!text.includes('{{')) return parsed;
  // Go templates either break the YAML or leave "{{ … }}" in apiVersion/kind: both would hide API use.
  const templated = parsed.objects.filter((o) => o.apiVersion.includes('{{') || o.kind.includes('{{'));
  return {
    objects: parsed.objects.filter((o) => !templated.includes(o)),
    errors: [
      ...parsed.errors.map((e) => ({ ...e, message: `${e.message}; ${HELM_HINT}` })),
      ...templated.map((o) => ({
        file,
        line: o.line,
        message: `apiVersion/kind not rendered ("${o.apiVersion}"); ${HELM_HINT}`,
      })),
    ],
  };
}

function parseDocuments(text: string, file: string): ParsedManifests {
  const counter = new LineCounter();
  const objects: ManifestObject[] = [];
  const errors: ManifestParseError[] = [];
  const docs = parseAllDocuments(text, {
    lineCounter: counter,
    prettyErrors: true,
    uniqueKeys: false,
    logLevel: 'error',
  });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = error.linePos?.[0].line;
        errors.push({ file, line, message: error.message.split('\n')[0] ?? error.message });
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      errors.push({
        file,
        line: lineOf(doc.contents, counter),
        message: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    if (value === null || value === undefined) continue; // empty document (e.g. a trailing `---`)
    if (!isRecord(value)) continue; // a scalar or a top-level array: not a Kubernetes object
    const helmSource = helmSourceOf(doc);
    if (isListObject(value)) {
      const itemsNode = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
      const itemNodes = isSeq(itemsNode) ? itemsNode.items : [];
      (value.items as unknown[]).forEach((item, index) => {
        if (!isRecord(item)) return;
        const node = itemNodes[index] as YamlNode | undefined;
        const object = toObject(item, file, lineOf(node, counter), helmSource);
        if (object && 'body' in object) objects.push(object);
        else if (object) errors.push(object);
      });
      continue;
    }
    const object = toObject(value, file, lineOf(doc.contents, counter), helmSource);
    if (object && 'body' in object) objects.push(object);
    else if (object) errors.push(object);
  }
  return { objects, errors };
}
