import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compactSnapshot,
  parseClusterSnapshot,
  parseSnapshotText,
  type SnapshotError,
} from '../../src/domain/snapshot';

void test('fields the schema does not name are dropped, so stray secrets never reach workflow history', () => {
  const raw = {
    schemaVersion: 1,
    cluster: { name: 'prod-east', version: '1.31', tags: { 'ci-token': 'ghp_plantedTokenValue1234567890' } },
    liveObjects: [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        name: 'db',
        namespace: 'app',
        data: { password: 'cGxhbnRlZC1wYXNzd29yZA==' },
      },
    ],
    kubeconfig: 'users: [{name: admin, user: {token: planted-kubeconfig-token}}]',
  };
  const snapshot = parseClusterSnapshot(raw);
  const json = JSON.stringify(snapshot);
  for (const planted of ['ghp_plantedTokenValue', 'cGxhbnRlZC1wYXNzd29yZA', 'planted-kubeconfig-token']) {
    assert.ok(!json.includes(planted), `${planted} survived parsing: ${json}`);
  }
  assert.deepEqual(snapshot.liveObjects, [{ apiVersion: 'v1', kind: 'Secret', name: 'db', namespace: 'app' }]);
});

void test('a bad snapshot names every bad field and points at the schema doc', () => {
  assert.throws(
    () => parseClusterSnapshot({ cluster: { name: '', version: 'v1.31' } }, 'snap.json'),
    (err: Error) => {
      assert.match(err.message, /Invalid cluster snapshot in snap\.json/);
      assert.match(err.message, /schemaVersion/);
      assert.match(err.message, /cluster\.name/);
      assert.match(err.message, /cluster\.version: expected a Kubernetes minor version/);
      assert.match(err.message, /docs\/snapshot\.md/);
      return true;
    },
  );
});

void test('an unknown schemaVersion is named as such, not as a list of fields that a newer format may have moved', () => {
  assert.throws(
    () => parseClusterSnapshot({ schemaVersion: 2, cluster: { name: 'x', version: '1.31' } }, 'snap.json'),
    (err: SnapshotError) =>
      err.field === 'schemaVersion' &&
      /snap\.json: schemaVersion 2 is not one this eks-upgrade reads \(1\)/.test(err.message),
  );
});

void test('snapshot text: empty, binary and non-JSON files are refused naming the file; kept free text is redacted', () => {
  assert.throws(() => parseSnapshotText('  \n', 's.json'), /the snapshot file s\.json is empty/);
  const binary = `\u0000\u0001ELF${'\u0002'.repeat(5000)}`;
  assert.throws(
    () => parseSnapshotText(binary, 's.bin'),
    (err: Error) => /s\.bin is binary data/.test(err.message) && err.message.length < 600,
  );
  assert.throws(() => parseSnapshotText('{"schemaVersion": 1,', 's.json'), /s\.json is not valid JSON/);
  const snapshot = parseSnapshotText(
    JSON.stringify({
      schemaVersion: 1,
      cluster: {
        name: 'c',
        version: '1.31',
        health: { issues: [{ code: 'X', message: 'db failed: password=hunter2-planted host=db' }] },
      },
      insights: [
        { id: 'i', name: 'n', status: 'ERROR', description: 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345' },
      ],
    }),
    's.json',
  );
  const json = JSON.stringify(snapshot);
  assert.ok(!json.includes('hunter2-planted'), json);
  assert.ok(!json.includes('abcdefghijklmnopqrstuvwxyz012345'), json);
  assert.match(snapshot.cluster.health?.issues[0]?.message ?? '', /password=\[REDACTED:/);
});

void test('compactSnapshot keeps only live objects the API scan can report, and counts the rest', () => {
  const liveObjects = Array.from({ length: 5000 }, (_, i) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    name: `web-${i}`,
    ...(i % 2 === 0 ? { lastAppliedApiVersion: 'extensions/v1beta1' } : {}),
  }));
  const compact = compactSnapshot({ schemaVersion: 1, cluster: { name: 'c', version: '1.31' }, liveObjects }, 1000);
  assert.equal(compact.liveObjects?.length, 1000);
  assert.equal(compact.liveObjectsTotal, 5000);
  assert.equal(compact.liveObjectsOmitted, 1500);
  assert.ok(compact.liveObjects?.every((o) => o.lastAppliedApiVersion === 'extensions/v1beta1'));
});
