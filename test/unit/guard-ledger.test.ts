// The guard's UTC-day ledger in whole micro-dollars: worst cases held while calls
// run, settled to what Bedrock billed, thresholds, daily reset, summary. Throughout: spent + reserved + leased never
// exceeds the limit, and the books add up to the micro-dollar.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advance,
  books,
  callFloorFor,
  configure,
  dailyLimitProblem,
  emptyLedger,
  nextUtcMidnight,
  summarize,
  utcDay,
} from '../../src/domain/guard-ledger';
import { formatMicroUsd, microsToUsd, usdToMicros, usdToMicrosUp } from '../../src/domain/money';
import { ask, LIMITS, settled, started, T0, want } from './guard-support';

void describe('guard ledger', () => {
  void it('starts for the current UTC day with nothing spent (CT init)', () => {
    const state = emptyLedger(LIMITS, Date.UTC(2026, 10, 26, 23, 59, 59));
    assert.equal(state.day, '2026-11-26');
    const s = summarize(state, T0);
    assert.deepEqual([s.spentUsd, s.reservedUsd, s.leasedUsd, s.dailyLimitUsd], [0, 0, 0, 1]);
    assert.equal(s.budgetStatus, 'ok');
  });

  void it('holds the worst case while a call runs and replaces it with what it cost (CT cost estimation)', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [want('c1', 300_000)] });
    const permit = a.permits[0]?.id ?? '';
    assert.equal(a.permits[0]?.forCallId, 'c1');
    assert.deepEqual(books(state), { spent: 0, reserved: 0, leased: 300_000, limit: 1_000_000 });
    ask(state, 'p1', T0 + 1, { started: [started(permit, 'c1', 250_000)] });
    assert.deepEqual(
      books(state),
      { spent: 0, reserved: 250_000, leased: 0, limit: 1_000_000 },
      'held at its own estimate',
    );
    ask(state, 'p1', T0 + 2, { settled: [settled(permit, 'c1', 120_000)] });
    assert.deepEqual(books(state), { spent: 120_000, reserved: 0, leased: 0, limit: 1_000_000 });
  });

  void it('adds costs exactly: a thousand settles of USD 0.000201 make USD 0.201, without binary noise', () => {
    const state = emptyLedger({ ...LIMITS, maxRequestsPerWindow: 100_000 }, T0);
    const a = ask(state, 'p1', T0, { want: Array.from({ length: 1_000 }, (_, i) => want(`c${i}`, 500)) });
    assert.equal(a.permits.length, 1_000);
    ask(state, 'p1', T0 + 1, { settled: a.permits.map((p, i) => settled(p.id, `c${i}`, usdToMicros(0.000201))) });
    const s = summarize(state, T0 + 1);
    let floats = 0;
    for (let i = 0; i < 1_000; i++) floats += 0.000201;
    assert.notEqual(floats, 0.201, 'adding dollars as floats drifts');
    assert.equal(s.spentUsd, 0.201);
    assert.equal(s.micros.spent, 201_000);
  });

  void it('accumulates costs and tokens per model, failures included (CT add cost / track usage)', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, {
      want: [want('a', 100_000), want('b', 100_000), want('c', 100_000, 1_000, 'model-b')],
    });
    const [pa, pb, pc] = a.permits.map((p) => p.id);
    ask(state, 'p1', T0 + 1, {
      settled: [
        settled(pa ?? '', 'a', 50_000),
        settled(pb ?? '', 'b', 70_000),
        { ...settled(pc ?? '', 'c', 0, false, 'model-b'), inputTokens: 0, outputTokens: 0 },
      ],
    });
    const s = summarize(state, T0 + 1);
    assert.equal(s.spentUsd, 0.12);
    assert.deepEqual(s.models['model-a'], {
      requests: 2,
      failed: 0,
      inputTokens: 1_600,
      outputTokens: 400,
      costUsd: 0.12,
    });
    assert.deepEqual(s.models['model-b'], { requests: 1, failed: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });

  void it('grants calls while spent + reserved + leased stays within the limit, exactly up to it (CT under threshold)', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [1, 2, 3, 4].map((i) => want(`c${i}`, 250_000)) });
    assert.equal(a.permits.length, 4);
    assert.equal(a.books.leased, 1_000_000, 'exactly at the limit is allowed');
    const b = ask(state, 'p2', T0 + 1, { want: [want('d', 1)] });
    assert.equal(b.permits.length, 0);
    assert.equal(b.wait?.reason, 'budget-reserved', 'held budget may come back: wait, not refuse');
  });

  void it('refuses a call that cannot fit today, saying spent, limit and when the day resets (CT threshold exceeded)', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [want('a', 900_000)] });
    ask(state, 'p1', T0 + 1, { settled: [settled(a.permits[0]?.id ?? '', 'a', 900_000)] });
    const b = ask(state, 'p1', T0 + 2, { want: [want('b', 200_000), want('c', 100_000)] });
    assert.deepEqual(b.refused, [
      {
        callId: 'b',
        reason: 'budget-exhausted',
        day: '2026-11-26',
        spentMicros: 900_000,
        heldMicros: 0,
        limitMicros: 1_000_000,
        requestedMicros: 200_000,
        resetsAt: '2026-11-27T00:00:00.000Z',
        retryAfterMs: 12 * 3600_000 - 2,
      },
    ]);
    assert.deepEqual(
      b.permits.map((p) => p.forCallId),
      ['c'],
      'a call that fits is still granted',
    );
    assert.equal(summarize(state, T0 + 2).counters.refused, 1);
  });

  void it('resets the day at midnight UTC and keeps what leases hold against the new day (CT daily reset)', () => {
    const evening = Date.UTC(2026, 10, 26, 23, 59, 0);
    const state = emptyLedger({ ...LIMITS, leaseTtlMs: 3_600_000 }, evening);
    const a = ask(state, 'p1', evening, { want: [want('a', 500_000), want('open', 300_000)] });
    ask(state, 'p1', evening + 1, { settled: [settled(a.permits[0]?.id ?? '', 'a', 500_000)] });
    assert.equal(ask(state, 'p1', evening + 2, { want: [want('b', 500_000)] }).wait?.reason, 'budget-reserved');
    const midnight = nextUtcMidnight(evening);
    assert.equal(midnight, Date.UTC(2026, 10, 27));
    assert.equal(advance(state, midnight - 1).rolledOver, false);
    assert.equal(advance(state, midnight).rolledOver, true);
    const s = summarize(state, midnight);
    assert.equal(s.day, '2026-11-27');
    assert.equal(s.spentUsd, 0);
    assert.equal(s.leasedUsd, 0.3, 'the open permit is held against the new day');
    assert.deepEqual(s.models, {});
    assert.equal(ask(state, 'p1', midnight + 1, { want: [want('b', 500_000)] }).permits.length, 1);
    assert.equal(utcDay(midnight - 1), '2026-11-26');
  });

  void it('summarises spend, holdings, leases and status, warning from the soft threshold (CT summary, warning)', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [want('a', 500_000)] });
    ask(state, 'p1', T0 + 1, { settled: [settled(a.permits[0]?.id ?? '', 'a', 500_000)] });
    assert.equal(summarize(state, T0 + 1).budgetStatus, 'ok');
    const b = ask(state, 'p1', T0 + 2, { want: [want('b', 350_000)] });
    ask(state, 'p1', T0 + 3, { started: [started(b.permits[0]?.id ?? '', 'b', 350_000)] });
    const s = summarize(state, T0 + 3);
    assert.equal(s.budgetStatus, 'warning');
    assert.equal(s.remainingUsd, 0.15);
    assert.equal(s.callsInFlight, 1);
    assert.deepEqual(
      s.leases.map((l) => [l.holder, l.permits, l.callsInFlight, l.heldUsd]),
      [['p1', 0, 1, 0.35]],
    );
    assert.equal(s.resetsAt, '2026-11-27T00:00:00.000Z');
    configure(state, { dailyCostLimitUsd: 0.8 }, T0 + 4);
    assert.equal(summarize(state, T0 + 4).budgetStatus, 'exhausted', 'a lowered limit applies at once');
  });

  void it('refuses a daily limit below one call of maxTokens output, with the reason and the way out', () => {
    const floor = callFloorFor({ modelId: 'global.anthropic.claude-sonnet-4-6', rates: { output: 15 } }, 4096);
    assert.equal(floor.micros, 61_440);
    assert.equal(dailyLimitProblem(0.06144, floor), undefined);
    const problem = dailyLimitProblem(0.05, floor) ?? '';
    assert.match(problem, /USD 0\.0500 is below what one call can cost \(USD 0\.0614: up to 4096 output tokens/);
    assert.match(problem, /at least 0\.06144, or lower BEDROCK_MAX_TOKENS/);
    assert.doesNotMatch(problem, /\$/);
  });

  void it('writes amounts as USD, never with $ (the Web UI reads $…$ as TeX), exact to the micro-dollar', () => {
    assert.equal(formatMicroUsd(0), 'USD 0.00');
    assert.equal(formatMicroUsd(1_234), 'USD 0.0012');
    assert.equal(formatMicroUsd(12_345_678), 'USD 12.35');
    assert.equal(usdToMicros(0.1 + 0.2), 300_000);
    assert.equal(usdToMicrosUp(0.1 + 0.2), 300_000, 'binary noise does not round up');
    assert.equal(usdToMicrosUp(0.0000001), 1, 'a worst case is rounded up');
    assert.equal(microsToUsd(201_456), 0.201456);
  });
});
