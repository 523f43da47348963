// `eks-upgrade scan` as a function: exit codes, formats, JSON alone on stdout, stdin for Helm output.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runScan, type ScanOptions } from '../../src/client/commands/scan';

async function scan(options: Partial<ScanOptions> & { manifests: string[] }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runScan(
    { format: 'text', ...options },
    { result: (t: string) => void out.push(t), info: (t: string) => void err.push(t) },
  );
  return { code, stdout: out.join(''), stderr: err.join('') };
}

void describe('scan command', () => {
  void it('exits 3 when an API removed at or before the target is in use', async () => {
    const { code, stdout } = await scan({
      manifests: ['test/fixtures/manifests/removed/1.29-flowcontrol.yaml'],
      target: '1.29',
    });
    assert.equal(code, 3);
    assert.match(
      stdout,
      /REMOVED +flowcontrol\.apiserver\.k8s\.io\/v1beta2 FlowSchema service-accounts at .*1\.29-flowcontrol\.yaml:1/,
    );
  });

  void it('exits 0 when the removal comes after the target (reported as deprecated) and on current APIs', async () => {
    const later = await scan({
      manifests: ['test/fixtures/manifests/removed/1.32-flowcontrol-coordination.yaml'],
      target: '1.31',
    });
    assert.equal(later.code, 0);
    assert.match(later.stdout, /DEPRECATED flowcontrol\.apiserver\.k8s\.io\/v1beta3 FlowSchema probes/);
    const current = await scan({ manifests: ['test/fixtures/manifests/current'], target: '1.33' });
    assert.equal(current.code, 0);
    assert.match(current.stdout, /0 removed, 0 deprecated, 0 unreadable/);
  });

  void it('JSON goes to stdout alone and parses; warnings go to stderr', async () => {
    const { code, stdout, stderr } = await scan({
      manifests: ['test/fixtures/manifests/broken'],
      target: '1.30',
      format: 'json',
    });
    assert.equal(code, 3);
    const result = JSON.parse(stdout) as {
      targetVersion: string;
      currentVersion: string;
      findings: Array<{ name: string; removedByTarget: boolean }>;
      errors: Array<{ file: string; line: number }>;
    };
    assert.equal(result.targetVersion, '1.30');
    assert.equal(result.currentVersion, '1.29');
    assert.deepEqual(result.findings.map((f) => f.name).sort(), [
      'after-the-error',
      'before-the-error',
      'still-scanned',
    ]);
    assert.equal(result.errors[0]?.file, 'test/fixtures/manifests/broken/bad.yaml');
    assert.match(stderr, /could not read test\/fixtures\/manifests\/broken\/bad\.yaml line \d+/);
  });

  void it('reads rendered Helm output from stdin with -', async () => {
    const rendered = readFileSync('test/fixtures/manifests/helm/rendered.yaml', 'utf8');
    const { code, stdout } = await scan({
      manifests: ['-'],
      target: '1.22',
      format: 'md',
      stdin: [rendered],
    });
    assert.equal(code, 3);
    assert.match(
      stdout,
      /\| ❌ removed \| `extensions\/v1beta1` \| Ingress shop\/storefront \| -:3 \(helm template storefront\/templates\/ingress\.yaml\)/,
    );
    assert.doesNotMatch(stdout, /FlowSchema/, 'v1beta3 is not deprecated at 1.22');
  });

  void it('bad usage exits 2 with a message saying what to fix', async () => {
    const noPaths = await scan({ manifests: [] });
    assert.equal(noPaths.code, 2);
    assert.match(noPaths.stderr, /--manifests/);
    const badTarget = await scan({ manifests: ['test/fixtures/manifests/current'], target: 'latest' });
    assert.equal(badTarget.code, 2);
    assert.match(badTarget.stderr, /invalid --target 'latest'/);
    const patch = await scan({ manifests: ['test/fixtures/manifests/current'], target: '1.32.1' });
    assert.equal(patch.code, 2, 'scan and start agree: a patch version is not a target');
    assert.match(patch.stderr, /invalid --target '1\.32\.1'.*give 1\.32/);
    const backwards = await scan({ manifests: ['test/fixtures/manifests/current'], target: '1.30', current: '1.31' });
    assert.equal(backwards.code, 2);
    assert.match(backwards.stderr, /--current 1\.31 is newer than --target 1\.30/);
    const badFormat = await scan({ manifests: ['test/fixtures/manifests/current'], format: 'yaml' as 'text' });
    assert.equal(badFormat.code, 2);
    const nothing = await scan({ manifests: ['test/fixtures/manifests/nowhere'] });
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /nowhere.*no such file/);
  });

  void it('without --target checks against the newest known minor', async () => {
    const { code, stdout } = await scan({
      manifests: ['test/fixtures/manifests/removed/1.33-validating-admission-policy.yaml'],
    });
    assert.equal(code, 3);
    assert.match(stdout, /against Kubernetes 1\.35/);
  });
});
