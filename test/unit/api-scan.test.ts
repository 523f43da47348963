// The scan over the fixture manifests: every removal version 1.16–1.33 found, nothing reported on current APIs,
// lines and sources right, broken files reported while the rest is scanned, live and insight evidence graded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readManifestPaths } from '../../src/activities/evidence/manifest-files';
import { scanInsights, scanLiveObjects, scanManifestObjects } from '../../src/domain/api-scan';
import { parseManifestText } from '../../src/domain/manifests';

void describe('API removal scan', () => {
  void it('finds every removed API in the fixtures, all removal versions 1.16–1.33 represented', async () => {
    const { objects, errors } = await readManifestPaths(['test/fixtures/manifests/removed']);
    assert.deepEqual(errors, []);
    const findings = scanManifestObjects(objects, { targetVersion: '1.33' });
    const modern = objects.filter((o) => o.apiVersion === 'apps/v1');
    assert.equal(modern.length, 1, 'the List holds one current Deployment');
    assert.equal(
      findings.length,
      objects.length - modern.length,
      'every removed object is found, the current one is not',
    );
    assert.ok(
      findings.every(
        (f) => f.removedByTarget && f.code === 'API001' && f.confidence === 'high' && f.source === 'manifest',
      ),
    );
    assert.deepEqual(
      [...new Set(findings.map((f) => f.removedIn))].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])),
      ['1.16', '1.17', '1.22', '1.24', '1.25', '1.26', '1.27', '1.29', '1.32', '1.33'],
    );
    // Each file is named for the version its objects are removed in.
    for (const f of findings)
      assert.ok(f.file?.includes(`/${f.removedIn}-`), `${f.kind} in ${f.file} removed in ${f.removedIn}`);
  });

  void it('reports nothing on current APIs (including an old apiVersion quoted in an annotation, Secrets, Endpoints)', async () => {
    const { objects, errors } = await readManifestPaths(['test/fixtures/manifests/current']);
    assert.deepEqual(errors, []);
    assert.ok(objects.length >= 20);
    assert.ok(!objects.some((o) => o.file.endsWith('.md')), 'Markdown is not scanned in directories');
    assert.deepEqual(scanManifestObjects(objects, { targetVersion: '1.33' }), []);
    assert.deepEqual(scanManifestObjects(objects, { targetVersion: '1.36' }), []);
  });

  void it('judges against the target: later removals are deprecations, not-yet-deprecated APIs are silent', async () => {
    const { objects } = await readManifestPaths([
      'test/fixtures/manifests/removed/1.32-flowcontrol-coordination.yaml',
      'test/fixtures/manifests/removed/1.29-flowcontrol.yaml',
    ]);
    const at131 = scanManifestObjects(objects, { targetVersion: '1.31' });
    assert.deepEqual(at131.map((f) => `${f.apiVersion} ${f.kind} ${f.code} ${f.removedByTarget}`).sort(), [
      'coordination.k8s.io/v1alpha1 LeaseCandidate API002 false',
      'flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema API001 true',
      'flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration API001 true',
      'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema API002 false',
      'flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration API002 false',
    ]);
    const at128 = scanManifestObjects(objects, { targetVersion: '1.28', currentVersion: '1.27' });
    assert.ok(!at128.some((f) => f.apiVersion.endsWith('v1beta3')), 'v1beta3 is not deprecated before 1.29');
    const v1beta2 = at128.find((f) => f.apiVersion.endsWith('v1beta2'));
    assert.equal(v1beta2?.removedByTarget, false);
    assert.equal(v1beta2?.replacement, 'flowcontrol.apiserver.k8s.io/v1beta3');
    assert.equal(v1beta2?.replacementAvailableOnCurrent, true);
  });

  void it('points at a replacement that survives the target, and says whether the current version serves it', () => {
    const { objects } = parseManifestText(
      'apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\nmetadata: {name: x}\n',
      'x.yaml',
    );
    const [at132] = scanManifestObjects(objects, { targetVersion: '1.32', currentVersion: '1.31' });
    assert.equal(at132?.replacement, 'flowcontrol.apiserver.k8s.io/v1');
    assert.equal(at132?.replacementAvailableOnCurrent, true);
    const [at129] = scanManifestObjects(objects, { targetVersion: '1.29', currentVersion: '1.28' });
    assert.equal(at129?.replacement, 'flowcontrol.apiserver.k8s.io/v1beta3');
    const psp = scanManifestObjects(
      parseManifestText('apiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n', 'p.yaml')
        .objects,
      { targetVersion: '1.30' },
    );
    assert.equal(psp[0]?.replacement, undefined);
    assert.equal(psp[0]?.replacementAvailableOnCurrent, false);
  });

  void it('kind: List items, JSON files and Helm output keep their lines and template names', async () => {
    const { objects } = await readManifestPaths([
      'test/fixtures/manifests/removed/1.22-list.yaml',
      'test/fixtures/manifests/removed/1.22-lease.json',
      'test/fixtures/manifests/helm/rendered.yaml',
    ]);
    const line = (kind: string, file: string) => objects.find((o) => o.kind === kind && o.file.endsWith(file))?.line;
    assert.equal(line('Ingress', '1.22-list.yaml'), 5);
    assert.equal(line('ClusterRole', '1.22-list.yaml'), 12);
    assert.equal(line('Deployment', '1.22-list.yaml'), 28);
    assert.equal(line('Lease', '1.22-lease.json'), 1);
    assert.equal(line('FlowSchema', 'rendered.yaml'), 21);
    const helm = scanManifestObjects(objects, { targetVersion: '1.32' }).filter((f) => f.source === 'helm');
    assert.deepEqual(
      helm.map((f) => `${f.kind} ${f.location}`),
      [
        'Ingress helm template storefront/templates/ingress.yaml',
        'FlowSchema helm template storefront/templates/flowschema.yaml',
      ],
    );
  });

  void it('reports a broken document by file and line and still scans the rest', async () => {
    const { objects, errors } = await readManifestPaths([
      'test/fixtures/manifests/broken',
      'test/fixtures/manifests/missing-dir',
    ]);
    assert.equal(errors.length, 2);
    assert.equal(errors[0]?.file, 'test/fixtures/manifests/broken/bad.yaml');
    assert.ok((errors[0]?.line ?? 0) >= 11 && (errors[0]?.line ?? 0) <= 12, `line ${errors[0]?.line}`);
    assert.match(errors[1]?.message ?? '', /no such file/);
    assert.deepEqual(
      objects.map((o) => o.name),
      ['before-the-error', 'after-the-error', 'still-scanned'],
    );
  });

  void it('an unrendered Helm template is one error per file with the hint, and its literal apiVersion lines still count', () => {
    const templated = parseManifestText(
      [
        'apiVersion: {{ include "chart.ingress.apiVersion" . }}',
        'kind: Ingress',
        'metadata:',
        '  name: {{ .Release.Name }}',
        '---',
        '{{- if .Values.psp.enabled }}',
        'apiVersion: extensions/v1beta1',
        'kind: PodSecurityPolicy',
        'metadata:',
        '  name: {{ template "chart.fullname" . }}',
        '{{- end }}',
        '---',
        '{{- if semverCompare ">=1.21" .Capabilities.KubeVersion.GitVersion }}',
        'apiVersion: policy/v1',
        '{{- else }}',
        'apiVersion: policy/v1beta1',
        '{{- end }}',
        'kind: PodDisruptionBudget',
        'metadata:',
        '  name: {{ .Release.Name }}',
        '',
      ].join('\n'),
      'chart/templates/all.yaml',
      true,
      '1.32',
    );
    assert.equal(templated.errors.length, 1, 'one error for the file, not one per line');
    assert.match(
      templated.errors[0]?.message ?? '',
      /unrendered Helm template \(3 of 3 document\(s\).*helm template RELEASE CHART --kube-version 1\.32/,
    );
    assert.equal(templated.errors[0]?.line, 1);
    const findings = scanManifestObjects(templated.objects, { targetVersion: '1.32' });
    assert.deepEqual(
      findings.map((f) => `${f.apiVersion} ${f.kind} line ${f.line} ${f.confidence} ${f.removedByTarget}`),
      [
        'extensions/v1beta1 PodSecurityPolicy line 7 medium true',
        'policy/v1beta1 PodDisruptionBudget line 16 low true',
      ],
    );
    assert.match(findings[1]?.location ?? '', /chosen by a condition/);
    const quoted = parseManifestText(
      'apiVersion: "{{ .Values.apiVersion }}"\nkind: Ingress\nmetadata:\n  name: x\n',
      'chart/templates/quoted.yaml',
    );
    assert.equal(quoted.objects.length, 0);
    assert.deepEqual(
      quoted.errors.map((e) => e.line),
      [1],
    );
    // Rendered output may carry {{ }} inside values (alerting templates): that is not a template.
    const rendered = parseManifestText(
      'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: rules\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: Down\n      annotations:\n        summary: "{{ $labels.instance }} is down"\n',
      'rendered.yaml',
    );
    assert.deepEqual(rendered.errors, []);
    assert.equal(rendered.objects[0]?.name, 'rules');
  });

  void it('live last-applied-configuration is medium confidence; managed objects without the annotation are not usage', () => {
    const findings = scanLiveObjects(
      [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          name: 'web',
          namespace: 'shop',
          lastAppliedApiVersion: 'extensions/v1beta1',
        },
        { apiVersion: 'batch/v1beta1', kind: 'CronJob', name: 'served-old' },
      ],
      { targetVersion: '1.30' },
    );
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.confidence, 'medium');
    assert.equal(findings[0]?.source, 'live-cluster');
    assert.match(findings[0]?.location ?? '', /last-applied-configuration/);
  });

  void it('EKS insights: deprecation details become findings naming the clients', () => {
    const findings = scanInsights(
      [
        {
          id: 'i1',
          name: 'Deprecated APIs removed in Kubernetes v1.25',
          status: 'ERROR',
          category: 'UPGRADE_READINESS',
          deprecationDetails: [
            {
              usage: '/apis/policy/v1beta1/podsecuritypolicies',
              stopServingVersion: '1.25',
              clientStats: [{ userAgent: 'kubectl/v1.24.0', numberOfRequestsLast30Days: 3 }],
            },
            {
              usage: '/apis/batch/v1beta1/namespaces/jobs/cronjobs',
              replacedWith: '/apis/batch/v1/cronjobs',
              stopServingVersion: '1.25',
              startServingReplacementVersion: '1.21',
              clientStats: [],
            },
          ],
        },
      ],
      { targetVersion: '1.25' },
    );
    assert.deepEqual(
      findings.map((f) => `${f.apiVersion} ${f.kind} ${f.removedIn} ${f.confidence}`),
      ['policy/v1beta1 PodSecurityPolicy 1.25 high', 'batch/v1beta1 CronJob 1.25 medium'],
    );
    assert.equal(findings[1]?.replacement, 'batch/v1');
    assert.equal(findings[1]?.replacementAvailableOnCurrent, true);
    assert.match(findings[0]?.location ?? '', /kubectl\/v1\.24\.0 \(3 requests/);
  });
});
