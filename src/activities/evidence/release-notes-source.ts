// Where release-note Markdown comes from: a local file or directory (offline use, tests), or the official
// Kubernetes CHANGELOG fetched over HTTPS and cached on disk (one file per minor; a minor's CHANGELOG only grows
// with patch releases, and we read the x.y.0 section, so a cached copy stays valid).
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const KUBERNETES_CHANGELOG_BASE_URL = 'https://raw.githubusercontent.com/kubernetes/kubernetes/master/CHANGELOG';

/** Candidate file names for a minor inside a user-given directory, fullest text first. */
export function releaseNoteCandidates(targetVersion: string): string[] {
  return [
    `CHANGELOG-${targetVersion}.md`,
    join('full', `release-notes-draft-${targetVersion}.md`),
    `release-notes-draft-${targetVersion}.md`,
    `CHANGELOG-${targetVersion}-upgrade-notes.md`,
    `release-notes-draft-${targetVersion}-upgrade-notes.md`,
  ];
}

export class ReleaseNotesNotFoundError extends Error {
  override readonly name = 'ReleaseNotesNotFoundError';
}

/** Reads the notes for a minor from a file, or from the best candidate inside a directory. */
export async function readLocalReleaseNotes(
  path: string,
  targetVersion: string,
): Promise<{ text: string; source: string }> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch {
    throw new ReleaseNotesNotFoundError(
      `release notes path ${path} does not exist: give a Markdown file or a directory holding CHANGELOG-${targetVersion}.md`,
    );
  }
  if (!isDirectory) return { text: await readFile(path, 'utf8'), source: path };
  for (const candidate of releaseNoteCandidates(targetVersion)) {
    const file = join(path, candidate);
    try {
      return { text: await readFile(file, 'utf8'), source: file };
    } catch {
      // try the next name
    }
  }
  throw new ReleaseNotesNotFoundError(
    `no release notes for ${targetVersion} in ${path}: expected one of ${releaseNoteCandidates(targetVersion).join(', ')}`,
  );
}

const EKS_NOTES_FILES = ['kubernetes-versions-standard.adoc', 'kubernetes-versions-extended.adoc'];

async function adocFiles(directory: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  const here = entries
    .filter((e) => e.isFile() && EKS_NOTES_FILES.includes(e.name))
    .map((e) => join(directory, e.name));
  if (depth === 0) return here;
  // Newest copy first when several are present: directory names sort reverse-alphabetically (dated suffixes).
  const below = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .reverse();
  const nested = await Promise.all(below.map((name) => adocFiles(join(directory, name), depth - 1)));
  return [...here, ...nested.flat()];
}

/**
 * The EKS user guide's notes for a minor, from kubernetes-versions-{standard,extended}.adoc found in the
 * directory or up to two levels below it; undefined when none covers the version.
 */
export async function readLocalEksNotes(
  path: string,
  targetVersion: string,
  hasSection: (adoc: string) => boolean,
): Promise<{ text: string; source: string } | undefined> {
  for (const file of await adocFiles(path, 2)) {
    const text = await readFile(file, 'utf8');
    if (hasSection(text)) return { text, source: file };
  }
  return undefined;
}

export interface ChangelogFetchOptions {
  cacheDir: string;
  baseUrl?: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

export function changelogUrl(targetVersion: string, baseUrl = KUBERNETES_CHANGELOG_BASE_URL): string {
  return `${baseUrl}/CHANGELOG-${targetVersion}.md`;
}

/** The CHANGELOG for a minor: from the cache if present, else downloaded and cached atomically. */
export async function fetchKubernetesChangelog(
  targetVersion: string,
  options: ChangelogFetchOptions,
): Promise<{ text: string; source: string; fromCache: boolean }> {
  const cacheFile = join(options.cacheDir, `CHANGELOG-${targetVersion}.md`);
  try {
    return { text: await readFile(cacheFile, 'utf8'), source: cacheFile, fromCache: true };
  } catch {
    // not cached yet
  }
  const url = changelogUrl(targetVersion, options.baseUrl);
  const response = await (options.fetchImpl ?? fetch)(url, {
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  if (response.status === 404)
    throw new ReleaseNotesNotFoundError(
      `${url} does not exist (404): is ${targetVersion} a released Kubernetes minor?`,
    );
  if (!response.ok) throw new Error(`fetching ${url} failed: HTTP ${response.status}`);
  const text = await response.text();
  if (!text.includes(`# v${targetVersion}.`))
    throw new Error(`${url} does not look like the ${targetVersion} CHANGELOG (no "# v${targetVersion}." heading)`);
  await mkdir(options.cacheDir, { recursive: true });
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, cacheFile);
  return { text, source: url, fromCache: false };
}
