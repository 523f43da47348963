// The lease protocol of the Bedrock guard: each worker process (a "holder") talks to the guard through one `sync` at a
// time, which reports what happened since its last one (calls started, calls settled with what Bedrock billed,
// permits given back unused) and asks for permits for the calls waiting in it (plus a few spare ones, when there
// is room), each permit holding one call's worst-case cost. The holder hands permits to its callers without asking
// the guard again. Pure functions over the ledger state (./guard-ledger.ts); docs/guard.md tells the whole story.
import {
  advance,
  books,
  leaseHeld,
  modelUsage,
  nextUtcMidnight,
  type Books,
  type CallFloor,
  type Lease,
  type LedgerState,
} from './guard-ledger';
import type { MicroUsd } from './money';
import {
  checkWindow,
  correctEntryTokens,
  pruneWindow,
  removeEntry,
  tightenEntry,
  tooLargeForWindow,
} from './rate-window';

/** A call that went out: its permit now holds the call's own estimate instead of the permit's allowance. */
export interface StartedCall {
  callId: string;
  permitId: string;
  estimateMicros: MicroUsd;
  modelId: string;
  caller: string;
  /** Latest the request can have reached Bedrock, in ms after the holder asked for the permit (<= validity). */
  wireBoundMs: number;
}

/** A call that ended, with what Bedrock billed for it (0 for a call refused before inference, such as a 429). */
export interface SettledCall {
  callId: string;
  permitId: string;
  chargedMicros: MicroUsd;
  modelId: string;
  inputTokens: number;
  outputTokens: number;
  succeeded: boolean;
  wireBoundMs: number;
}

/** A call waiting in the holder for a permit. */
export interface WantedCall {
  callId: string;
  allowanceMicros: MicroUsd;
  tokens: number;
  modelId: string;
  caller: string;
}

export interface SyncRequest {
  /** The holder's identity, unique per process (and per gate): host, pid and a random part. */
  holder: string;
  /** Increases with every new sync of this holder; a resend of an unanswered sync repeats it. */
  seq: number;
  started: StartedCall[];
  settled: SettledCall[];
  /** Permits given back without being used (spare ones no longer needed, or past their validity). */
  returned: string[];
  want: WantedCall[];
  /** Spare permits to keep at hand for calls to come, each holding `allowanceMicros`. */
  spare?: { count: number; allowanceMicros: MicroUsd; tokens: number; modelId: string };
  floor?: CallFloor;
  /** The holder is stopping: close the lease once nothing is left in it. */
  release?: boolean;
}

export interface GrantedPermit {
  id: string;
  allowanceMicros: MicroUsd;
  tokens: number;
  /** The waiting call it was asked for; absent for a spare permit. */
  forCallId?: string;
}

export type RefusedCall =
  | {
      callId: string;
      reason: 'budget-exhausted';
      day: string;
      spentMicros: MicroUsd;
      heldMicros: MicroUsd;
      limitMicros: MicroUsd;
      requestedMicros: MicroUsd;
      resetsAt: string;
      retryAfterMs: number;
    }
  | { callId: string; reason: 'too-large'; message: string };

export interface SyncAnswer {
  leaseId: string;
  seq: number;
  /** Guard time of this answer: every permit in it was granted now. */
  grantedAt: number;
  /** A permit's request must reach Bedrock within this time of the holder asking; after that, give it back. */
  validForMs: number;
  expiresAt: number;
  /** Sync again within this time, even with nothing to report, or the lease expires. */
  renewWithinMs: number;
  permits: GrantedPermit[];
  refused: RefusedCall[];
  /** Some wanted calls got nothing: ask again after `retryAfterMs`. */
  wait?: { reason: 'requests' | 'tokens' | 'budget-reserved'; retryAfterMs: number; calls: number };
  /** Another holder needs what this one holds: give back spare permits now. */
  recall: boolean;
  /** The books after this sync (for the UI, tests and the history replay). */
  books: Books;
}

/** Longest wait suggested while the budget is held by others (their calls may settle below their estimates). */
export const BUDGET_HELD_POLL_MS = 1_000;

/** The lease a permit id belongs to: ids are `<leaseId>.<n>`. */
export function leaseOfPermit(permitId: string): string {
  return permitId.slice(0, Math.max(0, permitId.lastIndexOf('.')));
}

function findPermitLease(state: LedgerState, permitId: string): Lease | undefined {
  return state.leases[leaseOfPermit(permitId)];
}

function takeExpired(state: LedgerState, id: string) {
  const i = state.expiredCharges.findIndex((c) => c.id === id);
  return i >= 0 ? state.expiredCharges.splice(i, 1)[0] : undefined;
}

/** The permit entered the window when it was granted; its request went out within `wireBoundMs` of that. */
function tighten(state: LedgerState, permitId: string, wireBoundMs: number): void {
  const entry = state.window.find((e) => e.permitId === permitId);
  if (entry) tightenEntry(state.window, permitId, entry.at + wireBoundMs);
}

function applyStarted(state: LedgerState, s: StartedCall): void {
  const lease = findPermitLease(state, s.permitId);
  const permit = lease?.permits[s.permitId];
  if (lease && permit) {
    delete lease.permits[s.permitId];
    lease.calls[s.callId] = {
      id: s.callId,
      permitId: s.permitId,
      estimate: s.estimateMicros,
      modelId: s.modelId,
      caller: s.caller,
    };
    tighten(state, s.permitId, s.wireBoundMs);
    return;
  }
  // Its lease expired meanwhile and charged the permit's allowance: now the call is known, charge its estimate.
  const expired = takeExpired(state, s.permitId);
  if (expired) {
    state.spent += s.estimateMicros - expired.charged;
    modelUsage(state, expired.modelId).costMicros += s.estimateMicros - expired.charged;
    state.expiredCharges.push({ id: s.callId, kind: 'call', charged: s.estimateMicros, modelId: s.modelId });
  }
}

function applySettled(state: LedgerState, s: SettledCall): void {
  const lease = findPermitLease(state, s.permitId);
  if (lease?.calls[s.callId]) delete lease.calls[s.callId];
  else if (lease?.permits[s.permitId]) delete lease.permits[s.permitId];
  else {
    // Charged when its lease expired (at the estimate or the permit's allowance): replace that with what it cost.
    // Unknown altogether (e.g. the guard was reset): charge it in full.
    const expired = takeExpired(state, s.callId) ?? takeExpired(state, s.permitId);
    if (expired) {
      state.spent -= expired.charged;
      modelUsage(state, expired.modelId).costMicros -= expired.charged;
    }
  }
  state.spent += s.chargedMicros;
  const usage = modelUsage(state, s.modelId);
  usage.requests += 1;
  if (!s.succeeded) usage.failed += 1;
  usage.inputTokens += s.inputTokens;
  usage.outputTokens += s.outputTokens;
  usage.costMicros += s.chargedMicros;
  state.counters.settled += 1;
  tighten(state, s.permitId, s.wireBoundMs);
  // A failed call's real token use is unknown: keep what the permit reserved rather than guess low.
  if (s.succeeded) correctEntryTokens(state.window, s.permitId, s.inputTokens + s.outputTokens);
}

function applyReturned(state: LedgerState, permitId: string): void {
  const lease = findPermitLease(state, permitId);
  if (lease?.permits[permitId]) {
    delete lease.permits[permitId];
    removeEntry(state.window, permitId);
    state.counters.returned += 1;
    return;
  }
  // Its lease expired and charged it: it was never used after all.
  const expired = takeExpired(state, permitId);
  if (expired) {
    state.spent -= expired.charged;
    modelUsage(state, expired.modelId).costMicros -= expired.charged;
    removeEntry(state.window, permitId);
    state.counters.returned += 1;
  }
}

/** The holder's open lease, or a new one (first sync, or its last one expired). */
function leaseFor(state: LedgerState, holder: string, now: number): Lease {
  const known = state.holders[holder];
  const open = known ? state.leases[known.leaseId] : undefined;
  if (open) return open;
  state.leaseSeq += 1;
  const lease: Lease = {
    id: `${state.epoch}-${state.leaseSeq}`,
    holder,
    permits: {},
    calls: {},
    expiresAt: now + state.limits.leaseTtlMs,
    recall: false,
    waiting: 0,
    nextPermit: 0,
  };
  state.leases[lease.id] = lease;
  return lease;
}

function addPermit(
  state: LedgerState,
  lease: Lease,
  now: number,
  p: { allowanceMicros: MicroUsd; tokens: number; modelId: string; forCallId?: string },
): GrantedPermit {
  lease.nextPermit += 1;
  const id = `${lease.id}.${lease.nextPermit}`;
  lease.permits[id] = { id, allowance: p.allowanceMicros, tokens: p.tokens, modelId: p.modelId, grantedAt: now };
  state.window.push({ at: now, until: now + state.limits.permitValidityMs, tokens: p.tokens, permitId: id });
  state.counters.granted += 1;
  return {
    id,
    allowanceMicros: p.allowanceMicros,
    tokens: p.tokens,
    ...(p.forCallId ? { forCallId: p.forCallId } : {}),
  };
}

/** Permits for the waiting calls in order, then spare ones while there is plenty of room and nobody else waits. */
function grant(state: LedgerState, lease: Lease, req: SyncRequest, now: number) {
  const permits: GrantedPermit[] = [];
  const refused: RefusedCall[] = [];
  let wait: SyncAnswer['wait'];
  const b = books(state);
  let free = b.limit - b.spent - b.reserved - b.leased;
  const window = () => (state.window = pruneWindow(state.window, now, state.limits.windowMs));
  for (const [i, w] of req.want.entries()) {
    const tooLarge = tooLargeForWindow(state.limits, w.tokens);
    if (tooLarge) {
      refused.push({ callId: w.callId, reason: 'too-large', message: tooLarge });
      continue;
    }
    if (b.spent + w.allowanceMicros > b.limit) {
      // Spend only grows during a day, so this call cannot fit before midnight.
      state.counters.refused += 1;
      const resetsAt = nextUtcMidnight(now);
      refused.push({
        callId: w.callId,
        reason: 'budget-exhausted',
        day: state.day,
        spentMicros: b.spent,
        heldMicros: b.limit - b.spent - free,
        limitMicros: b.limit,
        requestedMicros: w.allowanceMicros,
        resetsAt: new Date(resetsAt).toISOString(),
        retryAfterMs: resetsAt - now,
      });
      continue;
    }
    if (w.allowanceMicros > free) {
      // It fits once held budget comes back (calls settle below their estimates, spare permits are returned).
      wait = { reason: 'budget-reserved', retryAfterMs: BUDGET_HELD_POLL_MS, calls: req.want.length - i };
      break;
    }
    const verdict = checkWindow(window(), now, state.limits, w.tokens);
    if (!verdict.allowed) {
      wait = { reason: verdict.limitedBy, retryAfterMs: verdict.retryAfterMs, calls: req.want.length - i };
      break;
    }
    permits.push(addPermit(state, lease, now, { ...w, forCallId: w.callId }));
    free -= w.allowanceMicros;
  }
  const othersWait = Object.values(state.leases).some((l) => l !== lease && l.waiting > 0);
  if (!wait && req.spare && !othersWait) {
    // Never more than half of what is free, so several holders cannot lock the budget up between them.
    let spareBudget = Math.floor(free / 2);
    for (let n = 0; n < req.spare.count && req.spare.allowanceMicros <= spareBudget; n++) {
      if (tooLargeForWindow(state.limits, req.spare.tokens)) break;
      if (!checkWindow(window(), now, state.limits, req.spare.tokens).allowed) break;
      permits.push(addPermit(state, lease, now, req.spare));
      spareBudget -= req.spare.allowanceMicros;
    }
  }
  if (wait) {
    state.counters.waited += 1;
    // Whoever keeps spare permits is asked to give them back.
    for (const other of Object.values(state.leases))
      if (other !== lease && Object.keys(other.permits).length > 0) other.recall = true;
  }
  lease.waiting = wait?.calls ?? 0;
  return { permits, refused, wait };
}

/**
 * Answers one sync at `now`: applies its report, then grants what fits. A resent sync (same or older seq) gets the
 * answer it was given the first time and changes nothing, so a lost answer never grants or charges twice.
 */
export function sync(state: LedgerState, req: SyncRequest, now: number): SyncAnswer {
  advance(state, now);
  const known = state.holders[req.holder];
  if (known && req.seq <= known.seq) return known.answer as SyncAnswer;

  for (const s of req.settled) applySettled(state, s);
  for (const s of req.started) applyStarted(state, s);
  for (const id of req.returned) applyReturned(state, id);

  const lease = leaseFor(state, req.holder, now);
  if (req.floor) lease.floor = req.floor;
  const { permits, refused, wait } = req.release
    ? { permits: [], refused: [], wait: undefined }
    : grant(state, lease, req, now);
  lease.expiresAt = now + state.limits.leaseTtlMs;
  const recall = lease.recall;
  lease.recall = false;
  const held = leaseHeld(lease);
  if (req.release && held.reserved + held.leased === 0 && Object.keys(lease.permits).length === 0) {
    if (lease.floor) state.lastFloor = lease.floor;
    delete state.leases[lease.id];
  }

  const answer: SyncAnswer = {
    leaseId: lease.id,
    seq: req.seq,
    grantedAt: now,
    validForMs: state.limits.permitValidityMs,
    expiresAt: lease.expiresAt,
    renewWithinMs: Math.floor(state.limits.leaseTtlMs / 3),
    permits,
    refused,
    ...(wait ? { wait } : {}),
    recall,
    books: books(state),
  };
  state.holders[req.holder] = { seq: req.seq, answer, leaseId: lease.id, seenAt: now };
  return answer;
}
