// On a Node older than package.json's engines range, the binary, npm test and the build stop at once with one
// line naming the version needed and how to get it. The older Node is simulated (process.version overridden
// before the check runs); where the machine has a real one (/usr/bin/node on Debian), it is tried too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'eks-upgrade.cjs');

function asNode(version: string, script: string) {
  const fake = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${version}' } });
    Object.defineProperty(process, 'version', { value: 'v${version}' });
    process.argv = [process.argv[0], ${JSON.stringify(script)}, '--help'];
    require(${JSON.stringify(script)});`;
  return spawnSync(process.execPath, ['-e', fake], { cwd: ROOT, encoding: 'utf8' });
}

void test('Node 20 and 22.11 are refused in one line naming >= 22.12; 22.12 runs', () => {
  for (const version of ['20.11.1', '22.11.0']) {
    const r = asNode(version, BIN);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      new RegExp(`^eks-upgrade-agent needs Node\\.js >= 22\\.12, but this is v${version} .*Node 24`),
    );
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const ok = asNode('22.12.0', join(ROOT, 'bin', 'check-node.cjs'));
  assert.equal(ok.status, 0, ok.stderr);
});

const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const major = Number(spawnSync(path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout);
  return major > 0 && major < 22;
});

void test(
  'a real older Node on this machine is refused the same way',
  { skip: !systemNode && 'no Node < 22 installed here' },
  () => {
    const r = spawnSync(systemNode ?? '', [BIN, 'scan', '--help'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^eks-upgrade-agent needs Node\.js >= 22\.12, but this is v\d+\./);
  },
);
