// Real reference data for the tests (Kubernetes release notes, EKS user-guide pages), laid out as the project's
// shared/ folder lays it out (data/k8s-changelog, data/eks-docs). Taken from EKS_UPGRADE_SHARED_DIR or ../shared
// when present (a local mirror for machines without internet); otherwise downloaded once from the official
// sources, pinned to the commits shared/'s provenance notes name, and cached under EKS_UPGRADE_CACHE_DIR
// (default .eks-upgrade-cache/reference). CHANGELOGs come through the product's own fetch-and-cache
// (fetchKubernetesChangelog); the excerpts shared/ holds are cut from the official files the same way.
// scripts/run-tests.ts calls prepareReferenceData() once per run; tests then resolve paths synchronously.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fetchKubernetesChangelog } from '../../src/activities/evidence/release-notes-source';

const REPO_ROOT = resolve(__dirname, '../..');
const SIG_RELEASE = 'https://raw.githubusercontent.com/kubernetes/sig-release/e8dfc80571dcb23c67a5ec044da17374358130cf';
const EKS_GUIDE = {
  'awsdocs-2024-12':
    'https://raw.githubusercontent.com/awsdocs/amazon-eks-user-guide/4d52b4d05e3478582e7d10a73cbd9ba9194dd5f7/latest/ug/clusters',
  'fork-sheetaljoshi-2026-01':
    'https://raw.githubusercontent.com/sheetaljoshi/amazon-eks-user-guide/883e41accd8c35296bf4853b046b1795a50a10a1/latest/ug/versioning',
} as const;
/** kubernetes/kubernetes commits of the CHANGELOG excerpts (shared/data/k8s-changelog/README.md). */
const CHANGELOG_COMMITS: Record<string, string> = {
  '1.29': '1c9cf914f2f951313b8e9f7c321f5bd50b5e3d9f',
  '1.30': '03fe89c2339a1582733649faab5f5df471f65f09',
  '1.31': '1892e4deb967a2b39cfc2fea87a8bd49274449ef',
  '1.32': '95c119b504e8e726a0b07436f0b20819f78a1df6',
};
const DRAFT_MINORS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];
const EKS_PAGES = ['kubernetes-versions-standard.adoc', 'kubernetes-versions-extended.adoc'];

/** The local mirror, if there is one. */
function sharedDir(): string | undefined {
  const dir = process.env.EKS_UPGRADE_SHARED_DIR?.trim() || resolve(REPO_ROOT, '../shared');
  return existsSync(join(dir, 'data')) ? dir : undefined;
}

function cacheDir(): string {
  return join(process.env.EKS_UPGRADE_CACHE_DIR?.trim() || join(REPO_ROOT, '.eks-upgrade-cache'), 'reference');
}

const COMPLETE_MARKER = 'complete.json';

/** Where the data is, or why it is not there (what to set). */
export function referenceRoot(): string {
  const shared = sharedDir();
  if (shared) return shared;
  const cache = cacheDir();
  if (existsSync(join(cache, COMPLETE_MARKER))) return cache;
  throw new Error(
    `The real release notes and EKS docs these tests read are neither in a shared/ folder (${resolve(REPO_ROOT, '../shared')}, ` +
      `or EKS_UPGRADE_SHARED_DIR) nor downloaded yet into ${cache}. Run the tests through \`npm test\` / \`npm run test:only\`, ` +
      'which download them once (internet access to raw.githubusercontent.com needed), or set EKS_UPGRADE_SHARED_DIR to a copy of the shared/ folder.',
  );
}

/** A path inside the reference data, e.g. referencePath('data/k8s-changelog', 'full/release-notes-draft-1.32.md'). */
export function referencePath(...parts: string[]): string {
  return join(referenceRoot(), ...parts);
}

/** The part of a release-notes text from `start` (default: its beginning) up to the first "### Feature" after it. */
export function upgradeNotesExcerpt(text: string, start?: string): string {
  const from = start === undefined ? 0 : text.indexOf(start);
  if (from < 0) throw new Error(`"${start}" not found`);
  const to = text.indexOf('\n### Feature\n', from);
  return text.slice(from, to < 0 ? undefined : to + 1);
}

async function download(url: string, file: string): Promise<string> {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  writeAtomically(file, text);
  return text;
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, 'utf8');
  renameSync(temporary, file);
}

const provenance = (url: string, what: string) => `<!-- Source: ${url}; ${what} (test/harness/reference-data.ts) -->\n`;

/**
 * Makes the data available: nothing to do with a shared/ folder; else downloads what is missing into the cache.
 * Resolves to where the data came from; rejects with a message naming the URL that failed and what to set.
 */
export async function prepareReferenceData(): Promise<string> {
  const shared = sharedDir();
  if (shared) return `shared folder ${shared}`;
  const cache = cacheDir();
  if (existsSync(join(cache, COMPLETE_MARKER))) return `cache ${cache}`;
  const notes = join(cache, 'data', 'k8s-changelog');
  let current = '';
  try {
    for (const minor of DRAFT_MINORS) {
      current = `${SIG_RELEASE}/releases/release-${minor}/release-notes/release-notes-draft.md`;
      const draft = await download(current, join(notes, 'full', `release-notes-draft-${minor}.md`));
      writeAtomically(
        join(notes, `release-notes-draft-${minor}-upgrade-notes.md`),
        provenance(current, "everything before '### Feature'") + upgradeNotesExcerpt(draft),
      );
    }
    for (const [minor, commit] of Object.entries(CHANGELOG_COMMITS)) {
      const baseUrl = `https://raw.githubusercontent.com/kubernetes/kubernetes/${commit}/CHANGELOG`;
      current = `${baseUrl}/CHANGELOG-${minor}.md`;
      const { text } = await fetchKubernetesChangelog(minor, {
        cacheDir: join(cache, `kubernetes-${commit}`),
        baseUrl,
      });
      const [major, m] = minor.split('.').map(Number);
      const section = text.slice(text.indexOf(`\n# v${minor}.0\n`));
      writeAtomically(
        join(notes, `CHANGELOG-${minor}-upgrade-notes.md`),
        provenance(current, `section '# v${minor}.0' up to '### Feature'`) +
          upgradeNotesExcerpt(section, `## Changelog since v${major}.${(m ?? 1) - 1}.0`),
      );
    }
    for (const [edition, base] of Object.entries(EKS_GUIDE))
      for (const page of EKS_PAGES) {
        current = `${base}/${page}`;
        await download(current, join(cache, 'data', 'eks-docs', edition, page));
      }
  } catch (err) {
    throw new Error(
      `could not download the tests' reference data (${current}: ${err instanceof Error ? err.message : String(err)}). ` +
        "Without internet access, set EKS_UPGRADE_SHARED_DIR to a copy of the project's shared/ folder (or check it out at ../shared).",
      { cause: err },
    );
  }
  writeAtomically(join(cache, COMPLETE_MARKER), `${JSON.stringify({ downloadedAt: new Date().toISOString() })}\n`);
  return `downloaded into ${cache}`;
}
