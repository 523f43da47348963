// The upgrade workflow with a live inventory (real dev server): loadClusterInventory with source `eks` reads the EKS
// fake and the Kubernetes fake (IAM token, no kubeconfig), so Helm, metric, workload and CRD evidence reach the
// decision with no workflow change; a suppression rule from .eks-upgrade.yaml waves one blocker through and the
// report lists it; no planted secret and no token reach workflow history or a prompt.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EKSClient } from '@aws-sdk/client-eks';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { createGuardedPermitGate } from '../../src/activities/bedrock-gate';
import { createBedrockRuntimeClient } from '../../src/activities/bedrock/client';
import { loadSnapshotFile } from '../../src/activities/evidence';
import { loadClusterInventory } from '../../src/activities/kubernetes/cluster-inventory';
import { renderReportMarkdown } from '../../src/domain/report';
import { parseUpgradeConfig } from '../../src/domain/suppressions';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import { abortUpdate } from '../../src/workflows/upgrade-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { FakeEks, fakeStateFromSnapshot } from '../fakes/eks-fake';
import { FakeKubernetes } from '../fakes/k8s-fake';
import { fakeTls } from '../fakes/k8s-tls';
import { LIVE_METRICS, liveClusterObjects, PLANTED_VALUES } from '../fixtures/kubernetes/cluster-objects';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { runTestWorker, type RunningTestWorker } from '../harness/test-worker';
import { scriptedModel, silentLogger, testAppConfig, waitForStatus } from './upgrade-support';

const credentials = { accessKeyId: 'AKIDLIVEWORKFLOW', secretAccessKey: 'live-workflow-test-secret' };

void describe('upgrade workflow on a live inventory (EKS + Kubernetes fakes, real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let bedrock: BedrockFake;
  let eksFake: FakeEks;
  let k8sFake: FakeKubernetes;
  let worker: RunningTestWorker | undefined;
  let taskQueue: string;

  before(async () => {
    env = await createTestEnv();
    client = env.client;
    bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO' }) });
    k8sFake = new FakeKubernetes({
      eksToken: { clusterName: 'payments', region: 'eu-west-1', credentials },
      metrics: LIVE_METRICS,
    }).add(...liveClusterObjects());
    const k8sServer = await k8sFake.start();
    const state = fakeStateFromSnapshot(await loadSnapshotFile('test/fixtures/snapshots/blocked-1.31.json'));
    const cluster = state.clusters.get('payments');
    assert.ok(cluster);
    cluster.cluster.endpoint = k8sServer;
    cluster.cluster.certificateAuthority = { data: Buffer.from(fakeTls().caPem).toString('base64') };
    eksFake = new FakeEks(state);
    const eksEndpoint = await eksFake.start();
    taskQueue = uniqueTaskQueue('upgrade-live-k8s');
    const gate = createGuardedPermitGate({
      client,
      config: testAppConfig,
      logger: silentLogger,
      guard: { workflowId: `guard-${taskQueue}`, taskQueue, limits: {} },
    });
    const activities = createActivities({
      evidence: {
        logger: silentLogger,
        now: () => new Date('2026-02-01T00:00:00Z'),
        loadFromEks: async ({ clusterName, region }) => {
          const eks = new EKSClient({ region, endpoint: eksEndpoint, credentials, maxAttempts: 1 });
          try {
            const { snapshot } = await loadClusterInventory(
              { eks, credentials: () => Promise.resolve(credentials), env: {} },
              { clusterName, region, kubeconfig: { forceEksToken: true }, now: new Date('2026-02-01T00:00:00Z') },
            );
            return snapshot;
          } finally {
            eks.destroy();
          }
        },
      },
      analysis: {
        client: createBedrockRuntimeClient({
          region: 'us-east-1',
          endpoint: bedrock.url,
          credentials,
          requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000 }),
        }),
        config: testAppConfig,
        logger: silentLogger,
        gate,
        heartbeatEveryMs: 300,
      },
    });
    worker = await runTestWorker(env, taskQueue, activities);
  });

  after(async () => {
    await worker?.stop();
    await bedrock?.close();
    await k8sFake?.stop();
    await eksFake?.stop();
    await env?.teardown();
  });

  void it('decides on Helm, metric, workload and CRD evidence; lists the suppressed blocker; leaks nothing', async () => {
    const config = parseUpgradeConfig({
      suppressions: [
        {
          code: 'K8S008',
          resource: 'DaemonSet/kube-system/log-agent',
          reason: 'the log agent moves to the containerd socket in the next release',
          expires: '2026-12-31',
        },
      ],
    });
    const handle = await client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
      taskQueue,
      workflowId: `upgrade-payments-1.32-live-${process.pid}-${Date.now()}`,
      args: [
        {
          clusterName: 'payments',
          region: 'eu-west-1',
          targetVersion: '1.32',
          inventory: { kind: 'eks' },
          releaseNotes: { kind: 'none' },
          config,
          approvalTimeoutMs: 120_000,
          analysisHeartbeatTimeoutMs: 3_000,
        },
      ],
    });
    const status = await waitForStatus(handle, (s) => s.phase === 'awaiting-approval', 60_000);
    const decision = status.decision;
    assert.equal(decision?.verdict, 'NO_GO');
    const blockers = decision?.blockers.map((b) => `${b.code} ${b.resource ?? ''}`) ?? [];
    assert.ok(blockers.includes('API001 HorizontalPodAutoscaler edge/edge-proxy'), blockers.join('; '));
    assert.ok(blockers.includes('API001 Ingress shop/shop'));
    assert.ok(blockers.includes('API001 FlowSchema (API clients)'), 'the metric says flowcontrol v1beta3 is requested');
    assert.ok(blockers.includes('K8S007 StatefulSet shop/queue'));
    assert.ok(!blockers.some((b) => b.startsWith('K8S008')));
    assert.deepEqual(
      decision?.suppressedBlockers?.map((b) => `${b.code} ${b.resource ?? ''} ${b.suppressedBy.expires ?? ''}`),
      ['K8S008 DaemonSet kube-system/log-agent 2026-12-31'],
    );
    await handle.executeUpdate(abortUpdate, { args: [{ reason: 'fix the blockers first' }] });
    const report = await handle.result();
    const markdown = renderReportMarkdown(report);
    assert.match(markdown, /### Suppressed blockers/);
    assert.match(markdown, /log agent moves to the containerd socket/);
    assert.doesNotMatch(markdown, /extensions\/v1beta1/, 'the superseded Helm revision yields nothing');

    // Every payload of the history as text (payload data is UTF-8 JSON bytes).
    const history = JSON.stringify((await handle.fetchHistory()).events, (key, v: unknown) =>
      key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v,
    );
    assert.match(history, /edge-proxy/, 'the history holds the live evidence (decoded payloads)');
    const prompts = bedrock.calls.map((c) => c.allText).join('\n');
    for (const secret of PLANTED_VALUES) {
      assert.ok(!history.includes(secret), `planted value in history: ${secret.slice(0, 6)}…`);
      assert.ok(!prompts.includes(secret), `planted value in a prompt: ${secret.slice(0, 6)}…`);
    }
    for (const token of k8sFake.tokensSeen) assert.ok(!history.includes(token) && !prompts.includes(token));
    assert.ok(k8sFake.tokensSeen.size >= 1, 'the Kubernetes API was read with an IAM token');
  });
});
