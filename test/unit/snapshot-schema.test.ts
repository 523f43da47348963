import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterSnapshot } from '../../src/domain/snapshot';

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
    () => parseClusterSnapshot({ schemaVersion: 2, cluster: { name: '', version: 'v1.31' } }, 'snap.json'),
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
