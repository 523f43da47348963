// The lease protocol between worker processes and the guard: a resent sync changes nothing; spare permits only when
// there is room and nobody else waits; a holder that waits gets the others' spare permits recalled; a dead holder's
// lease expires charging only what may have been spent; a holder that was alive after all corrects those charges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advance, books, emptyLedger, nextDeadline, summarize } from '../../src/domain/guard-ledger';
import { leaseOfPermit } from '../../src/domain/guard-leases';
import { ask, LIMITS, settled, started, T0, want } from './guard-support';

const spare = (count: number, allowanceMicros: number) => ({
  count,
  allowanceMicros,
  tokens: 1_000,
  modelId: 'model-a',
});

void describe('guard leases', () => {
  void it('answers a resent sync with its first answer: nothing granted or charged twice, across continue-as-new too', () => {
    const state = emptyLedger(LIMITS, T0);
    const first = ask(state, 'p1', T0, { want: [want('a', 100_000)] });
    const permit = first.permits[0]?.id ?? '';
    const report = ask(state, 'p1', T0 + 1, { settled: [settled(permit, 'a', 40_000)] });
    const carried = JSON.parse(JSON.stringify(state)) as typeof state; // what continue-as-new hands the next run
    const resent = ask(carried, 'p1', T0 + 2, { seq: report.seq, settled: [settled(permit, 'a', 40_000)] });
    assert.deepEqual(resent, report);
    assert.equal(carried.spent, 40_000);
    assert.equal(carried.counters.settled, 1);
    assert.equal(leaseOfPermit(permit), first.leaseId);
  });

  void it('grants spare permits only with plenty of room: never more than half of what is free', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [want('a', 100_000)], spare: spare(10, 100_000) });
    // 1,000,000 limit: a takes 100,000; the spares at most half of the 900,000 left.
    assert.equal(a.permits.length, 1 + 4);
    assert.deepEqual(books(state), { spent: 0, reserved: 0, leased: 500_000, limit: 1_000_000 });
  });

  void it('asks holders with spare permits to give them back when another holder has to wait', () => {
    const state = emptyLedger({ ...LIMITS, maxRequestsPerWindow: 4 }, T0);
    const a = ask(state, 'p1', T0, { want: [want('a', 1_000)], spare: spare(3, 1_000) });
    assert.equal(a.permits.length, 4);
    const b = ask(state, 'p2', T0 + 1, { want: [want('b', 1_000)], spare: spare(5, 1_000) });
    assert.equal(b.permits.length, 0);
    assert.equal(b.wait?.reason, 'requests');
    const again = ask(state, 'p1', T0 + 2, { started: [started(a.permits[0]?.id ?? '', 'a', 1_000)] });
    assert.equal(again.recall, true, 'p1 learns that others wait');
    assert.equal(again.permits.length, 0);
    // p1 gives its spare permits back: they never reached the wire, so their slots are free at once.
    ask(state, 'p1', T0 + 3, { returned: a.permits.slice(1).map((p) => p.id) });
    const b2 = ask(state, 'p2', T0 + 4, { want: [want('b', 1_000)], spare: spare(5, 1_000) });
    assert.equal(b2.permits.length, 3, 'p2 gets the returned slots; no spares while p1 might wait');
  });

  void it("expires a dead holder's lease: started calls at their estimate, unaccounted permits at their allowance, the rest back", () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'dead', T0, { want: [want('a', 100_000), want('b', 100_000), want('c', 100_000)] });
    const [pa, pb, pc] = a.permits.map((p) => p.id);
    ask(state, 'dead', T0 + 100, {
      settled: [settled(pa ?? '', 'a', 30_000)],
      started: [started(pb ?? '', 'b', 80_000)],
    });
    assert.deepEqual(books(state), { spent: 30_000, reserved: 80_000, leased: 100_000, limit: 1_000_000 });
    assert.equal(nextDeadline(state, T0 + 100), T0 + 100 + LIMITS.leaseTtlMs);
    assert.deepEqual(advance(state, T0 + 100 + LIMITS.leaseTtlMs - 1).expired, []);
    assert.equal(advance(state, T0 + 100 + LIMITS.leaseTtlMs).expired.length, 1);
    // b had started: its estimate. c may have started since the last report: its allowance. Nothing is held any more.
    assert.deepEqual(books(state), { spent: 30_000 + 80_000 + 100_000, reserved: 0, leased: 0, limit: 1_000_000 });
    const s = summarize(state, T0 + 100 + LIMITS.leaseTtlMs);
    assert.equal(s.counters.expired, 1);
    assert.equal(s.leases.length, 0);
    assert.equal(s.requestsInWindow, 3, 'its permits still occupy the rate window');
    void pc;
  });

  void it('corrects the charges of an expired lease when its holder reports after all (a long server outage)', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [want('a', 100_000), want('b', 100_000), want('c', 100_000)] });
    const [pa, pb, pc] = a.permits.map((p) => p.id ?? '');
    ask(state, 'p1', T0 + 1, { started: [started(pa ?? '', 'a', 90_000)] });
    advance(state, T0 + 1 + LIMITS.leaseTtlMs);
    assert.equal(state.spent, 290_000, 'charged at expiry: 90,000 + 2 × 100,000');
    // The outage ends: a cost 12,345, b started (estimate 70,000) then cost 5,000, c was never used.
    const back = ask(state, 'p1', T0 + 2 + LIMITS.leaseTtlMs, {
      settled: [settled(pa ?? '', 'a', 12_345)],
      started: [started(pb ?? '', 'b', 70_000)],
      returned: [pc ?? ''],
    });
    assert.notEqual(back.leaseId, a.leaseId, 'a new lease');
    assert.equal(state.spent, 12_345 + 70_000);
    ask(state, 'p1', T0 + 3 + LIMITS.leaseTtlMs, { settled: [settled(pb ?? '', 'b', 5_000)] });
    assert.equal(state.spent, 12_345 + 5_000, 'exactly what was billed');
    assert.equal(summarize(state, T0 + 3 + LIMITS.leaseTtlMs).models['model-a']?.costUsd, 0.017345);
  });

  void it('charges nothing for a call Bedrock refused before inference, and counts it as a failed request', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [want('a', 100_000)] });
    ask(state, 'p1', T0 + 1, {
      settled: [{ ...settled(a.permits[0]?.id ?? '', 'a', 0, false), inputTokens: 0, outputTokens: 0 }],
    });
    const s = summarize(state, T0 + 1);
    assert.equal(s.spentUsd, 0);
    assert.deepEqual(s.models['model-a'], { requests: 1, failed: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });

  void it('closes a released lease once nothing is left in it, and keeps one that still has calls in flight', () => {
    const state = emptyLedger(LIMITS, T0);
    const a = ask(state, 'p1', T0, { want: [want('a', 1_000), want('b', 1_000)] });
    const [pa, pb] = a.permits.map((p) => p.id ?? '');
    ask(state, 'p1', T0 + 1, { started: [started(pa ?? '', 'a', 1_000)], returned: [pb ?? ''], release: true });
    assert.equal(Object.keys(state.leases).length, 1, 'a is still running');
    ask(state, 'p1', T0 + 2, { settled: [settled(pa ?? '', 'a', 700)], release: true });
    assert.deepEqual(state.leases, {});
    assert.equal(state.spent, 700);
  });
});
