// The pure parts of the Kubernetes read: node kinds from labels, workload and CRD summaries, the last-applied
// apiVersion (never managedFields), Helm revision selection and decoding, the /metrics parser, third-party tables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHelmReleaseField, helmReleaseRecordFromSecret } from '../../src/activities/kubernetes/helm-secrets';
import { retryAfterMs } from '../../src/activities/kubernetes/transport';
import { scanRequestedDeprecatedApis, scanThirdPartyApis, apiTables } from '../../src/domain/api-scan-cluster';
import { parseRequestedDeprecatedApis } from '../../src/domain/apiserver-metrics';
import { latestDeployed, releaseRefOf, summarizeHelmRelease } from '../../src/domain/helm-release';
import { deniedText, rbacRuleFor } from '../../src/domain/kubernetes-inventory';
import {
  classifyNode,
  crdSummaryOf,
  lastAppliedApiVersionOf,
  workloadSummaryOf,
} from '../../src/domain/kubernetes-objects';
import { snapshotForPrompt } from '../../src/domain/snapshot-digest';
import { compareComponentVersions, parseVersionsFile } from '../../src/domain/third-party-apis';
import { helmReleaseSecret, LIVE_METRICS } from '../fixtures/kubernetes/cluster-objects';

void describe('Kubernetes domain', () => {
  void it('classifies nodes by their labels', () => {
    assert.deepEqual(classifyNode({ 'eks.amazonaws.com/nodegroup': 'ng-1' }), { kind: 'managed', group: 'ng-1' });
    assert.deepEqual(
      classifyNode({ 'eks.amazonaws.com/compute-type': 'fargate', 'eks.amazonaws.com/fargate-profile': 'fp' }),
      { kind: 'fargate', group: 'fp' },
    );
    assert.deepEqual(classifyNode({ 'eks.amazonaws.com/compute-type': 'hybrid' }), { kind: 'hybrid' });
    assert.deepEqual(
      classifyNode({ 'eks.amazonaws.com/compute-type': 'auto', 'karpenter.sh/nodepool': 'general-purpose' }),
      {
        kind: 'auto-mode',
        group: 'general-purpose',
      },
    );
    assert.deepEqual(classifyNode({ 'karpenter.sh/nodepool': 'default' }), { kind: 'karpenter', group: 'default' });
    assert.deepEqual(classifyNode({ 'karpenter.sh/provisioner-name': 'old' }), { kind: 'karpenter', group: 'old' });
    assert.deepEqual(classifyNode({}), { kind: 'self-managed' });
  });

  void it('summarises workloads with defaults left out, and reads only the last-applied apiVersion', () => {
    const body = {
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'batch' },
      spec: {
        jobTemplate: {
          spec: {
            template: {
              metadata: { labels: { app: 'nightly' } },
              spec: {
                containers: [{ name: 'job', env: [{ name: 'TOKEN', value: 'planted-value' }] }],
                volumes: [{ name: 'd', hostPath: { path: '/run/dockershim.sock' } }],
              },
            },
          },
        },
      },
    };
    const summary = workloadSummaryOf(body);
    assert.deepEqual(summary, {
      kind: 'CronJob',
      name: 'nightly',
      namespace: 'batch',
      podLabels: { app: 'nightly' },
      containersWithoutReadinessProbe: ['job'],
      dockerSocketPaths: ['/run/dockershim.sock'],
    });
    assert.ok(!JSON.stringify(summary).includes('planted-value'));
    assert.equal(workloadSummaryOf({ kind: 'ConfigMap', metadata: { name: 'x' } }), undefined);
    const annotated = {
      metadata: {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            spec: { scaleTargetRef: { apiVersion: 'apps/v1beta1' } },
            apiVersion: 'autoscaling/v2beta2',
          }),
        },
        managedFields: [{ apiVersion: 'extensions/v1beta1' }],
      },
    };
    assert.equal(lastAppliedApiVersionOf(annotated), 'autoscaling/v2beta2');
    assert.equal(
      lastAppliedApiVersionOf({ metadata: { managedFields: [{ apiVersion: 'extensions/v1beta1' }] } }),
      undefined,
    );
    assert.equal(
      lastAppliedApiVersionOf({
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{oops' } },
      }),
      undefined,
    );
  });

  void it('summarises CRDs with their served, stored and deprecated versions and the add-on version', () => {
    const crd = crdSummaryOf({
      metadata: { name: 'nodepools.karpenter.sh', labels: { 'helm.sh/chart': 'karpenter-crd-1.0.6' } },
      spec: {
        group: 'karpenter.sh',
        names: { kind: 'NodePool' },
        versions: [
          { name: 'v1beta1', served: true, storage: false, deprecated: true },
          { name: 'v1', served: true, storage: true },
        ],
      },
      status: { storedVersions: ['v1beta1', 'v1'] },
    });
    assert.deepEqual(crd, {
      name: 'nodepools.karpenter.sh',
      group: 'karpenter.sh',
      kind: 'NodePool',
      versions: [
        { name: 'v1beta1', served: true, storage: false, deprecated: true },
        { name: 'v1', served: true, storage: true, deprecated: false },
      ],
      storedVersions: ['v1beta1', 'v1'],
      appVersion: '1.0.6',
    });
  });

  void it('picks the newest deployed revision per release and decodes Helm 3 payloads', () => {
    const refs = [
      releaseRefOf('a', { owner: 'helm', name: 'web', status: 'superseded', version: '3' }),
      releaseRefOf('a', { owner: 'helm', name: 'web', status: 'deployed', version: '4' }),
      releaseRefOf('a', { owner: 'helm', name: 'web', status: 'deployed', version: '2' }),
      releaseRefOf('b', { owner: 'helm', name: 'web', status: 'deployed', version: '1' }),
      releaseRefOf('b', { owner: 'helm', name: 'api', status: 'failed', version: '1' }),
      releaseRefOf('b', { name: 'not-helm', status: 'deployed', version: '1' }),
    ].filter((r) => r !== undefined);
    assert.deepEqual(
      latestDeployed(refs).map(({ latest, otherDeployed }) => [
        latest.namespace,
        latest.releaseName,
        latest.revision,
        otherDeployed,
      ]),
      [
        ['a', 'web', 4, [2]],
        ['b', 'web', 1, []],
      ],
    );
    const secret = helmReleaseSecret({
      name: 'web',
      namespace: 'shop',
      revision: 4,
      status: 'deployed',
      chart: 'web',
      chartVersion: '2.0.0',
      manifest:
        '---\n# Source: web/templates/pdb.yaml\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  password: cGxhbnRlZA==\n',
      values: { password: 'planted-values-password' },
    });
    const record = helmReleaseRecordFromSecret(secret);
    assert.equal(record.revision, 4);
    const summary = summarizeHelmRelease(record, (v) => v === 'policy/v1beta1');
    assert.deepEqual(summary.objects, [
      { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', name: 'web', template: 'web/templates/pdb.yaml' },
    ]);
    assert.ok(!JSON.stringify(summary).includes('planted') && !JSON.stringify(summary).includes('cGxhbnRlZA'));
    assert.throws(
      () => decodeHelmReleaseField(Buffer.from('not helm').toString('base64')),
      /not base64-encoded gzip JSON/,
    );
  });

  void it('parses apiserver_requested_deprecated_apis from /metrics and grades it high ("in use now")', () => {
    const requested = parseRequestedDeprecatedApis(
      `${LIVE_METRICS}apiserver_requested_deprecated_apis{group="",removed_release="",resource="endpoints",subresource="",version="v1"} 1\napiserver_requested_deprecated_apis{group="batch",removed_release="1.25",resource="cronjobs",subresource="",version="v1beta1"} 0\n`,
    );
    assert.deepEqual(requested, [
      { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'flowschemas', removedRelease: '1.32' },
      { group: '', version: 'v1', resource: 'endpoints' },
    ]);
    const findings = scanRequestedDeprecatedApis(requested, { currentVersion: '1.31', targetVersion: '1.32' });
    assert.deepEqual(
      findings.map((f) => [f.code, f.kind, f.apiVersion, f.confidence, f.source, f.replacement]),
      [
        [
          'API001',
          'FlowSchema',
          'flowcontrol.apiserver.k8s.io/v1beta3',
          'high',
          'api-server-metrics',
          'flowcontrol.apiserver.k8s.io/v1',
        ],
      ],
    );
  });

  void it('keys third-party removals to the add-on version; reads pluto versions files', () => {
    assert.ok(compareComponentVersions('v1.6.0', '1.5.3') > 0);
    assert.equal(compareComponentVersions('1.6', 'v1.6.0'), 0);
    assert.ok(compareComponentVersions('0.33.0-rc.1', '0.33.1') < 0);
    const user = parseVersionsFile(
      {
        'target-versions': { k8s: 'v1.30.0' },
        'deprecated-versions': [
          {
            version: 'example.io/v1',
            kind: 'Widget',
            'removed-in': 'v1.29.0',
            component: 'k8s',
            'replacement-api': 'example.io/v2',
          },
        ],
      },
      'versions.yaml',
    );
    assert.deepEqual(
      user.kubernetes.map((k) => [k.groupVersion, k.kind, k.removedIn]),
      [['example.io/v1', 'Widget', '1.29']],
    );
    const tables = apiTables(undefined, { karpenter: '1.1.2' });
    const findings = scanThirdPartyApis(
      [{ apiVersion: 'karpenter.sh/v1beta1', kind: 'NodePool', name: 'default', source: 'helm', confidence: 'high' }],
      tables,
    );
    assert.equal(findings[0]?.code, 'API003');
    assert.equal(findings[0]?.removedByTarget, false);
    assert.match(findings[0]?.note ?? '', /removed in karpenter 1\.1\.0; karpenter 1\.1\.2 is installed or targeted/);
    assert.throws(
      () => parseVersionsFile({ 'deprecated-versions': [{ kind: 'X' }] }, 'bad.yaml'),
      /bad\.yaml.*deprecated-versions\.0\.version/s,
    );
  });

  void it('says which RBAC rule would allow a denied list, and how long to wait on 429', () => {
    assert.equal(
      rbacRuleFor({ group: '', resource: 'secrets', verb: 'list' }),
      '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]',
    );
    assert.match(
      deniedText({ group: 'nonResourceURL', resource: '/metrics', verb: 'get', message: 'forbidden' }),
      /nonResourceURLs: \[\/metrics\], verbs: \[get\]/,
    );
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(undefined), 1000);
    assert.equal(retryAfterMs(new Date(Date.now() + 5000).toUTCString()) > 3000, true);
  });

  void it('gives the readiness prompt counts, not thousands of objects', () => {
    const digest = snapshotForPrompt({
      schemaVersion: 1,
      cluster: { name: 'c', version: '1.30' },
      nodes: Array.from({ length: 300 }, (_, i) => ({ name: `n${i}`, kubeletVersion: 'v1.30.1', kind: 'managed' })),
      workloads: Array.from({ length: 3000 }, (_, i) => ({ kind: 'Deployment', name: `d${i}` })),
    });
    assert.deepEqual(digest.nodes, { total: 300, byKindAndKubelet: { 'managed 1.30': 300 } });
    assert.deepEqual(digest.workloads, { total: 3000, byKind: { Deployment: 3000 } });
    assert.ok(JSON.stringify(digest).length < 500);
  });
});
