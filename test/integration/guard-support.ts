// Shared set-up for the guard's integration tests: config, gates, ledger replay, and a silent logger.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { loadConfig, type AppConfig } from '../../src/domain/config';
import type { GuardLimits } from '../../src/domain/guard-ledger';
import { createLogger } from '../../src/worker/logging';
import { createGuardedPermitGate, type GuardedPermitGateDeps } from '../../src/activities/bedrock-gate';
import type { BedrockPermitRequest } from '../../src/activities/contracts';

export const silentLogger = createLogger('silent');

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
      ...(guard.continueAsNewAfterUpdates !== undefined
        ? { startInput: { continueAsNewAfterUpdates: guard.continueAsNewAfterUpdates } }
        : {}),
    },
    ...extra,
  });
}

export function permitRequest(caller: string, estimatedCostUsd = 0.01, estimatedTokens = 1_000): BedrockPermitRequest {
  return {
    modelId: 'test-model',
    caller,
    estimatedCostUsd,
    estimatedInputCostUsd: estimatedCostUsd / 5,
    estimatedTokens,
  };
}

export interface LedgerReplay {
  /** Ledger changes replayed (completed reserve grants and settles). */
  steps: number;
  runs: number;
  maxCommittedUsd: number;
  spentUsd: number;
}

/**
 * Replays the guard's histories (every run, oldest first) with plain arithmetic, independently of the guard's
 * code: a granted reserve holds its estimate until its settle charges `chargedUsd`. Every ledger change is a
 * completed update in the history, so the maximum of settled + reserved after each one is the maximum at any moment.
 */
export async function replayGuardLedger(client: Client, workflowId: string): Promise<LedgerReplay> {
  const histories: temporal.api.history.v1.IHistory[] = [];
  for (let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId; runId;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  const decode = (payloads: temporal.api.common.v1.IPayloads | null | undefined): Record<string, unknown> => {
    const first = payloads?.payloads?.[0];
    return first ? defaultPayloadConverter.fromPayload(first) : {};
  };
  const open = new Map<string, number>();
  const replay: LedgerReplay = { steps: 0, runs: histories.length, maxCommittedUsd: 0, spentUsd: 0 };
  for (const history of histories) {
    const accepted = new Map<string, { name: string; arg: Record<string, unknown> }>();
    for (const event of history.events ?? []) {
      const acc = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      if (acc?.meta?.updateId)
        accepted.set(acc.meta.updateId, { name: acc.input?.name ?? '', arg: decode(acc.input?.args) });
      const done = event.workflowExecutionUpdateCompletedEventAttributes;
      const request = done?.meta?.updateId ? accepted.get(done.meta.updateId) : undefined;
      if (!request || !done?.outcome?.success) continue;
      const answer = decode(done.outcome.success);
      if (request.name === 'reserve' && answer.kind === 'granted')
        open.set(String(answer.reservationId), Number(request.arg.estimatedCostUsd));
      else if (request.name === 'settle') {
        open.delete(String(request.arg.reservationId));
        replay.spentUsd += Number(answer.chargedUsd);
      } else continue;
      replay.steps += 1;
      replay.maxCommittedUsd = Math.max(
        replay.maxCommittedUsd,
        replay.spentUsd + [...open.values()].reduce((a, b) => a + b, 0),
      );
    }
  }
  return replay;
}
