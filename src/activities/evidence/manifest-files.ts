// Reads manifests from files, directories (recursively: .yaml, .yml, .json) and stdin. A file that cannot be read
// or parsed is reported with its name (and line); the others are still read.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  parseManifestText,
  type ManifestObject,
  type ManifestParseError,
  type ParsedManifests,
} from '../../domain/manifests';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules', '.terraform']);

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...(await listFiles(path)));
    } else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      files.push(path);
    }
  }
  return files;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EACCES') return 'permission denied';
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Parses every manifest under the given paths. Paths named explicitly are read whatever their extension;
 * directories contribute their .yaml/.yml/.json files. `stdinText` stands for the path "-".
 */
export async function readManifestPaths(paths: string[], stdinText?: string): Promise<ParsedManifests> {
  const objects: ManifestObject[] = [];
  const errors: ManifestParseError[] = [];
  for (const path of paths) {
    if (path === '-') {
      if (stdinText === undefined) errors.push({ file: '-', message: 'stdin was named but no input was provided' });
      else {
        const parsed = parseManifestText(stdinText, '-');
        objects.push(...parsed.objects);
        errors.push(...parsed.errors);
      }
      continue;
    }
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await listFiles(path) : [path];
    } catch (error) {
      errors.push({ file: path, message: `cannot read: ${describe(error)}` });
      continue;
    }
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        errors.push({ file, message: `cannot read: ${describe(error)}` });
        continue;
      }
      const parsed = parseManifestText(text, file);
      objects.push(...parsed.objects);
      errors.push(...parsed.errors);
    }
  }
  return { objects, errors };
}
