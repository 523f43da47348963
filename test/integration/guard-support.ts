// Shared set-up for the guard's integration tests: config, gates, and the replay of the guard's history.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { loadConfig, type AppConfig } from '../../src/domain/config';
import type { Books, GuardLimits } from '../../src/domain/guard-ledger';
import type { SyncAnswer, SyncRequest } from '../../src/domain/guard-leases';
import { closeWithTestEnv } from '../harness/temporal';
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
  return closeWithTestEnv(
    createGuardedPermitGate({
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
    }),
  );
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
  /** Syncs replayed. */
  steps: number;
  runs: number;
  /** The most that was ever committed (spent + reserved + leased), micro-dollars. */
  maxCommittedMicros: number;
  /** Steps at which the commitments exceeded the limit (must stay empty). */
  overLimit: string[];
  /** Steps at which the replay's own sum differed from the guard's books (must stay empty). */
  mismatches: string[];
  /** What the reports charged, summed (equals the guard's spent when no lease expired). */
  settledMicros: number;
}

/** Every run of the guard's chain, oldest first. */
export async function guardHistories(client: Client, workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const histories: temporal.api.history.v1.IHistory[] = [];
  for (let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId; runId;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  return histories;
}

/**
 * Replays the guard's histories (every run, oldest first) with plain arithmetic, independently of the guard's
 * code. What is committed changes only through syncs: a granted permit commits its allowance, a started call its
 * estimate instead, a settle what it was charged instead, a returned permit nothing. A lease expiring on the guard's
 * own timer moves money from held to spent and so leaves the sum as it was, and a late report corrects that charge by
 * the same amount the replay does. So the replay's sum after each sync is the guard's spent + reserved + leased at
 * that moment, which the replay checks against the books in the guard's answer and against the limit.
 */
export async function replayGuardLedger(client: Client, workflowId: string): Promise<LedgerReplay> {
  const histories = await guardHistories(client, workflowId);
  const decode = (payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown => {
    const first = payloads?.payloads?.[0];
    return first ? defaultPayloadConverter.fromPayload(first) : undefined;
  };
  const held = new Map<string, number>(); // permit id or call id → what it holds
  let settled = 0;
  const applied = new Set<string>();
  const replay: LedgerReplay = {
    steps: 0,
    runs: histories.length,
    maxCommittedMicros: 0,
    overLimit: [],
    mismatches: [],
    settledMicros: 0,
  };
  for (const history of histories) {
    const accepted = new Map<string, { name: string; arg: unknown }>();
    for (const event of history.events ?? []) {
      const acc = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      if (acc?.meta?.updateId)
        accepted.set(acc.meta.updateId, { name: acc.input?.name ?? '', arg: decode(acc.input?.args) });
      const done = event.workflowExecutionUpdateCompletedEventAttributes;
      const request = done?.meta?.updateId ? accepted.get(done.meta.updateId) : undefined;
      if (request?.name !== 'sync' || !done?.outcome?.success) continue;
      const req = request.arg as SyncRequest;
      const answer = decode(done.outcome.success) as SyncAnswer;
      // A resend (after continue-as-new the server no longer dedupes it) is answered from memory: nothing happened.
      if (applied.has(`${req.holder}#${req.seq}`)) continue;
      applied.add(`${req.holder}#${req.seq}`);
      for (const s of req.settled) {
        held.delete(s.callId);
        held.delete(s.permitId);
        settled += s.chargedMicros;
      }
      for (const s of req.started) {
        if (held.delete(s.permitId)) held.set(s.callId, s.estimateMicros);
      }
      for (const id of req.returned) held.delete(id);
      for (const p of answer.permits) held.set(p.id, p.allowanceMicros);
      replay.steps += 1;
      const committed = settled + [...held.values()].reduce((a, b) => a + b, 0);
      replay.maxCommittedMicros = Math.max(replay.maxCommittedMicros, committed);
      const b: Books = answer.books;
      const where = `event ${String(event.eventId)} (${req.holder} #${req.seq})`;
      if (committed > b.limit) replay.overLimit.push(`${where}: ${committed} > ${b.limit}`);
      if (committed !== b.spent + b.reserved + b.leased)
        replay.mismatches.push(`${where}: replay ${committed}, guard ${b.spent + b.reserved + b.leased}`);
    }
  }
  replay.settledMicros = settled;
  return replay;
}
