// Shared set-up for the upgrade workflow's integration tests and the child-process worker of the kill test:
// real activities (evidence from fixture files, analyses through the real Bedrock SDK client to the wire-level
// fake, every call through the real guard), inputs, and polling helpers.
import { join, resolve } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createActivities, type UpgradeActivities } from '../../src/activities';
import type { EvidenceDeps } from '../../src/activities/evidence';
import { createBedrockRuntimeClient } from '../../src/activities/bedrock/client';
import { createGuardedPermitGate, type GuardedPermitGate } from '../../src/activities/bedrock-gate';
import { createAnalysisCache } from '../../src/activities/analysis-cache';
import type { RollbackVerdict, UpgradeVerdict } from '../../src/domain/analysis';
import { loadConfig } from '../../src/domain/config';
import type { GuardLimits } from '../../src/domain/guard-ledger';
import { createLogger } from '../../src/worker/logging';
import { closeWithTestEnv } from '../harness/temporal';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import {
  statusQuery,
  upgradeStaticDetails,
  upgradeStaticSummary,
  type UpgradeInput,
  type UpgradeStatus,
} from '../../src/workflows/upgrade-messages';
import {
  analysisToolInput,
  byTool,
  DEFAULT_FAKE_USAGE,
  toolUseReply,
  type BedrockHandler,
} from '../fakes/bedrock-fake';

export const FIXTURES = resolve(__dirname, '../fixtures/upgrade');
/** The fixture snapshot's capture time: the support-calendar checks read the EKS calendar as of then. */
export const FIXTURE_NOW = new Date('2026-01-15T10:00:00Z');
export const silentLogger = createLogger('silent');
export const testAppConfig = loadConfig({ BEDROCK_MAX_TOKENS: '1000', BEDROCK_REQUEST_TIMEOUT_MS: '30000' });

export interface RigOptions {
  client: Client;
  bedrockUrl: string;
  taskQueue: string;
  guardId: string;
  /** Where the guard runs (default: taskQueue); production gives it a queue and worker of its own. */
  guardTaskQueue?: string;
  limits?: Partial<GuardLimits>;
  /** Share analyses through `analysis-<key>` workflows (needs a worker on analysisTaskQueueFor(taskQueue)). */
  analysisCacheTtlMs?: number;
  /** Add the campaign activities (start, watch, approve, abort upgrades). */
  campaign?: boolean;
  /** Extra evidence dependencies, e.g. a changelogBaseUrl and cacheDir for the CHANGELOG fake. */
  evidence?: EvidenceDeps;
}

/** The real activities, wired to the fake Bedrock and to a guard of the test's own (its id and task queue). */
export function rigActivities(options: RigOptions): {
  activities: UpgradeActivities;
  bedrock: BedrockRuntimeClient;
  gate: GuardedPermitGate;
} {
  const bedrock = createBedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: options.bedrockUrl,
    credentials: { accessKeyId: 'AKIDFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-the-local-fake' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000 }),
  });
  const gate = closeWithTestEnv(
    createGuardedPermitGate({
      client: options.client,
      config: testAppConfig,
      logger: silentLogger,
      guard: {
        workflowId: options.guardId,
        taskQueue: options.guardTaskQueue ?? options.taskQueue,
        limits: options.limits ?? {},
      },
    }),
  );
  const cache =
    options.analysisCacheTtlMs !== undefined
      ? createAnalysisCache({ client: options.client, ttlMs: options.analysisCacheTtlMs })
      : undefined;
  const activities = createActivities({
    evidence: { now: () => FIXTURE_NOW, logger: silentLogger, ...options.evidence },
    analysis: {
      client: bedrock,
      config: testAppConfig,
      logger: silentLogger,
      gate,
      heartbeatEveryMs: 300,
      ...(cache ? { cache } : {}),
    },
    ...(options.campaign ? { campaign: { client: options.client } } : {}),
  });
  return { activities, bedrock, gate };
}

/** A model that answers every template; the decisions as asked. */
export function scriptedModel(
  options: { decision?: UpgradeVerdict; rollback?: RollbackVerdict; delayMs?: number } = {},
): BedrockHandler {
  const decision = options.decision ?? 'GO';
  const rollback = options.rollback ?? 'ROLLBACK';
  const reply = (input: Record<string, unknown>) =>
    toolUseReply(input, DEFAULT_FAKE_USAGE, options.delayMs ? { delayMs: options.delayMs } : {});
  return byTool({
    UPGRADE_DECISION: reply(
      analysisToolInput({
        verdict: decision,
        severityScore: decision === 'GO' ? 2 : decision === 'GO_WITH_CAUTION' ? 5 : 8,
        reasons: [`scripted: the model answers ${decision}`],
      }),
    ),
    ROLLBACK_DECISION: reply(
      analysisToolInput({
        verdict: rollback,
        severityScore: rollback === 'ROLLBACK' ? 8 : 2,
        reasons: [`scripted: the model answers ${rollback}`],
      }),
    ),
    '*': reply(analysisToolInput()),
  });
}

export type ManifestSet = 'clean' | 'removed-api';

/** An analyze-mode input on the fixture cluster prod-east 1.30 → 1.31 with short windows. */
export function upgradeInput(manifests: ManifestSet, overrides: Partial<UpgradeInput> = {}): UpgradeInput {
  return {
    clusterName: 'prod-east',
    targetVersion: '1.31',
    inventory: { kind: 'snapshot', path: join(FIXTURES, 'prod-east-1.30.json') },
    manifestPaths: [join(FIXTURES, manifests)],
    releaseNotes: { kind: 'none' },
    approval: 'manual',
    soakWindowMs: 60_000,
    approvalTimeoutMs: 120_000,
    analysisHeartbeatTimeoutMs: 3_000,
    ...overrides,
  };
}

let counter = 0;
/** `upgrade-prod-east-1.31-<tag>-…`: the real id plus a suffix, since tests share one server. */
export function testWorkflowId(tag: string): string {
  return `upgrade-prod-east-1.31-${tag}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function startUpgrade(
  client: Client,
  taskQueue: string,
  input: UpgradeInput,
  tag: string,
): Promise<WorkflowHandle<typeof upgradeWorkflow>> {
  return client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
    taskQueue,
    workflowId: testWorkflowId(tag),
    args: [input],
    staticSummary: upgradeStaticSummary(input),
    staticDetails: upgradeStaticDetails(input),
  });
}

/** Polls the status query until `done` holds (or fails after `timeoutMs`, showing the last status). */
export async function waitForStatus(
  handle: WorkflowHandle,
  done: (s: UpgradeStatus) => boolean,
  timeoutMs = 120_000,
): Promise<UpgradeStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: UpgradeStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (done(last)) return last;
    } catch {
      // The first workflow task may not have run yet: the query has nobody to answer it.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status condition not met within ${timeoutMs} ms; last status: ${JSON.stringify(last)}`);
}
