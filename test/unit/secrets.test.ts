// Planted secrets of every kind the redactor knows: each must vanish from the text and leave its marker, and
// ordinary upgrade evidence (manifests, release notes, secret *references*) must come through unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretLikeName, redactSecrets, type SecretKind } from '../../src/domain/secrets';

interface Plant {
  kind: SecretKind;
  /** The secret values that must not survive. */
  secrets: string[];
  text: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const PEM_KEY = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK', '-----END RSA PRIVATE KEY-----'].join('\n');
const PEM_CERT = ['-----BEGIN CERTIFICATE-----', 'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ', 'RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD', '-----END CERTIFICATE-----'].join('\n');
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6Ik1yN2R4In0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLXBsYW50ZWQtZm9yLXRlc3Q';

const PLANTS: Plant[] = [
  {
    kind: 'kubernetes-secret-data',
    secrets: [b64('planted-db-password-1'), b64('planted-api-token-2')],
    text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${b64('planted-db-password-1')}\n  api: ${b64('planted-api-token-2')}\n`,
  },
  {
    kind: 'kubernetes-secret-data',
    secrets: ['planted-string-data-3', 'line-two-of-a-block-4'],
    text: `---\nkind: Secret\napiVersion: v1\nstringData:\n  config.yaml: |\n    user: admin\n    line-two-of-a-block-4\n  plain: planted-string-data-3\n---\nkind: ConfigMap\ndata:\n  keep: visible-configmap-value\n`,
  },
  {
    kind: 'kubernetes-secret-data',
    secrets: [b64('planted-json-secret-5')],
    text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Secret', data: { k: b64('planted-json-secret-5') } }) } }, data: { k: b64('planted-json-secret-5') } }] }),
  },
  { kind: 'aws-access-key-id', secrets: ['AKIAIOSFODNN7PLANTED'], text: 'The pipeline used AKIAIOSFODNN7PLANTED to call EKS.' },
  { kind: 'aws-secret-access-key', secrets: ['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'], text: '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = 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\n' },
  { kind: 'aws-secret-access-key', secrets: ['je7MtGbClwBF/2Zp9Utk/h3yCo8nvbPLANTED2EX'], text: 'leaked in a log line: je7MtGbClwBF/2Zp9Utk/h3yCo8nvbPLANTED2EX while calling sts' },
  { kind: 'aws-session-token', secrets: ['IQoJb3JpZ2luX2VjEPlantedSessionTokenValue1234567890abcdef'], text: 'session: IQoJb3JpZ2luX2VjEPlantedSessionTokenValue1234567890abcdef' },
  { kind: 'bearer-token', secrets: ['planted.bearer-token_value42'], text: 'curl -H "Authorization: Bearer planted.bearer-token_value42" https://api.example.com' },
  { kind: 'jwt', secrets: [JWT], text: `serviceaccount token in a pod log: ${JWT}` },
  { kind: 'private-key', secrets: ['MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun'], text: `tls key:\n${PEM_KEY}\nend` },
  { kind: 'certificate', secrets: ['MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ'], text: `ca:\n${PEM_CERT}` },
  {
    kind: 'kubeconfig-credential',
    secrets: [b64('planted-client-key-6'), 'planted-kubeconfig-token-7'],
    text: `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://ABC.gr7.us-east-1.eks.amazonaws.com\n  name: prod\nusers:\n- name: admin\n  user:\n    client-key-data: ${b64('planted-client-key-6')}\n    token: planted-kubeconfig-token-7\n`,
  },
  {
    kind: 'secret-env-value',
    secrets: ['planted-env-password-8', 'planted-json-env-9'],
    text: `spec:\n  containers:\n  - name: app\n    env:\n    - name: DB_PASSWORD\n      value: planted-env-password-8\n    - name: LOG_LEVEL\n      value: debug\n    args: ['{"name":"STRIPE_API_KEY","value":"planted-json-env-9"}']\n`,
  },
  { kind: 'secret-env-value', secrets: ['planted-shell-secret-10'], text: 'export SERVICE_CLIENT_SECRET=planted-shell-secret-10\nexport REGION=us-east-1' },
  { kind: 'secret-field', secrets: ['planted-helm-password-11'], text: 'postgresql:\n  auth:\n    username: app\n    password: "planted-helm-password-11"\n' },
  { kind: 'url-credentials', secrets: ['planted-url-pass-12'], text: 'DATABASE: postgres://app:planted-url-pass-12@db.internal:5432/app' },
  { kind: 'github-token', secrets: ['ghp_PlantedGithubToken0123456789abcdefABCD'], text: 'token ghp_PlantedGithubToken0123456789abcdefABCD was rotated' },
  { kind: 'slack-token', secrets: ['xoxb-1234567890-planted-slack'], text: 'alerts go via xoxb-1234567890-planted-slack' },
  { kind: 'api-key', secrets: ['sk-ant-planted0123456789abcdefghij'], text: 'model key sk-ant-planted0123456789abcdefghij' },
  { kind: 'docker-registry-auth', secrets: [b64('user:planted-registry-13')], text: JSON.stringify({ auths: { 'ghcr.io': { auth: b64('user:planted-registry-13') } } }) },
  { kind: 'secret-field', secrets: ['planted-flag-token-14'], text: 'kubectl --token=planted-flag-token-14 get pods' },
];

for (const [i, plant] of PLANTS.entries()) {
  void test(`redacts planted ${plant.kind} #${i + 1} and leaves its marker`, () => {
    const result = redactSecrets(plant.text);
    for (const secret of plant.secrets) assert.ok(!result.text.includes(secret), `secret survived:\n${result.text}`);
    assert.ok(result.text.includes(`[REDACTED:${plant.kind}]`), `no ${plant.kind} marker in:\n${result.text}`);
    assert.ok((result.counts[plant.kind] ?? 0) >= 1);
    assert.equal(result.total, Object.values(result.counts).reduce((a, b) => a + b, 0));
  });
}

void test('covers at least ten distinct kinds of secret', () => {
  assert.ok(new Set(PLANTS.map((p) => p.kind)).size >= 10);
});

void test('all plants in one document are removed together', () => {
  const all = PLANTS.map((p) => p.text).join('\n---\n');
  const result = redactSecrets(all);
  for (const secret of PLANTS.flatMap((p) => p.secrets)) assert.ok(!result.text.includes(secret), `survived: ${secret}`);
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
  for (const name of ['DB_PASSWORD', 'apiKey', 'client_secret', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'GITHUB_TOKEN', 'auth', 'privateKey']) assert.ok(isSecretLikeName(name), name);
  for (const name of ['secretName', 'secretKeyRef', 'passwordFile', 'tokenTTL', 'name', 'image', 'PWD']) assert.ok(!isSecretLikeName(name), name);
});
