// Kubernetes manifests from text: YAML or JSON, many documents per file, `kind: List` expanded, each object with its
// 1-based line. Rendered Helm output (`helm template … | eks-upgrade scan -`) is multi-document YAML whose
// `# Source:` comments name the template. Text is read one document at a time (manifest-split.ts) and each
// object is reduced at once to what the checks read, so input size does not decide memory.
//
// js-yaml parses here rather than `yaml` (used for small config files elsewhere): it is about ten times faster per
// document, which is what makes half a million objects a matter of seconds.
import { load as loadYaml } from 'js-yaml';
import { binaryMessage, looksBinary } from './input-text';
import { describeYamlError, parseDocumentText, parseJson } from './manifest-documents';
import { splitListItems, type ListItemText } from './manifest-lists';
import { DocumentSplitter, MAX_DOCUMENT_CHARS, type DocumentChunk } from './manifest-split';
import { pdbFactsOf, workloadFactsOf, type PdbFacts, type WorkloadFacts } from './workload-facts';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  file: string;
  /** 1-based line of the object's first key (for an unrendered template: of its literal apiVersion line). */
  line: number;
  /** The Helm template that produced it (`# Source:` comment), when present. */
  helmSource?: string;
  /** Read from an unrendered Helm template: how many literal apiVersion lines its document has (>1: chosen by a condition). */
  unrendered?: { apiVersionLines: number };
  /** For pod-running kinds: what the workload checks read. */
  workload?: WorkloadFacts;
  /** For PodDisruptionBudgets: their selector. */
  pdb?: PdbFacts;
  /**
   * For a Helm 3 release Secret (type helm.sh/release.v1): its `data.release`, decoded by the scan to the release's
   * objects and then dropped (src/activities/kubernetes/helm-secrets.ts). Never logged or sent on.
   */
  helmReleasePayload?: string;
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

/** What to do with an unrendered chart; `target` fills in --kube-version when known. */
export function helmRenderHint(target = 'TARGET'): string {
  return `render it first: helm template RELEASE CHART --kube-version ${target} | eks-upgrade scan --manifests -`;
}

/** What a document that holds no Kubernetes object holds instead, most telling first. */
type NonObject = 'snapshot' | 'not-kubernetes' | 'scalar' | 'sequence' | 'empty';
const NON_OBJECT_ORDER: NonObject[] = ['snapshot', 'not-kubernetes', 'scalar', 'sequence', 'empty'];
const NON_OBJECT_MESSAGE: Record<NonObject, string> = {
  snapshot:
    'it is a cluster snapshot (schemaVersion, cluster), not a manifest: give it to `eks-upgrade start --snapshot`',
  'not-kubernetes': 'it is YAML without apiVersion and kind (Helm values, Compose or CI configuration?)',
  scalar: 'it is plain text (it parses only as a YAML string or number), not objects with apiVersion and kind',
  sequence: 'it is a top-level list; wrap Kubernetes objects in a `kind: List` with `items`',
  empty: 'the file is empty',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CONTENT_LINE = /^(?![ \t]*(?:#|\r?$))(?!(?:---|\.\.\.)[ \t]*(?:#.*)?\r?$)(?!%)/m;
const HELM_SOURCE = /^#\s*Source:\s*(\S+)/m;

/** Line offset (0-based, within the chunk) of the first line with content, or -1. */
function contentLineOffset(text: string): number {
  const match = CONTENT_LINE.exec(text);
  if (!match) return -1;
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < match.index; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** 1-based lines of a List's items: lines at the first item's indentation that open one (`- ` or `{`). */
function listItemLines(text: string, startLine: number, count: number): number[] | undefined {
  const lines = text.split('\n');
  const itemsAt = lines.findIndex((l) => /^\s*("items"|items)\s*:/.test(l));
  if (itemsAt === -1) return undefined;
  const found: number[] = [];
  let indent: string | undefined;
  for (let i = itemsAt + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (indent === undefined) {
      const first = /^(\s*)(?:- |-$|\{)/.exec(line);
      if (first) indent = first[1] ?? '';
      else continue;
    }
    if (line.startsWith(`${indent}- `) || line === `${indent}-` || line.startsWith(`${indent}{`)) {
      found.push(startLine + i);
    }
  }
  return found.length === count ? found : undefined;
}

/** Reads one file's documents as they come; call finish() for the file-level verdict. */
export class ManifestFileParser {
  private documents = 0;
  private objects = 0;
  private errors = 0;
  private templated = 0;
  private firstTemplatedLine: number | undefined;
  private nonObject: NonObject | undefined;
  private readonly splitter = new DocumentSplitter();

  constructor(
    private readonly file: string,
    private readonly onObject: (object: ManifestObject) => void,
    private readonly onError: (error: ManifestParseError) => void,
    private readonly targetVersion?: string,
  ) {}

  push(text: string): void {
    for (const chunk of this.splitter.push(text)) this.document(chunk);
  }

  /**
   * Ends the file. `explicit`: the file was named by the user (not found in a directory), so a file without any
   * Kubernetes object is itself an error. Returns how many objects it held.
   */
  finish(explicit: boolean): number {
    for (const chunk of this.splitter.end()) this.document(chunk);
    if (this.templated > 0) {
      this.error(
        this.firstTemplatedLine,
        `unrendered Helm template (${this.templated} of ${this.documents} document(s) hold {{ … }}): ${helmRenderHint(this.targetVersion)}; its literal apiVersion lines were checked, but a template can choose another`,
      );
    } else if (explicit && this.objects === 0 && this.errors === 0) {
      this.error(undefined, `no Kubernetes object: ${NON_OBJECT_MESSAGE[this.nonObject ?? 'empty']}`);
    }
    return this.objects;
  }

  /** True once the file has produced an object (for directory-level verdicts). */
  get hasObjects(): boolean {
    return this.objects > 0;
  }

  private error(line: number | undefined, message: string): void {
    this.errors++;
    this.onError({ file: this.file, ...(line !== undefined ? { line } : {}), message });
  }

  private emit(object: ManifestObject): void {
    this.objects++;
    this.onObject(object);
  }

  private noted(kind: NonObject): void {
    if (this.nonObject === undefined || NON_OBJECT_ORDER.indexOf(kind) < NON_OBJECT_ORDER.indexOf(this.nonObject))
      this.nonObject = kind;
  }

  private document(chunk: DocumentChunk): void {
    if (chunk.oversized !== undefined) {
      this.documents++;
      return this.error(
        chunk.startLine,
        `a document of ${Math.round(chunk.oversized / (1024 * 1024))} MiB, over the ${MAX_DOCUMENT_CHARS / (1024 * 1024)} MiB one document may have: split it into documents (one object per ---)`,
      );
    }
    const items = splitListItems(chunk.text, chunk.startLine);
    if (items) {
      this.documents++;
      for (const item of items) this.listItem(item);
      return;
    }
    const offset = contentLineOffset(chunk.text);
    if (offset === -1) return void this.noted('empty');
    this.documents++;
    const line = chunk.startLine + offset;
    const helmSource = HELM_SOURCE.exec(chunk.text)?.[1];
    let value: unknown;
    let failure: unknown;
    try {
      value = this.file.toLowerCase().endsWith('.json') ? parseJson(chunk.text) : parseDocumentText(chunk.text);
    } catch (error) {
      failure = error;
    }
    // Rendered output may hold `{{ }}` in values (alert templates); a template shows in its structure instead.
    if (chunk.text.includes('{{') && (failure !== undefined || hasTemplatedIdentity(value)))
      return this.templatedDocument(chunk, helmSource);
    if (failure !== undefined) return this.error(...describeYamlError(failure, chunk.startLine));
    if (value === null || value === undefined) return void this.noted('empty');
    if (Array.isArray(value)) return void this.noted('sequence');
    if (!isRecord(value)) return void this.noted('scalar');
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      const items = value.items as unknown[];
      const lines = listItemLines(chunk.text, chunk.startLine, items.length);
      items.forEach((item, index) => {
        if (isRecord(item)) this.object(item, lines?.[index] ?? line, helmSource);
      });
      return;
    }
    this.object(value, line, helmSource);
  }

  private listItem(item: ListItemText): void {
    let value: unknown;
    try {
      value = item.json ? (JSON.parse(item.text) as unknown) : loadYaml(item.text, { json: true });
    } catch (error) {
      return this.error(...describeYamlError(error, item.line));
    }
    if (isRecord(value)) this.object(value, item.line, undefined);
  }

  private object(value: Record<string, unknown>, line: number, helmSource: string | undefined): void {
    const { apiVersion, kind } = value;
    if (apiVersion === undefined || kind === undefined)
      return void this.noted('schemaVersion' in value && 'cluster' in value ? 'snapshot' : 'not-kubernetes');
    if (typeof apiVersion !== 'string' || typeof kind !== 'string')
      return this.error(line, 'apiVersion and kind must be strings');
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    const name =
      typeof metadata.name === 'string'
        ? metadata.name
        : typeof metadata.generateName === 'string'
          ? `${metadata.generateName}*`
          : '(unnamed)';
    const trimmedKind = kind.trim();
    const workload = workloadFactsOf(trimmedKind, value);
    const pdb = pdbFactsOf(trimmedKind, value);
    const release = trimmedKind === 'Secret' && value.type === 'helm.sh/release.v1' && isRecord(value.data);
    const helmReleasePayload = release && isRecord(value.data) ? value.data.release : undefined;
    this.emit({
      apiVersion: apiVersion.trim(),
      kind: trimmedKind,
      name,
      ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
      file: this.file,
      line,
      ...(helmSource ? { helmSource } : {}),
      ...(workload ? { workload } : {}),
      ...(pdb ? { pdb } : {}),
      ...(typeof helmReleasePayload === 'string' ? { helmReleasePayload } : {}),
    });
  }

  /** Go templates break YAML or hide values, but literal `apiVersion:`/`kind:` lines still say what the chart uses. */
  private templatedDocument(chunk: DocumentChunk, helmSource: string | undefined): void {
    this.templated++;
    const lines = chunk.text.split('\n');
    this.firstTemplatedLine ??=
      chunk.startLine +
      Math.max(
        0,
        lines.findIndex((l) => l.includes('{{')),
      );
    const literal = (key: string) =>
      lines.flatMap((text, i) => {
        const match = new RegExp(`^${key}:[ \\t]*(["']?)([A-Za-z0-9./-]+)\\1[ \\t]*(?:#.*)?\\r?$`).exec(text);
        return match?.[2] ? [{ value: match[2], line: chunk.startLine + i }] : [];
      });
    const kinds = literal('kind');
    const apiVersions = literal('apiVersion');
    const kind = kinds[0]?.value;
    if (!kind || kinds.some((k) => k.value !== kind)) return; // no single literal kind: nothing to match
    const nameLine = lines.find((l) => /^\s+name:/.test(l));
    const name = nameLine
      ? nameLine
          .replace(/^\s+name:\s*/, '')
          .trim()
          .slice(0, 80) || '(unnamed)'
      : '(unnamed)';
    for (const apiVersion of apiVersions) {
      this.emit({
        apiVersion: apiVersion.value,
        kind,
        name,
        file: this.file,
        line: apiVersion.line,
        ...(helmSource ? { helmSource } : {}),
        unrendered: { apiVersionLines: apiVersions.length },
      });
    }
  }
}

/** True when apiVersion, kind, name or namespace is a `{{ }}` expression (or what YAML makes of one: a map). */
function hasTemplatedIdentity(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  return [value.apiVersion, value.kind, metadata.name, metadata.namespace].some(
    (v) => v !== undefined && v !== null && (typeof v !== 'string' || v.includes('{{')),
  );
}

/** Parses one file's whole text (small inputs, tests). `file` labels objects and errors. */
export function parseManifestText(
  text: string,
  file: string,
  explicit = true,
  targetVersion?: string,
): ParsedManifests {
  const objects: ManifestObject[] = [];
  const errors: ManifestParseError[] = [];
  if (looksBinary(text)) {
    errors.push({ file, message: binaryMessage(text) });
    return { objects, errors };
  }
  const parser = new ManifestFileParser(
    file,
    (o) => objects.push(o),
    (e) => errors.push(e),
    targetVersion,
  );
  parser.push(text);
  parser.finish(explicit);
  return { objects, errors };
}
