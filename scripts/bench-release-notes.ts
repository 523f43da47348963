// Benchmark: full release notes vs the upgrade-relevant extract, in tokens (js-tiktoken cl100k_base), for
// Kubernetes 1.29–1.33 (the real notes: shared/ or downloaded, see test/harness/reference-data.ts). `npm run bench` calls benchReleaseNotes();
// run alone: node --import tsx scripts/bench-release-notes.ts [dataDir]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from '../src/domain/format';
import { prepareReferenceData, referencePath } from '../test/harness/reference-data';
import { removalsIn } from '../src/domain/api-removals';
import { chunkExtract, extractReleaseNotes, FACTS_SECTION, mentionsRemoval } from '../src/domain/release-notes';

/** The real notes: shared/ or the tests' download (call prepareReferenceData() first). */
export const defaultChangelogDir = () => referencePath('data/k8s-changelog');
export const BENCH_VERSIONS = ['1.29', '1.30', '1.31', '1.32', '1.33'];

export interface ReleaseNotesBenchRow {
  version: string;
  fullChars: number;
  fullTokens: number;
  extractTokens: number;
  /** extractTokens / fullTokens, in percent. */
  percent: number;
  entries: number;
  /** Removals in the facts table for this minor, and how many the notes themselves mention. */
  removals: number;
  removalsInNotes: number;
  /** Chunks needed at 2,000 tokens per chunk (shows the split path on real data). */
  chunksAt2k: number;
  millis: number;
}

export function benchReleaseNotes(dataDir = defaultChangelogDir(), versions = BENCH_VERSIONS): ReleaseNotesBenchRow[] {
  return versions.map((version) => {
    const text = readFileSync(join(dataDir, 'full', `release-notes-draft-${version}.md`), 'utf8');
    const started = performance.now();
    const extract = extractReleaseNotes(text, {
      targetVersion: version,
      source: `full/release-notes-draft-${version}.md`,
    });
    const millis = performance.now() - started;
    const fromNotes = extract.entries.filter((e) => e.section !== FACTS_SECTION);
    const removals = removalsIn(version);
    return {
      version,
      fullChars: text.length,
      fullTokens: extract.fullTokens,
      extractTokens: extract.extractTokens,
      percent: Math.round((1000 * extract.extractTokens) / extract.fullTokens) / 10,
      entries: extract.entries.length,
      removals: removals.length,
      removalsInNotes: removals.filter((r) => fromNotes.some((e) => mentionsRemoval(e.text, r))).length,
      chunksAt2k: chunkExtract(extract, 2000).length,
      millis: Math.round(millis),
    };
  });
}

export function formatReleaseNotesBench(rows: ReleaseNotesBenchRow[]): string {
  return markdownTable(
    [
      'K8s',
      'full chars',
      'full tokens',
      'extract tokens',
      'extract/full',
      'entries',
      'removals kept (facts table)',
      'chunks @2k',
      'ms',
    ],
    rows.map((r) => [
      r.version,
      r.fullChars,
      r.fullTokens,
      r.extractTokens,
      `${r.percent} %`,
      r.entries,
      `${r.removalsInNotes}/${r.removals}`,
      r.chunksAt2k,
      r.millis,
    ]),
  ).join('\n');
}

if (require.main === module) {
  void prepareReferenceData().then(() => {
    console.log('Release notes: full text vs upgrade-relevant extract (tokens: js-tiktoken cl100k_base)');
    console.log(formatReleaseNotesBench(benchReleaseNotes(process.argv[2] ?? defaultChangelogDir())));
  });
}
