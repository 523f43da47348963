// Release-notes extraction on the real Kubernetes notes (test/harness/reference-data.ts: shared/ or downloaded): every removal the facts
// table lists survives, the extract is at most 20 % of the full text's tokens, the traps are handled, and an
// oversized extract is chunked without losing anything.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { removalsIn } from '../../src/domain/api-removals';
import type { ReleaseNotesExtract } from '../../src/domain/evidence';
import {
  chunkExtract,
  countTokens,
  EKS_NOTES_SECTION,
  extractEksVersionNotes,
  extractReleaseNotes,
  FACTS_SECTION,
  mentionsRemoval,
  renderExtract,
  selectMinorReleaseSection,
} from '../../src/domain/release-notes';
import { referencePath } from '../harness/reference-data';

const DATA = referencePath('data/k8s-changelog');
const read = (file: string) => readFileSync(`${DATA}/${file}`, 'utf8');

function notMentioned(extract: ReleaseNotesExtract, version: string): string[] {
  return removalsIn(version)
    .filter((r) => !extract.entries.some((e) => mentionsRemoval(e.text, r)))
    .map((r) => `${r.groupVersion} ${r.kind}`);
}

void describe('release-notes extraction on the real notes', () => {
  for (const version of ['1.29', '1.30', '1.31', '1.32']) {
    void it(`${version}: keeps every removal from the notes themselves and is at most 20 % of the full text`, () => {
      const full = read(`full/release-notes-draft-${version}.md`);
      const extract = extractReleaseNotes(full, {
        targetVersion: version,
        source: 'full draft',
        includeFacts: false,
      });
      assert.deepEqual(notMentioned(extract, version), []);
      assert.equal(extract.fullTokens, countTokens(full));
      assert.equal(extract.extractTokens, countTokens(renderExtract(extract)));
      assert.ok(
        extract.extractTokens <= 0.2 * extract.fullTokens,
        `${extract.extractTokens} of ${extract.fullTokens} tokens`,
      );
      assert.ok(
        extract.entries.every((e) => !e.text.includes('<!--') && !e.text.includes('[@')),
        'no comments or author links left',
      );
    });
  }

  void it('1.32: the flowcontrol v1beta3 removal is found under "Other (Cleanup or Flake)"', () => {
    const extract = extractReleaseNotes(read('full/release-notes-draft-1.32.md'), {
      targetVersion: '1.32',
      source: 'x',
      includeFacts: false,
    });
    const entry = extract.entries.find(
      (e) => e.text.includes('flowcontrol.apiserver.k8s.io/v1beta3') && /no longer served/.test(e.text),
    );
    assert.equal(entry?.section, 'Other (Cleanup or Flake)');
    assert.equal(entry?.category, 'removal');
    assert.match(entry?.prUrl ?? '', /^https:\/\/github\.com\/kubernetes\/kubernetes\/pull\/\d+$/);
    const coordination = extract.entries.find((e) => /Coordination\.v1alpha1 API is dropped/.test(e.text));
    assert.equal(coordination?.prUrl, 'https://github.com/kubernetes/kubernetes/pull/127857');
    assert.deepEqual(coordination?.sigs, ['API Machinery', 'Etcd', 'Scheduling', 'Testing']);
    assert.equal(coordination?.category, 'removal');
  });

  void it('1.29 CHANGELOG: the bare PR-template comment in Deprecation is kept as a pointer and the removal comes from the facts', () => {
    const text = read('CHANGELOG-1.29-upgrade-notes.md');
    const extract = extractReleaseNotes(text, { targetVersion: '1.29', source: 'CHANGELOG-1.29' });
    const template = extract.entries.find((e) => e.prUrl?.endsWith('/119495'));
    assert.equal(template?.section, 'Deprecation');
    assert.match(template?.text ?? '', /only a PR-template comment/);
    assert.deepEqual(template?.sigs, ['API Machinery']);
    assert.ok(extract.entries.every((e) => !/Please use the following format|<!--/.test(e.text)));
    assert.deepEqual(
      notMentioned(extractReleaseNotes(text, { targetVersion: '1.29', source: 'x', includeFacts: false }), '1.29'),
      [
        'flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema',
        'flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration',
      ],
    );
    const facts = extract.entries.filter((e) => e.section === FACTS_SECTION);
    assert.deepEqual(
      facts.map((e) => e.text.split(':')[0]),
      ['flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema, PriorityLevelConfiguration'],
    );
    assert.deepEqual(notMentioned(extract, '1.29'), []);
  });

  void it('with the facts supplement, no excerpt or draft from 1.27 to 1.33 misses a removal', () => {
    const files: Array<[string, string]> = [
      ['1.29', 'CHANGELOG-1.29-upgrade-notes.md'],
      ['1.30', 'CHANGELOG-1.30-upgrade-notes.md'],
      ['1.31', 'CHANGELOG-1.31-upgrade-notes.md'],
      ['1.32', 'CHANGELOG-1.32-upgrade-notes.md'],
    ];
    for (const v of ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'])
      files.push([v, `release-notes-draft-${v}-upgrade-notes.md`], [v, `full/release-notes-draft-${v}.md`]);
    for (const [version, file] of files)
      assert.deepEqual(
        notMentioned(extractReleaseNotes(read(file), { targetVersion: version, source: file }), version),
        [],
        file,
      );
    // 1.32's excerpt stops before "Other": the v1beta3 removal must come from the facts there.
    const excerpt = extractReleaseNotes(read('CHANGELOG-1.32-upgrade-notes.md'), {
      targetVersion: '1.32',
      source: 'x',
    });
    assert.ok(
      excerpt.entries.some(
        (e) =>
          e.section === FACTS_SECTION &&
          e.text.startsWith('flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema, PriorityLevelConfiguration:'),
      ),
    );
  });

  void it('classifies: urgent ACTION REQUIRED, 1.33 v1alpha1 VAP removal under Other, 1.30 without urgent notes', () => {
    const e131 = extractReleaseNotes(read('full/release-notes-draft-1.31.md'), {
      targetVersion: '1.31',
      source: 'x',
      includeFacts: false,
    });
    const recover = e131.entries.find(
      (e) => /RecoverVolumeExpansionFailure/.test(e.text) && e.section === 'Urgent Upgrade Notes',
    );
    assert.equal(recover?.category, 'action-required');
    const e133 = extractReleaseNotes(read('full/release-notes-draft-1.33.md'), {
      targetVersion: '1.33',
      source: 'x',
      includeFacts: false,
    });
    const vap = e133.entries.find((e) => /v1alpha1.*ValidatingAdmissionPolicy/.test(e.text));
    assert.equal(vap?.section, 'Other (Cleanup or Flake)');
    assert.equal(vap?.category, 'removal');
    assert.ok(
      e133.entries.some(
        (e) => /v1 Endpoints API is now officially deprecated/.test(e.text) && e.category === 'deprecation',
      ),
    );
    const e130 = extractReleaseNotes(read('full/release-notes-draft-1.30.md'), {
      targetVersion: '1.30',
      source: 'x',
      includeFacts: false,
    });
    assert.ok(!e130.entries.some((e) => e.section === 'Urgent Upgrade Notes'));
    assert.ok(e130.entries.some((e) => /SecurityContextDeny/.test(e.text)));
    // Housekeeping is dropped: removed GA feature gates outside Urgent/Deprecation.
    assert.ok(!e131.entries.some((e) => /^Removed generally available feature gate/.test(e.text)));
  });
});

void describe('release-notes structure handling', () => {
  void it('selects the x.y.0 section of a whole CHANGELOG, against the previous minor', () => {
    const changelog = [
      '# v1.32.1',
      '## Changelog since v1.32.0',
      '### Bug or Regression',
      '- patch fix (#1)',
      '# v1.32.0',
      '## Changelog since v1.32.0-rc.2',
      '- rc noise (#2)',
      '## Changelog since v1.31.0',
      '## Urgent Upgrade Notes',
      '### (No, really, you MUST read this before you upgrade)',
      '- You must delete the old objects before upgrading. ([#3](https://github.com/kubernetes/kubernetes/pull/3), [@a](https://github.com/a)) [SIG Apps]',
      '## Changes by Kind',
      '### Feature',
      '- A feature (#4)',
      '## Dependencies',
      '### Removed',
      '- github.com/x/y v1.0',
      '# v1.32.0-rc.2',
      '- older',
    ].join('\n');
    const section = selectMinorReleaseSection(changelog, '1.32');
    assert.ok(section.startsWith('## Changelog since v1.31.0'));
    assert.ok(!section.includes('patch fix') && !section.includes('rc noise') && !section.includes('older'));
    const extract = extractReleaseNotes(changelog, { targetVersion: '1.32', source: 'x', includeFacts: false });
    assert.deepEqual(
      extract.entries.map((e) => [e.section, e.category, e.text, e.prUrl, e.sigs.join()]),
      [
        [
          'Urgent Upgrade Notes',
          'action-required',
          'You must delete the old objects before upgrading.',
          'https://github.com/kubernetes/kubernetes/pull/3',
          'Apps',
        ],
      ],
    );
  });

  void it('empty notes still carry the facts for the target', () => {
    const extract = extractReleaseNotes('', { targetVersion: '1.25', source: 'none' });
    assert.equal(extract.entries.length, 6, 'one entry per group/version removed in 1.25');
    assert.ok(extract.entries.every((e) => e.section === FACTS_SECTION && e.category === 'removal'));
    assert.ok(
      extract.entries.some((e) =>
        /^policy\/v1beta1 PodDisruptionBudget, PodDisruptionBudgetList, PodSecurityPolicy: .*PodSecurityPolicy: no replacement API; .*Pod Security Admission/.test(
          e.text,
        ),
      ),
    );
  });
});

const EKS_DOCS = referencePath('data/eks-docs');

void describe('EKS version notes (AsciiDoc)', () => {
  void it('takes the bullets and subsections of the version, in both doc editions', () => {
    const fork = readFileSync(`${EKS_DOCS}/fork-sheetaljoshi-2026-01/kubernetes-versions-standard.adoc`, 'utf8');
    const e132 = extractEksVersionNotes(fork, '1.32');
    assert.ok(e132.every((e) => e.section === EKS_NOTES_SECTION));
    assert.ok(e132.some((e) => e.category === 'removal' && /flowcontrol\.apiserver\.k8s\.io\/v1beta3/.test(e.text)));
    assert.ok(e132.some((e) => /^Anonymous authentication changes: .*\/healthz/.test(e.text)));
    assert.ok(e132.some((e) => /last version for which Amazon EKS will release Amazon Linux 2/.test(e.text)));
    assert.ok(!e132.some((e) => /1\.31|For the complete/.test(e.text.slice(0, 40))), 'nothing from the next section');
    assert.ok(
      extractEksVersionNotes(fork, '1.33').some((e) =>
        /Dynamic Resource Allocation beta Kubernetes API is enabled/.test(e.text),
      ),
    );
    const old = readFileSync(`${EKS_DOCS}/awsdocs-2024-12/kubernetes-versions-extended.adoc`, 'utf8');
    const e126 = extractEksVersionNotes(old, '1.26');
    assert.deepEqual(
      e126.map((e) => e.category),
      ['removal', 'action-required', 'default-change'],
    );
    assert.match(e126[1]?.text ?? '', /VPC CNI plugin for Kubernetes` to version `1\.12`/);
    assert.deepEqual(extractEksVersionNotes(old, '1.40'), []);
  });

  void it('EKS notes join the upstream extract and count as mentioning removals', () => {
    const fork = readFileSync(`${EKS_DOCS}/fork-sheetaljoshi-2026-01/kubernetes-versions-standard.adoc`, 'utf8');
    const extract = extractReleaseNotes(read('CHANGELOG-1.32-upgrade-notes.md'), {
      targetVersion: '1.32',
      source: 'x',
      eksNotesAdoc: fork,
    });
    assert.ok(extract.entries.some((e) => e.section === EKS_NOTES_SECTION));
    // Without the EKS notes, the excerpt (which stops before "Other") needs the facts for flowcontrol v1beta3;
    // with them, the EKS note names it, so nothing comes from the facts table.
    const alone = extractReleaseNotes(read('CHANGELOG-1.32-upgrade-notes.md'), { targetVersion: '1.32', source: 'x' });
    assert.deepEqual(
      alone.entries.filter((e) => e.section === FACTS_SECTION).map((e) => e.text.split(':')[0]),
      ['flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema, PriorityLevelConfiguration'],
    );
    assert.deepEqual(
      extract.entries.filter((e) => e.section === FACTS_SECTION),
      [],
    );
  });
});

void describe('chunking an oversized extract', () => {
  void it('splits under the budget and loses no entry or word', () => {
    const extract = extractReleaseNotes(read('full/release-notes-draft-1.31.md'), {
      targetVersion: '1.31',
      source: 'x',
    });
    const huge = {
      ...extract,
      entries: [
        ...extract.entries,
        {
          category: 'action-required' as const,
          section: 'Urgent Upgrade Notes',
          text: Array.from({ length: 400 }, (_, i) => `Sentence number ${i} explains one more required step.`).join(
            ' ',
          ),
          sigs: ['Node'],
        },
      ],
    };
    const budget = 400;
    const chunks = chunkExtract(huge, budget);
    assert.ok(chunks.length > 5);
    for (const chunk of chunks) {
      assert.ok(chunk.tokens <= budget, `chunk ${chunk.index} has ${chunk.tokens} tokens`);
      assert.match(chunk.text, new RegExp(`\\(chunk ${chunk.index + 1}/${chunks.length}\\)`));
    }
    const covered = new Set(chunks.flatMap((c) => c.entryIndexes));
    assert.equal(covered.size, huge.entries.length);
    const all = chunks.map((c) => c.text).join('\n');
    for (let i = 0; i < 400; i++) assert.ok(all.includes(`Sentence number ${i} explains`), `sentence ${i} kept`);
    assert.match(all, /\(part 1\/\d+\)/);
    for (const entry of extract.entries)
      assert.ok(all.includes(entry.text.replace(/\n\s*/g, ' ').slice(0, 60)), entry.text.slice(0, 60));
  });

  void it('a small extract stays one chunk; a budget too small to hold the header is refused', () => {
    const extract = extractReleaseNotes(read('full/release-notes-draft-1.32.md'), {
      targetVersion: '1.32',
      source: 'x',
    });
    const [only, ...rest] = chunkExtract(extract, 100_000);
    assert.equal(rest.length, 0);
    assert.equal(only?.entryIndexes.length, extract.entries.length);
    assert.throws(() => chunkExtract(extract, 20), /too small/);
  });
});
