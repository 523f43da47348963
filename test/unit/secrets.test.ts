// Planted secrets of every kind the redactor knows: each must vanish from the text and leave its marker, and
// ordinary upgrade evidence (manifests, release notes, secret *references*) must come through unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isSecretLikeName, redactSecrets } from '../../src/domain/secrets';
import { PLANTS } from '../fixtures/planted-secrets';
import { referencePath } from '../harness/reference-data';

for (const [i, plant] of PLANTS.entries()) {
  void test(`redacts planted ${plant.kind} #${i + 1} and leaves its marker`, () => {
    const result = redactSecrets(plant.text);
    for (const secret of plant.secrets) assert.ok(!result.text.includes(secret), `secret survived:\n${result.text}`);
    assert.ok(result.text.includes(`[REDACTED:${plant.kind}]`), `no ${plant.kind} marker in:\n${result.text}`);
    assert.ok((result.counts[plant.kind] ?? 0) >= 1);
    assert.equal(
      result.total,
      Object.values(result.counts).reduce((a, b) => a + b, 0),
    );
  });
}

void test('covers at least ten distinct kinds of secret', () => {
  assert.ok(new Set(PLANTS.map((p) => p.kind)).size >= 10);
});

void test('all plants in one document are removed together', () => {
  const all = PLANTS.map((p) => p.text).join('\n---\n');
  const result = redactSecrets(all);
  for (const secret of PLANTS.flatMap((p) => p.secrets))
    assert.ok(!result.text.includes(secret), `survived: ${secret}`);
});

void test('leaves ordinary evidence alone: references to secrets, versions, names and release notes', () => {
  const text = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'spec:',
    '  template:',
    '    spec:',
    '      automountServiceAccountToken: false',
    '      volumes:',
    '      - name: certs',
    '        secret:',
    '          secretName: web-tls',
    '      containers:',
    '      - name: web',
    '        image: nginx:1.27',
    '        env:',
    '        - name: DB_PASSWORD',
    '          valueFrom:',
    '            secretKeyRef:',
    '              name: db',
    '              key: password',
    '---',
    'kind: ConfigMap',
    'data:',
    '  mode: production',
    'The flowcontrol.apiserver.k8s.io/v1beta3 API is removed in 1.32; commit 3f786850e387550fdab836ed7e6dc881de23001b.',
  ].join('\n');
  const result = redactSecrets(text);
  assert.equal(result.text, text);
  assert.equal(result.total, 0);
});

void test('secret-like names: values behind them are secrets, references to them are not', () => {
  for (const name of [
    'DB_PASSWORD',
    'apiKey',
    'client_secret',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'GITHUB_TOKEN',
    'auth',
    'privateKey',
  ])
    assert.ok(isSecretLikeName(name), name);
  for (const name of [
    'secretName',
    'secretKeyRef',
    'passwordFile',
    'tokenTTL',
    'name',
    'image',
    'PWD',
    'credential-id',
    'clientId',
    'existingSecret',
  ])
    assert.ok(!isSecretLikeName(name), name);
});

void test('real Kubernetes release notes and EKS docs (1.1 MB, no secrets) come through almost untouched', () => {
  const texts = ['CHANGELOG-1.32-upgrade-notes.md', 'full/release-notes-draft-1.32.md'].map((f) =>
    readFileSync(referencePath('data/k8s-changelog', f), 'utf8'),
  );
  for (const text of texts) assert.equal(redactSecrets(text).total, 0);
});

void test('JSON-looking lines keep their shape: quotes and trailing commas stay, null is not a secret', () => {
  const text = '{\n  "nextToken": null,\n  "clientSecret": "planted-json-line-15",\n  "region": "us-east-1"\n}';
  const r = redactSecrets(text);
  assert.ok(!r.text.includes('planted-json-line-15'));
  assert.ok(r.text.includes('"nextToken": null'));
  const broken = redactSecrets(`${text}\ntrailing text makes it not JSON`).text;
  assert.ok(broken.includes('"clientSecret": "[REDACTED:secret-field]",'), broken);
  assert.ok(broken.includes('"nextToken": null,'));
});
