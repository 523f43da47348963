// Shared set-up for the guard's integration tests: bundles, config, and a silent logger.
import { existsSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { loadConfig, type AppConfig } from '../../src/domain/config';
import type { GuardLimits } from '../../src/domain/guard-ledger';
import { createLogger } from '../../src/worker/logging';
import { createGuardedPermitGate, type GuardedPermitGateDeps } from '../../src/activities/bedrock-gate';
import type { BedrockPermitRequest } from '../../src/activities/contracts';
import { getWorkflowBundle } from '../harness/temporal';

export const silentLogger = createLogger('silent');

const UPGRADE_WORKFLOW = require.resolve('../../src/workflows/index.ts').replace(/index\.ts$/, 'upgrade.ts');

/** The shared bundle once every workflow file exists; until then, a bundle of the guard alone. */
export function guardBundle(): Promise<WorkflowBundleOption> {
  if (existsSync(UPGRADE_WORKFLOW)) return getWorkflowBundle();
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows/guard.ts'), logger: new DefaultLogger('WARN') });
}

/** The guard plus the guarded-calls test workflow (test/integration/guard-test-workflows.ts). */
export function guardTestBundle(): Promise<WorkflowBundleOption> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('./guard-test-workflows.ts'), logger: new DefaultLogger('WARN') });
}

export const testConfig: Pick<AppConfig, 'guard' | 'bedrock'> = loadConfig({});

export function uniqueGuardId(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

export function gateFor(
  client: Client,
  guard: { workflowId: string; taskQueue: string; limits: Partial<GuardLimits>; continueAsNewAfterUpdates?: number },
  extra: Partial<GuardedPermitGateDeps> = {},
) {
  return createGuardedPermitGate({
    client,
    config: testConfig,
    logger: silentLogger,
    guard: {
      workflowId: guard.workflowId,
      taskQueue: guard.taskQueue,
      limits: guard.limits,
      ...(guard.continueAsNewAfterUpdates !== undefined ? { startInput: { continueAsNewAfterUpdates: guard.continueAsNewAfterUpdates } } : {}),
    },
    ...extra,
  });
}

export function permitRequest(caller: string, estimatedCostUsd = 0.01, estimatedTokens = 1_000): BedrockPermitRequest {
  return { modelId: 'test-model', caller, estimatedCostUsd, estimatedInputCostUsd: estimatedCostUsd / 5, estimatedTokens };
}
