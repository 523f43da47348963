// Reads manifests from files, directories (recursively: .yaml, .yml, .json) and stdin, streamed in 1 MiB pieces
// and parsed document by document; each object goes to a callback and is not kept here. Files, bytes and objects
// are bounded (ManifestLimits: the whole input is refused, before reading where the sizes are known). A file that
// cannot be read or parsed is reported with its name (and line); the others are still read.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  ManifestFileParser,
  type ManifestObject,
  type ManifestParseError,
  type ParsedManifests,
} from '../../domain/manifests';
import { DEFAULT_MANIFEST_LIMITS, ManifestLimitError, type ManifestLimits } from '../../domain/manifest-limits';
import { binaryMessage, looksBinary } from '../../domain/input-text';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules', '.terraform']);
const CHUNK_BYTES = 1024 * 1024;
/** Errors kept for the result; beyond this they are only counted (a file of 500k broken documents stays small). */
export const MAX_ERRORS_KEPT = 1000;

export interface ManifestReadProgress {
  files: number;
  bytes: number;
  objects: number;
}

export interface ManifestReadOptions {
  limits?: ManifestLimits;
  /** Checked between pieces of input: a cancelled activity stops within one piece (~1 MiB). */
  signal?: AbortSignal;
  /** Called after every piece of input (activities heartbeat from it). */
  onProgress?: (progress: ManifestReadProgress) => void;
  /** The target minor, named in the hint to render Helm templates. */
  targetVersion?: string;
  /** What the path "-" reads (stdin). */
  stdin?: AsyncIterable<string | Buffer> | Iterable<string | Buffer>;
}

export interface ManifestReadSummary extends ManifestReadProgress {
  /** The first MAX_ERRORS_KEPT problems; errorCount counts them all. */
  errors: ManifestParseError[];
  errorCount: number;
}

interface ListedFile {
  path: string;
  size: number;
}

async function listFiles(directory: string, into: ListedFile[], limits: ManifestLimits, root: string): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) await listFiles(path, into, limits, root);
    } else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      into.push({ path, size: (await stat(path)).size });
      if (into.length > limits.maxFiles) throw new ManifestLimitError('maxFiles', limits.maxFiles, root);
    }
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Streams every manifest under the given paths to `onObject`. Paths named explicitly are read whatever their
 * extension, and one that yields no Kubernetes object is an error; directories contribute their .yaml/.yml/.json
 * files and are an error only when none of them holds an object. Throws ManifestLimitError past a limit, and the
 * signal's reason when it is aborted.
 */
export async function readManifests(
  paths: string[],
  onObject: (object: ManifestObject) => void,
  options: ManifestReadOptions = {},
): Promise<ManifestReadSummary> {
  const limits = options.limits ?? DEFAULT_MANIFEST_LIMITS;
  const summary: ManifestReadSummary = { files: 0, bytes: 0, objects: 0, errors: [], errorCount: 0 };
  const onError = (error: ManifestParseError) => {
    summary.errorCount++;
    if (summary.errors.length < MAX_ERRORS_KEPT) summary.errors.push(error);
  };
  const countObject = (object: ManifestObject) => {
    summary.objects++;
    if (summary.objects > limits.maxObjects)
      throw new ManifestLimitError('maxObjects', limits.maxObjects, paths.join(', '));
    onObject(object);
  };

  // List everything first: the file count and the byte total are refused before anything is parsed.
  const inputs: Array<{ path: string; files: ListedFile[]; directory: boolean; problem?: string }> = [];
  let listedFiles = 0;
  let listedBytes = 0;
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ path, files: [{ path, size: 0 }], directory: false });
      continue;
    }
    try {
      const info = await stat(path);
      const files: ListedFile[] = [];
      if (info.isDirectory()) await listFiles(path, files, limits, path);
      else files.push({ path, size: info.size });
      inputs.push({ path, files, directory: info.isDirectory() });
      listedFiles += files.length;
      listedBytes += files.reduce((n, f) => n + f.size, 0);
    } catch (error) {
      if (error instanceof ManifestLimitError) throw error;
      inputs.push({ path, files: [], directory: false, problem: `cannot read: ${describe(error)}` });
    }
  }
  if (listedFiles > limits.maxFiles) throw new ManifestLimitError('maxFiles', limits.maxFiles, paths.join(', '));
  if (listedBytes > limits.maxBytes) throw new ManifestLimitError('maxBytes', limits.maxBytes, paths.join(', '));

  for (const input of inputs) {
    if (input.problem !== undefined) {
      onError({ file: input.path, message: input.problem });
      continue;
    }
    if (input.directory && input.files.length === 0) {
      onError({ file: input.path, message: 'no Kubernetes object: the directory holds no .yaml, .yml or .json file' });
      continue;
    }
    let directoryObjects = 0;
    const errorsBefore = summary.errorCount;
    for (const file of input.files) {
      const parser = new ManifestFileParser(file.path, countObject, onError, options.targetVersion);
      const stream =
        file.path === '-' ? undefined : createReadStream(file.path, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
      const source: AsyncIterable<string | Buffer> | Iterable<string | Buffer> =
        stream ?? options.stdin ?? missingStdin();
      let binary = false;
      try {
        let first = true;
        for await (const piece of source) {
          options.signal?.throwIfAborted();
          const text = typeof piece === 'string' ? piece : piece.toString('utf8');
          summary.bytes += Buffer.byteLength(text);
          if (summary.bytes > limits.maxBytes)
            throw new ManifestLimitError('maxBytes', limits.maxBytes, paths.join(', '));
          if (first && looksBinary(text)) {
            onError({ file: file.path, message: binaryMessage(text) });
            binary = true;
            break;
          }
          first = false;
          parser.push(text);
          options.onProgress?.({ files: summary.files, bytes: summary.bytes, objects: summary.objects });
        }
        if (!binary) directoryObjects += parser.finish(!input.directory);
      } catch (error) {
        if (error instanceof ManifestLimitError || options.signal?.aborted) throw error;
        onError({ file: file.path, message: `cannot read: ${describe(error)}` });
      } finally {
        stream?.destroy();
      }
      summary.files++;
    }
    if (input.directory && directoryObjects === 0 && summary.errorCount === errorsBefore)
      onError({
        file: input.path,
        message: `no Kubernetes object in any of its ${input.files.length} .yaml/.yml/.json file(s)`,
      });
  }
  return summary;
}

function missingStdin(): Iterable<string> {
  return {
    [Symbol.iterator]() {
      throw new Error('stdin was named but no input was provided');
    },
  };
}

/** Every object under the paths, collected (tests and small inputs; the scans stream with readManifests). */
export async function readManifestPaths(paths: string[], options: ManifestReadOptions = {}): Promise<ParsedManifests> {
  const objects: ManifestObject[] = [];
  const { errors } = await readManifests(paths, (o) => objects.push(o), options);
  return { objects, errors };
}
