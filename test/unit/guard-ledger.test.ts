// The guard's UTC-day ledger: estimates, thresholds, daily reset, summary,
// reservations and their expiry. The invariant throughout: the ledger may over-count, never under-count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advance,
  configure,
  emptyLedger,
  nextDeadline,
  nextUtcMidnight,
  reserve,
  reservedUsd,
  settle,
  summarize,
  utcDay,
  type GuardLimits,
  type ReserveRequest,
} from '../../src/domain/guard-ledger';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const LIMITS: GuardLimits = {
  dailyCostLimitUsd: 1,
  maxRequestsPerWindow: 1_000,
  maxTokensPerWindow: null,
  windowMs: 60_000,
  reservationTtlMs: 10_000,
  warnAtFraction: 0.8,
};

function req(id: string, estimatedCostUsd: number, modelId = 'model-a'): ReserveRequest {
  return {
    requestId: id,
    modelId,
    caller: 'test',
    estimatedCostUsd,
    estimatedInputCostUsd: estimatedCostUsd / 10,
    estimatedTokens: 1_000,
  };
}
const ok = (actualCostUsd: number, reservationId: string) => ({
  reservationId,
  actualCostUsd,
  inputTokens: 800,
  outputTokens: 200,
  succeeded: true,
});

void describe('guard ledger', () => {
  void it('starts for the current UTC day with nothing spent (CT init)', () => {
    const state = emptyLedger(LIMITS, Date.UTC(2026, 10, 26, 23, 59, 59));
    assert.equal(state.day, '2026-11-26');
    const s = summarize(state, T0);
    assert.equal(s.spentUsd, 0);
    assert.equal(s.reservedUsd, 0);
    assert.equal(s.dailyLimitUsd, 1);
    assert.equal(s.budgetStatus, 'ok');
  });

  void it('holds the worst-case estimate while a call runs and replaces it with the actual cost (CT cost estimation)', () => {
    const state = emptyLedger(LIMITS, T0);
    assert.equal(reserve(state, req('a', 0.3), T0).kind, 'granted');
    assert.equal(reservedUsd(state), 0.3);
    assert.equal(state.spentUsd, 0);
    assert.deepEqual(settle(state, ok(0.12, 'a'), T0 + 5), { kind: 'settled', chargedUsd: 0.12 });
    assert.equal(reservedUsd(state), 0);
    assert.equal(state.spentUsd, 0.12);
  });

  void it('accumulates settled costs and tokens per model (CT add cost / track usage)', () => {
    const state = emptyLedger(LIMITS, T0);
    reserve(state, req('a', 0.1, 'model-a'), T0);
    reserve(state, req('b', 0.1, 'model-a'), T0);
    reserve(state, req('c', 0.1, 'model-b'), T0);
    settle(state, ok(0.05, 'a'), T0 + 1);
    settle(state, ok(0.07, 'b'), T0 + 2);
    settle(
      state,
      { reservationId: 'c', actualCostUsd: 0.01, inputTokens: 0, outputTokens: 0, succeeded: false },
      T0 + 3,
    );
    const s = summarize(state, T0 + 3);
    assert.ok(Math.abs(s.spentUsd - 0.13) < 1e-12);
    assert.deepEqual(s.models['model-a'], {
      requests: 2,
      failed: 0,
      inputTokens: 1_600,
      outputTokens: 400,
      costUsd: 0.05 + 0.07,
    });
    assert.deepEqual(s.models['model-b'], { requests: 1, failed: 1, inputTokens: 0, outputTokens: 0, costUsd: 0.01 });
  });

  void it('grants calls while settled + reserved + estimate stays within the daily limit (CT under threshold)', () => {
    const state = emptyLedger(LIMITS, T0);
    for (let i = 0; i < 4; i++) assert.equal(reserve(state, req(`r${i}`, 0.25), T0).kind, 'granted');
    assert.equal(reservedUsd(state), 1, 'exactly at the limit is allowed');
  });

  void it('refuses a call that would exceed the limit, saying spent, limit and when the day resets (CT threshold exceeded)', () => {
    const state = emptyLedger(LIMITS, T0);
    reserve(state, req('a', 0.9), T0);
    settle(state, ok(0.9, 'a'), T0 + 1);
    const answer = reserve(state, req('b', 0.2), T0 + 2);
    assert.equal(answer.kind, 'budget-exhausted');
    if (answer.kind !== 'budget-exhausted') return;
    assert.equal(answer.spentUsd, 0.9);
    assert.equal(answer.limitUsd, 1);
    assert.equal(answer.requestedUsd, 0.2);
    assert.equal(answer.resetsAt, '2026-11-27T00:00:00.000Z');
    assert.equal(answer.retryAfterMs, 12 * 3600_000 - 2);
    assert.equal(reserve(state, req('c', 0.1), T0 + 3).kind, 'granted', 'a call that fits is still granted');
    assert.equal(summarize(state, T0 + 3).counters.refused, 1);
  });

  void it('tells a caller to wait while open reservations hold the budget they may still give back', () => {
    const state = emptyLedger(LIMITS, T0);
    reserve(state, req('a', 0.8), T0);
    const answer = reserve(state, req('b', 0.5), T0 + 1);
    assert.deepEqual(answer, { kind: 'wait', reason: 'budget-reserved', retryAfterMs: 1_000 });
    settle(state, ok(0.2, 'a'), T0 + 2);
    assert.equal(reserve(state, req('b', 0.5), T0 + 3).kind, 'granted');
  });

  void it('resets the day at midnight UTC and keeps open reservations held against the new day (CT daily reset)', () => {
    const lateEvening = Date.UTC(2026, 10, 26, 23, 59, 0);
    const state = emptyLedger({ ...LIMITS, reservationTtlMs: 3_600_000 }, lateEvening);
    reserve(state, req('a', 0.5), lateEvening);
    settle(state, ok(0.5, 'a'), lateEvening + 1);
    reserve(state, req('open', 0.3), lateEvening + 2);
    assert.equal(reserve(state, req('b', 0.5), lateEvening + 3).kind, 'wait');
    const midnight = nextUtcMidnight(lateEvening);
    assert.equal(midnight, Date.UTC(2026, 10, 27));
    assert.equal(advance(state, midnight - 1).rolledOver, false);
    assert.equal(advance(state, midnight).rolledOver, true);
    const s = summarize(state, midnight);
    assert.equal(s.day, '2026-11-27');
    assert.equal(s.spentUsd, 0);
    assert.equal(s.reservedUsd, 0.3);
    assert.deepEqual(s.models, {});
    assert.equal(reserve(state, req('b', 0.5), midnight + 1).kind, 'granted');
    assert.equal(utcDay(midnight - 1), '2026-11-26');
  });

  void it('summarises day, spend, reservations, limits and status, warning from the soft threshold (CT summary, CT warning threshold)', () => {
    const state = emptyLedger(LIMITS, T0);
    reserve(state, req('a', 0.5), T0);
    settle(state, ok(0.5, 'a'), T0 + 1);
    assert.equal(summarize(state, T0 + 1).budgetStatus, 'ok');
    reserve(state, req('b', 0.35), T0 + 2);
    const s = summarize(state, T0 + 2);
    assert.equal(s.budgetStatus, 'warning');
    assert.ok(Math.abs(s.remainingUsd - 0.15) < 1e-12);
    assert.equal(s.openReservations, 1);
    assert.equal(s.resetsAt, '2026-11-27T00:00:00.000Z');
    configure(state, { dailyCostLimitUsd: 0.8 }, T0 + 3);
    assert.equal(summarize(state, T0 + 3).budgetStatus, 'exhausted', 'a lowered limit applies at once');
  });

  void it('expires an unsettled reservation after the TTL charged at its estimate; a late settle adds only the excess (CT reservation expiry)', () => {
    const state = emptyLedger(LIMITS, T0);
    reserve(state, req('dead', 0.2), T0);
    reserve(state, req('late', 0.1), T0);
    assert.equal(nextDeadline(state, T0), T0 + 10_000);
    assert.deepEqual(advance(state, T0 + 9_999).expired, []);
    assert.deepEqual(advance(state, T0 + 10_000).expired.sort(), ['dead', 'late']);
    assert.ok(Math.abs(state.spentUsd - 0.3) < 1e-12, 'expired reservations stay charged');
    assert.equal(
      settle(state, ok(0.05, 'dead'), T0 + 10_001).chargedUsd,
      0,
      'cheaper than estimated: keep the over-count',
    );
    assert.deepEqual(settle(state, ok(0.15, 'late'), T0 + 10_002), { kind: 'late', chargedUsd: 0.15 - 0.1 });
    assert.ok(Math.abs(state.spentUsd - 0.35) < 1e-12);
    assert.deepEqual(settle(state, ok(0.15, 'late'), T0 + 10_003), { kind: 'duplicate', chargedUsd: 0 });
    assert.deepEqual(settle(state, ok(0.01, 'never-seen'), T0 + 10_004), { kind: 'unknown', chargedUsd: 0.01 });
    assert.equal(summarize(state, T0 + 10_004).counters.expired, 2);
  });

  void it('answers a repeated reserve of an open reservation with the same grant, not a second charge', () => {
    const state = emptyLedger(LIMITS, T0);
    const first = reserve(state, req('a', 0.4), T0);
    const again = reserve(state, req('a', 0.4), T0 + 50);
    assert.deepEqual(again, first);
    assert.equal(reservedUsd(state), 0.4);
  });
});
