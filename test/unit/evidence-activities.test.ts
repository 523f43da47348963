// createEvidenceActivities end to end (without Temporal: the activities are plain async functions): snapshot and
// EKS inventory sources, release notes from a directory, from the CHANGELOG URL with its disk cache, and none;
// the scan combining manifests, live objects and insights; readiness with manifests; bad input as non-retryable.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createEvidenceActivities, loadSnapshotFile } from '../../src/activities/evidence';
import { EKS_NOTES_SECTION, FACTS_SECTION } from '../../src/domain/release-notes';
import { referencePath } from '../harness/reference-data';
import { writeSyntheticManifest } from '../../scripts/bench-scan';

const NOW = new Date('2026-02-01T00:00:00Z');

function isNonRetryable(error: unknown, pattern: RegExp): boolean {
  return (
    error instanceof ApplicationFailure &&
    error.nonRetryable === true &&
    error.type === 'InvalidEvidenceInput' &&
    pattern.test(error.message)
  );
}

const CHANGELOG = [
  '# v1.32.2',
  '## Changelog since v1.32.1',
  '### Bug or Regression',
  '- a patch fix (#9)',
  '# v1.32.0',
  '## Changelog since v1.31.0',
  '## Urgent Upgrade Notes',
  '### (No, really, you MUST read this before you upgrade)',
  '- There are no urgent upgrade notes for the v1.32 release.',
  '## Changes by Kind',
  '### Other (Cleanup or Flake)',
  '- The `flowcontrol.apiserver.k8s.io/v1beta3` API version of `FlowSchema` and `PriorityLevelConfiguration` is no longer served in v1.32. ([#127017](https://github.com/kubernetes/kubernetes/pull/127017), [@tkashem](https://github.com/tkashem)) [SIG API Machinery]',
  '# v1.32.0-rc.1',
  '- older',
].join('\n');

void describe('evidence activities', () => {
  let server: ReturnType<typeof createServer>;
  let baseUrl: string;
  let cacheDir: string;
  const hits: string[] = [];

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'evidence-cache-'));
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/CHANGELOG/CHANGELOG-1.32.md') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(CHANGELOG);
        return;
      }
      if (req.url === '/CHANGELOG/CHANGELOG-1.29.md') {
        res.writeHead(503);
        res.end('busy');
        return;
      }
      res.writeHead(404);
      res.end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/CHANGELOG`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(cacheDir, { recursive: true, force: true });
  });

  void it('loads a snapshot file, and refuses bad ones as non-retryable input errors', async () => {
    const activities = createEvidenceActivities();
    const snapshot = await activities.loadClusterInventory({
      kind: 'snapshot',
      path: 'test/fixtures/snapshots/healthy-1.30.json',
    });
    assert.equal(snapshot.cluster.name, 'prod-east');
    await assert.rejects(
      activities.loadClusterInventory({ kind: 'snapshot', path: 'test/fixtures/snapshots/invalid.json' }),
      (e) => isNonRetryable(e, /cluster\.version/),
    );
    await assert.rejects(activities.loadClusterInventory({ kind: 'snapshot', path: 'nowhere.json' }), (e) =>
      isNonRetryable(e, /cannot read the snapshot file nowhere\.json/),
    );
    await assert.rejects(activities.loadClusterInventory({ kind: 'eks', clusterName: 'x', region: 'us-east-1' }), (e) =>
      isNonRetryable(e, /not configured/),
    );
  });

  void it('release notes from a directory pick the fullest file for the target', async () => {
    const activities = createEvidenceActivities();
    const extract = await activities.extractReleaseNotes({
      targetVersion: '1.32',
      source: { kind: 'file', path: referencePath('data/k8s-changelog') },
    });
    assert.equal(extract.source, referencePath('data/k8s-changelog/full/release-notes-draft-1.32.md'));
    assert.ok(extract.extractTokens < extract.fullTokens / 5);
    await assert.rejects(
      activities.extractReleaseNotes({
        targetVersion: '1.40',
        source: { kind: 'file', path: referencePath('data/k8s-changelog') },
      }),
      (e) => isNonRetryable(e, /no release notes for 1\.40/),
    );
    const none = await activities.extractReleaseNotes({ targetVersion: '1.29', source: { kind: 'none' } });
    assert.ok(none.entries.length > 0 && none.entries.every((e) => e.section === FACTS_SECTION));
  });

  void it('a directory holding EKS user-guide notes adds them to the extract', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-dir-'));
    try {
      await copyFile(
        referencePath('data/k8s-changelog/CHANGELOG-1.32-upgrade-notes.md'),
        join(dir, 'CHANGELOG-1.32-upgrade-notes.md'),
      );
      for (const edition of ['awsdocs-2024-12', 'fork-sheetaljoshi-2026-01']) {
        await mkdir(join(dir, 'eks-docs', edition), { recursive: true });
        await copyFile(
          referencePath('data/eks-docs', edition, 'kubernetes-versions-standard.adoc'),
          join(dir, 'eks-docs', edition, 'kubernetes-versions-standard.adoc'),
        );
      }
      const extract = await createEvidenceActivities().extractReleaseNotes({
        targetVersion: '1.32',
        source: { kind: 'file', path: dir },
      });
      assert.match(
        extract.source,
        /CHANGELOG-1\.32-upgrade-notes\.md \+ .*fork-sheetaljoshi-2026-01\/kubernetes-versions-standard\.adoc$/,
      );
      assert.ok(
        extract.entries.some((e) => e.section === EKS_NOTES_SECTION && /Anonymous authentication/.test(e.text)),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('the CHANGELOG is downloaded once, cached, and its x.y.0 section extracted', async () => {
    const activities = createEvidenceActivities({ cacheDir, changelogBaseUrl: baseUrl });
    const first = await activities.extractReleaseNotes({
      targetVersion: '1.32',
      source: { kind: 'kubernetes-changelog' },
    });
    assert.equal(first.source, `${baseUrl}/CHANGELOG-1.32.md`);
    assert.deepEqual(
      first.entries.map((e) => e.section),
      ['Urgent Upgrade Notes', 'Other (Cleanup or Flake)', FACTS_SECTION],
    );
    assert.equal(first.entries[1]?.prUrl, 'https://github.com/kubernetes/kubernetes/pull/127017');
    assert.match(first.entries[2]?.text ?? '', /coordination\.k8s\.io\/v1alpha1 LeaseCandidate/);
    assert.ok(!first.entries.some((e) => /patch fix|older/.test(e.text)));
    const second = await activities.extractReleaseNotes({
      targetVersion: '1.32',
      source: { kind: 'kubernetes-changelog' },
    });
    assert.equal(second.source, join(cacheDir, 'CHANGELOG-1.32.md'));
    assert.deepEqual(second.entries, first.entries);
    assert.equal(hits.filter((h) => h.endsWith('1.32.md')).length, 1, 'served from the cache the second time');
    assert.equal(await readFile(join(cacheDir, 'CHANGELOG-1.32.md'), 'utf8'), CHANGELOG);
  });

  void it('a CHANGELOG that cannot be downloaded leaves the facts table in the extract and says why and how to fix it', async () => {
    const activities = createEvidenceActivities({
      cacheDir,
      changelogBaseUrl: baseUrl,
      changelogAttempts: 2,
      changelogRetryDelayMs: 10,
    });
    const before = hits.filter((h) => h.endsWith('1.29.md')).length;
    const busy = await activities.extractReleaseNotes({
      targetVersion: '1.29',
      source: { kind: 'kubernetes-changelog' },
    });
    assert.equal(hits.filter((h) => h.endsWith('1.29.md')).length - before, 2, 'a server error is tried again');
    assert.match(busy.problem ?? '', new RegExp(`${baseUrl}/CHANGELOG-1\\.29\\.md \\(fetching .* HTTP 503\\)`));
    assert.match(busy.problem ?? '', /--release-notes FILE .*--release-notes none/);
    assert.ok(busy.entries.length > 0 && busy.entries.every((e) => e.section === FACTS_SECTION));
    const missing = await activities.extractReleaseNotes({
      targetVersion: '1.99',
      source: { kind: 'kubernetes-changelog' },
    });
    assert.match(missing.problem ?? '', /404/);
    // Nobody listening: the cause is named, not "fetch failed".
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await createEvidenceActivities({
      cacheDir,
      changelogBaseUrl: `http://127.0.0.1:${closedPort}/CHANGELOG`,
      changelogAttempts: 1,
    }).extractReleaseNotes({ targetVersion: '1.30', source: { kind: 'kubernetes-changelog' } });
    assert.match(unreachable.problem ?? '', /ECONNREFUSED/);
  });

  void it('the scan combines manifests, live last-applied annotations and insights, and lists unreadable files', async () => {
    const activities = createEvidenceActivities();
    const snapshot = await loadSnapshotFile('test/fixtures/snapshots/blocked-1.31.json');
    const scan = await activities.scanApiRemovals({
      manifestPaths: [
        'test/fixtures/manifests/removed/1.32-flowcontrol-coordination.yaml',
        'test/fixtures/manifests/broken',
      ],
      snapshot,
      currentVersion: '1.31',
      targetVersion: '1.32',
    });
    const sources = scan.findings.map((f) => `${f.source}:${f.kind}:${f.confidence}`);
    assert.ok(sources.includes('manifest:FlowSchema:high'));
    assert.ok(sources.includes('live-cluster:FlowSchema:medium'));
    assert.ok(sources.includes('eks-insights:FlowSchema:high'));
    assert.equal(scan.errors.length, 1);
    assert.equal(scan.targetVersion, '1.32');
    assert.ok(scan.findings.every((f) => f.code === (f.removedByTarget ? 'API001' : 'API002')));
  });

  void it('readiness reads the manifests for the workload checks', async () => {
    const activities = createEvidenceActivities({ now: () => NOW });
    const snapshot = await loadSnapshotFile('test/fixtures/snapshots/healthy-1.30.json');
    const report = await activities.checkClusterReadiness({
      snapshot,
      targetVersion: '1.31',
      manifestPaths: ['test/fixtures/manifests/workloads'],
    });
    assert.deepEqual([...new Set(report.findings.map((f) => f.code))].sort(), [
      'K8S002',
      'K8S003',
      'K8S004',
      'K8S005',
      'K8S006',
      'K8S007',
      'K8S008',
    ]);
    const without = await activities.checkClusterReadiness({ snapshot, targetVersion: '1.31', manifestPaths: [] });
    assert.deepEqual(without.findings, []);
  });
  void it('a manifest over a limit is a non-retryable failure naming the limit and its variable', async () => {
    const activities = createEvidenceActivities({
      limits: { manifests: { maxFiles: 100, maxBytes: 1e9, maxObjects: 2 } },
    });
    await assert.rejects(
      activities.scanApiRemovals({
        manifestPaths: ['test/fixtures/manifests/removed'],
        currentVersion: '1.31',
        targetVersion: '1.32',
      }),
      (e) =>
        e instanceof ApplicationFailure &&
        e.nonRetryable === true &&
        e.type === 'EvidenceLimitExceeded' &&
        /limit of 2 objects \(EKS_UPGRADE_MAX_MANIFEST_OBJECTS=2\)/.test(e.message),
    );
    await assert.rejects(
      createEvidenceActivities({ limits: { maxSnapshotBytes: 100 } }).loadClusterInventory({
        kind: 'snapshot',
        path: 'test/fixtures/snapshots/healthy-1.30.json',
      }),
      (e) =>
        e instanceof ApplicationFailure &&
        e.type === 'EvidenceLimitExceeded' &&
        /EKS_UPGRADE_MAX_SNAPSHOT_BYTES=100/.test(e.message),
    );
  });

  void it('the scan heartbeats its progress and stops soon after the activity is cancelled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evidence-cancel-'));
    try {
      const file = join(dir, 'big.yaml');
      await writeSyntheticManifest(file, 300_000);
      const activity = new MockActivityEnvironment();
      const heartbeats: unknown[] = [];
      activity.on('heartbeat', (details: unknown) => heartbeats.push(details));
      const activities = createEvidenceActivities();
      const scan = activity.run(
        (input: Parameters<typeof activities.scanApiRemovals>[0]) => activities.scanApiRemovals(input),
        {
          manifestPaths: [file],
          currentVersion: '1.21',
          targetVersion: '1.22',
        },
      );
      // Cancel once the scan is under way (its first heartbeat), then time how long it takes to stop.
      while (heartbeats.length === 0) await new Promise((r) => setTimeout(r, 20));
      const cancelledAt = Date.now();
      activity.cancel();
      await assert.rejects(scan, (e) => e instanceof CancelledFailure);
      const stopMs = Date.now() - cancelledAt;
      assert.ok(stopMs < 10_000, `stopped ${stopMs} ms after the cancellation`);
      assert.match(JSON.stringify(heartbeats[0]), /"objects":\d+/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
