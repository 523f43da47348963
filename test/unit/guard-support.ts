// Helpers for the guard's pure tests: limits, and syncs written the way a lease holder sends them.
import type { GuardLimits, LedgerState } from '../../src/domain/guard-ledger';
import { sync, type SyncAnswer, type SyncRequest, type WantedCall } from '../../src/domain/guard-leases';

export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

export const LIMITS: GuardLimits = {
  dailyCostLimitUsd: 1,
  maxRequestsPerWindow: 1_000,
  maxTokensPerWindow: null,
  windowMs: 60_000,
  permitValidityMs: 2_000,
  leaseTtlMs: 10_000,
  warnAtFraction: 0.8,
};

/** A waiting call of `micros` worst case. */
export function want(callId: string, micros: number, tokens = 1_000, modelId = 'model-a'): WantedCall {
  return { callId, allowanceMicros: micros, tokens, modelId, caller: 'test' };
}

const seqs = new WeakMap<LedgerState, Map<string, number>>();

/** One sync of `holder` at `at`; seq is counted per holder unless given (to resend). */
export function ask(
  state: LedgerState,
  holder: string,
  at: number,
  parts: Partial<Omit<SyncRequest, 'holder'>> = {},
): SyncAnswer {
  const counters = seqs.get(state) ?? new Map<string, number>();
  seqs.set(state, counters);
  const seq = parts.seq ?? (counters.get(holder) ?? 0) + 1;
  counters.set(holder, Math.max(seq, counters.get(holder) ?? 0));
  return sync(state, { started: [], settled: [], returned: [], want: [], ...parts, holder, seq }, at);
}

/** The settle report of a call that took `permitId`. */
export function settled(
  permitId: string,
  callId: string,
  chargedMicros: number,
  succeeded = true,
  modelId = 'model-a',
) {
  return { callId, permitId, chargedMicros, modelId, inputTokens: 800, outputTokens: 200, succeeded, wireBoundMs: 5 };
}

export function started(permitId: string, callId: string, estimateMicros: number, modelId = 'model-a') {
  return { callId, permitId, estimateMicros, modelId, caller: 'test', wireBoundMs: 5 };
}
