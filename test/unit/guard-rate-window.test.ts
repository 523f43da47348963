// The guard's sliding window: limits, cleanup, usage, exact retry-after.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyLedger, reserve, summarize, type GuardLimits, type ReserveRequest } from '../../src/domain/guard-ledger';
import {
  checkWindow,
  pruneWindow,
  tooLargeForWindow,
  windowUsage,
  type WindowEntry,
} from '../../src/domain/rate-window';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const LIMITS: GuardLimits = {
  dailyCostLimitUsd: 100,
  maxRequestsPerWindow: 3,
  maxTokensPerWindow: null,
  windowMs: 1_000,
  reservationTtlMs: 60_000,
  warnAtFraction: 0.8,
};

function req(id: string, tokens = 100): ReserveRequest {
  return {
    requestId: id,
    modelId: 'm',
    caller: 'test',
    estimatedCostUsd: 0.01,
    estimatedInputCostUsd: 0.001,
    estimatedTokens: tokens,
  };
}

void describe('guard rate window', () => {
  void it('starts from the configured limits with an empty window (RL init)', () => {
    const state = emptyLedger({ ...LIMITS, maxRequestsPerWindow: 7, windowMs: 2_500 }, T0);
    const s = summarize(state, T0);
    assert.equal(s.maxRequestsPerWindow, 7);
    assert.equal(s.windowMs, 2_500);
    assert.equal(s.requestsInWindow, 0);
  });

  void it('grants requests up to the limit within one window (RL under limit)', () => {
    const state = emptyLedger(LIMITS, T0);
    for (let i = 0; i < 3; i++) assert.equal(reserve(state, req(`r${i}`), T0 + i * 10).kind, 'granted');
  });

  void it('denies the request over the limit with retryAfterMs until the oldest one leaves (RL exceeded)', () => {
    const state = emptyLedger(LIMITS, T0);
    for (let i = 0; i < 3; i++) reserve(state, req(`r${i}`), T0 + i * 100);
    const answer = reserve(state, req('r3'), T0 + 250);
    assert.deepEqual(answer, { kind: 'wait', reason: 'requests', retryAfterMs: 750 });
    assert.equal(summarize(state, T0 + 250).counters.waited, 1);
    assert.equal(summarize(state, T0 + 250).requestsInWindow, 3, 'a denial takes no slot');
  });

  void it('drops requests older than the window (RL cleanup of old requests)', () => {
    const entries: WindowEntry[] = [
      { at: T0, tokens: 1, reservationId: 'a' },
      { at: T0 + 500, tokens: 1, reservationId: 'b' },
      { at: T0 + 999, tokens: 1, reservationId: 'c' },
    ];
    assert.deepEqual(
      pruneWindow(entries, T0 + 1_000, 1_000).map((e) => e.reservationId),
      ['b', 'c'],
    );
    assert.deepEqual(
      pruneWindow(entries, T0 + 1_999, 1_000).map((e) => e.reservationId),
      [],
    );
  });

  void it('slides: waiting exactly retryAfterMs and asking again is granted, one ms earlier is not (RL wait if needed)', () => {
    const state = emptyLedger(LIMITS, T0);
    for (let i = 0; i < 3; i++) reserve(state, req(`r${i}`), T0 + i * 100);
    const denied = reserve(state, req('r3'), T0 + 250);
    assert.equal(denied.kind, 'wait');
    const retryAt = T0 + 250 + (denied.kind === 'wait' ? denied.retryAfterMs : 0);
    assert.equal(reserve(state, req('r3'), retryAt - 1).kind, 'wait');
    assert.equal(reserve(state, req('r3'), retryAt).kind, 'granted');
    // Never more than the limit in any window of windowMs.
    assert.equal(summarize(state, retryAt).requestsInWindow, 3);
  });

  void it('queues waiters over successive slots instead of sending them all to the same instant', () => {
    const state = emptyLedger(LIMITS, T0);
    for (let i = 0; i < 3; i++) reserve(state, req(`r${i}`), T0 + i * 100);
    const waits = Array.from({ length: 5 }, (_, i) => reserve(state, req(`w${i}`), T0 + 250)).map((a) =>
      a.kind === 'wait' ? a.retryAfterMs : -1,
    );
    assert.deepEqual(waits, [750, 850, 950, 1_750, 1_850]);
    assert.equal(reserve(state, req('w0'), T0 + 1_000).kind, 'granted', 'the first waiter finds its slot free');
  });

  void it('reports requests and tokens in the window (RL usage statistics)', () => {
    const state = emptyLedger({ ...LIMITS, maxTokensPerWindow: 10_000 }, T0);
    reserve(state, req('a', 1_000), T0);
    reserve(state, req('b', 2_500), T0 + 600);
    assert.deepEqual(windowUsage(state.window), { requests: 2, tokens: 3_500 });
    const later = summarize(state, T0 + 1_200);
    assert.equal(later.requestsInWindow, 1);
    assert.equal(later.tokensInWindow, 2_500);
  });

  void it('limits tokens per window too, counting input + maxTokens at the start (RL tokens per minute)', () => {
    const limits = { ...LIMITS, maxRequestsPerWindow: 100, maxTokensPerWindow: 5_000 };
    const state = emptyLedger(limits, T0);
    assert.equal(reserve(state, req('a', 3_000), T0).kind, 'granted');
    assert.equal(reserve(state, req('b', 1_500), T0 + 100).kind, 'granted');
    assert.deepEqual(reserve(state, req('c', 1_000), T0 + 200), { kind: 'wait', reason: 'tokens', retryAfterMs: 800 });
    assert.equal(reserve(state, req('c', 500), T0 + 200).kind, 'granted', 'a smaller request still fits');
    // The multi-entry case: freeing 3,500 tokens needs both a (at T0) and b (at T0+100) to leave.
    const verdict = checkWindow(state.window, T0 + 300, limits, 4_000);
    assert.deepEqual(verdict, { allowed: false, limitedBy: 'tokens', retryAfterMs: 800 });
    assert.match(tooLargeForWindow(limits, 6_000) ?? '', /6000 tokens.*only 5000 tokens per 1000 ms/);
    assert.equal(tooLargeForWindow({ ...limits, maxTokensPerWindow: null }, 6_000), undefined);
  });
});
