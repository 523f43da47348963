// The Bedrock guard's ledger: a UTC-day cost ledger with reservations, plus the sliding rate window.
// Pure arithmetic over one plain, JSON-safe state object (carried through continue-as-new); every function takes
// `now` (ms since epoch) instead of reading a clock. Rule of thumb: the ledger may over-count, never under-count.
import {
  checkWindow,
  correctEntryTokens,
  pruneWindow,
  tooLargeForWindow,
  windowUsage,
  type WindowEntry,
} from './rate-window';

export interface GuardLimits {
  dailyCostLimitUsd: number;
  maxRequestsPerWindow: number;
  maxTokensPerWindow: number | null;
  windowMs: number;
  /** A reservation not settled within this time (its caller died) expires and stays charged at its estimate. */
  reservationTtlMs: number;
  /** Share of the daily limit from which the summary reports `warning` (a soft threshold before the hard limit). */
  warnAtFraction: number;
}

export interface ReserveRequest {
  /** Stable per logical call (not per retry): the reservation id, so a retried reserve is answered, not charged twice. */
  requestId: string;
  modelId: string;
  caller: string;
  estimatedCostUsd: number;
  estimatedInputCostUsd: number;
  estimatedTokens: number;
}

export interface Reservation extends ReserveRequest {
  grantedAt: number;
  expiresAt: number;
}

export interface SettleRequest {
  reservationId: string;
  actualCostUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** false when the Bedrock call failed after it was sent (the caller then charges at least the input estimate). */
  succeeded: boolean;
}

export interface ModelUsage {
  requests: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface LedgerCounters {
  granted: number;
  waited: number;
  refused: number;
  settled: number;
  expired: number;
}

/** A reservation that is no longer open, remembered for a while so a late or repeated settle is charged right. */
export interface ClosedReservation {
  id: string;
  chargedUsd: number;
  how: 'settled' | 'expired';
}

export interface LedgerState {
  /** UTC day the spend belongs to, YYYY-MM-DD. */
  day: string;
  /** Settled costs plus the estimates of expired reservations, for `day`. */
  spentUsd: number;
  limits: GuardLimits;
  window: WindowEntry[];
  open: Record<string, Reservation>;
  closed: ClosedReservation[];
  models: Record<string, ModelUsage>;
  counters: LedgerCounters;
  /** Times at which callers told to wait for a request slot will come back: spreads them over successive slots. */
  promised: number[];
}

export type ReserveAnswer =
  | { kind: 'granted'; reservationId: string; grantedAt: number; expiresAt: number }
  | { kind: 'wait'; reason: 'requests' | 'tokens' | 'budget-reserved'; retryAfterMs: number }
  | {
      kind: 'budget-exhausted';
      day: string;
      spentUsd: number;
      reservedUsd: number;
      limitUsd: number;
      requestedUsd: number;
      resetsAt: string;
      retryAfterMs: number;
    };

export type SettleAnswer = { kind: 'settled' | 'late' | 'unknown' | 'duplicate'; chargedUsd: number };

/** How many closed reservation ids are remembered (enough for any caller's retry horizon; bounded for history size). */
export const CLOSED_MEMORY = 500;
/** Longest wait suggested while the budget is held by open reservations that may still settle below estimate. */
export const BUDGET_RESERVED_POLL_MS = 1_000;

export const DEFAULT_RESERVATION_TTL_MS = 5 * 60_000;

export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The next UTC midnight after `now`, in ms since epoch. */
export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export function emptyLedger(limits: GuardLimits, now: number): LedgerState {
  return {
    day: utcDay(now),
    spentUsd: 0,
    limits,
    window: [],
    open: {},
    closed: [],
    models: {},
    counters: { granted: 0, waited: 0, refused: 0, settled: 0, expired: 0 },
    promised: [],
  };
}

export function reservedUsd(state: LedgerState): number {
  let sum = 0;
  for (const r of Object.values(state.open)) sum += r.estimatedCostUsd;
  return sum;
}

function modelUsage(state: LedgerState, modelId: string): ModelUsage {
  const existing = state.models[modelId];
  if (existing) return existing;
  const fresh: ModelUsage = { requests: 0, failed: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  state.models[modelId] = fresh;
  return fresh;
}

function remember(state: LedgerState, closed: ClosedReservation): void {
  state.closed.push(closed);
  if (state.closed.length > CLOSED_MEMORY) state.closed.splice(0, state.closed.length - CLOSED_MEMORY);
}

/**
 * Brings the state up to `now`: a new UTC day starts an empty ledger (open reservations stay open and are now
 * held against the new day, so today's headroom is never overstated), expired reservations are charged at their
 * estimate, and the window drops entries that left it. Mutates `state`; returns what changed.
 */
export function advance(state: LedgerState, now: number): { rolledOver: boolean; expired: string[] } {
  let rolledOver = false;
  const today = utcDay(now);
  if (today > state.day) {
    state.day = today;
    state.spentUsd = 0;
    state.models = {};
    state.counters = { granted: 0, waited: 0, refused: 0, settled: 0, expired: 0 };
    rolledOver = true;
  }
  const expired: string[] = [];
  for (const r of Object.values(state.open)) {
    if (r.expiresAt > now) continue;
    delete state.open[r.requestId];
    state.spentUsd += r.estimatedCostUsd;
    const usage = modelUsage(state, r.modelId);
    usage.costUsd += r.estimatedCostUsd;
    state.counters.expired += 1;
    remember(state, { id: r.requestId, chargedUsd: r.estimatedCostUsd, how: 'expired' });
    expired.push(r.requestId);
  }
  state.window = pruneWindow(state.window, now, state.limits.windowMs);
  state.promised = state.promised.filter((t) => t > now);
  return { rolledOver, expired };
}

/** Why a reserve request can never be granted under the current limits (checked by the guard's validator). */
export function reserveProblem(state: LedgerState, req: ReserveRequest): string | undefined {
  if (state.closed.some((c) => c.id === req.requestId)) {
    return `reservation ${req.requestId} is already closed; a new call needs a new requestId`;
  }
  return tooLargeForWindow(state.limits, req.estimatedTokens);
}

/** Answers one reserve request at `now`. Grants charge the estimate to `reserved` and one entry to the window. */
export function reserve(state: LedgerState, req: ReserveRequest, now: number): ReserveAnswer {
  advance(state, now);
  const already = state.open[req.requestId];
  if (already)
    return {
      kind: 'granted',
      reservationId: already.requestId,
      grantedAt: already.grantedAt,
      expiresAt: already.expiresAt,
    };

  const limit = state.limits.dailyCostLimitUsd;
  const reserved = reservedUsd(state);
  if (state.spentUsd + req.estimatedCostUsd > limit) {
    // Spend only grows during a day, so this call cannot fit before midnight.
    state.counters.refused += 1;
    const resetsAt = nextUtcMidnight(now);
    return {
      kind: 'budget-exhausted',
      day: state.day,
      spentUsd: state.spentUsd,
      reservedUsd: reserved,
      limitUsd: limit,
      requestedUsd: req.estimatedCostUsd,
      resetsAt: new Date(resetsAt).toISOString(),
      retryAfterMs: resetsAt - now,
    };
  }
  if (state.spentUsd + reserved + req.estimatedCostUsd > limit) {
    // It fits once open reservations settle below their estimates (or it is refused then): wait, bounded by the
    // earliest expiry, so the answer is always definite within one TTL.
    state.counters.waited += 1;
    const earliestExpiry = Math.min(...Object.values(state.open).map((r) => r.expiresAt));
    return {
      kind: 'wait',
      reason: 'budget-reserved',
      retryAfterMs: Math.max(1, Math.min(BUDGET_RESERVED_POLL_MS, earliestExpiry - now)),
    };
  }

  const verdict = checkWindow(state.window, now, state.limits, req.estimatedTokens, state.promised.length);
  if (!verdict.allowed) {
    state.counters.waited += 1;
    if (verdict.limitedBy === 'requests') state.promised.push(now + verdict.retryAfterMs);
    return { kind: 'wait', reason: verdict.limitedBy, retryAfterMs: verdict.retryAfterMs };
  }

  const reservation: Reservation = { ...req, grantedAt: now, expiresAt: now + state.limits.reservationTtlMs };
  state.open[req.requestId] = reservation;
  state.window.push({ at: now, tokens: req.estimatedTokens, reservationId: req.requestId });
  state.counters.granted += 1;
  return { kind: 'granted', reservationId: req.requestId, grantedAt: now, expiresAt: reservation.expiresAt };
}

/**
 * Replaces a reservation's estimate with the actual cost. A reservation that already expired was charged its
 * estimate: a late settle adds only what the actual cost exceeds it by. An unknown id (e.g. the guard was reset)
 * is charged in full. A repeated settle changes nothing.
 */
export function settle(
  state: LedgerState,
  req: SettleRequest,
  now: number,
  modelIdIfUnknown = 'unknown',
): SettleAnswer {
  advance(state, now);
  const r = state.open[req.reservationId];
  if (r) {
    delete state.open[req.reservationId];
    charge(state, r.modelId, req, req.actualCostUsd);
    // A failed call's real token use is unknown: keep the reserved tokens in the window rather than guess low.
    if (req.succeeded) correctEntryTokens(state.window, r.requestId, req.inputTokens + req.outputTokens);
    state.counters.settled += 1;
    remember(state, { id: r.requestId, chargedUsd: req.actualCostUsd, how: 'settled' });
    return { kind: 'settled', chargedUsd: req.actualCostUsd };
  }
  const closed = state.closed.find((c) => c.id === req.reservationId);
  if (closed?.how === 'settled') return { kind: 'duplicate', chargedUsd: 0 };
  if (closed?.how === 'expired') {
    const extra = Math.max(0, req.actualCostUsd - closed.chargedUsd);
    charge(state, modelIdIfUnknown, req, extra);
    closed.how = 'settled';
    closed.chargedUsd += extra;
    return { kind: 'late', chargedUsd: extra };
  }
  charge(state, modelIdIfUnknown, req, req.actualCostUsd);
  remember(state, { id: req.reservationId, chargedUsd: req.actualCostUsd, how: 'settled' });
  return { kind: 'unknown', chargedUsd: req.actualCostUsd };
}

function charge(state: LedgerState, modelId: string, req: SettleRequest, costUsd: number): void {
  state.spentUsd += costUsd;
  const usage = modelUsage(state, modelId);
  usage.requests += 1;
  if (!req.succeeded) usage.failed += 1;
  usage.inputTokens += req.inputTokens;
  usage.outputTokens += req.outputTokens;
  usage.costUsd += costUsd;
}

/** Applies new limits. The window and the ledger are kept: a lower limit takes effect on the next reserve. */
export function configure(state: LedgerState, patch: Partial<GuardLimits>, now: number): void {
  state.limits = { ...state.limits, ...patch };
  advance(state, now);
}

/** When the guard must next wake up on its own: the next UTC midnight or the earliest reservation expiry. */
export function nextDeadline(state: LedgerState, now: number): number {
  let next = nextUtcMidnight(now);
  for (const r of Object.values(state.open)) next = Math.min(next, r.expiresAt);
  return next;
}

export interface GuardSummary {
  day: string;
  spentUsd: number;
  reservedUsd: number;
  dailyLimitUsd: number;
  remainingUsd: number;
  /** `warning` from `warnAtFraction` of the limit (settled + reserved), `exhausted` when nothing is left. */
  budgetStatus: 'ok' | 'warning' | 'exhausted';
  resetsAt: string;
  openReservations: number;
  requestsInWindow: number;
  maxRequestsPerWindow: number;
  tokensInWindow: number;
  maxTokensPerWindow: number | null;
  windowMs: number;
  reservationTtlMs: number;
  models: Record<string, ModelUsage>;
  counters: LedgerCounters;
}

/** The cost summary, for the `summary` query and `eks-upgrade cost`. Reads `state` without changing it. */
export function summarize(state: LedgerState, now: number): GuardSummary {
  const window = pruneWindow(state.window, now, state.limits.windowMs);
  const usage = windowUsage(window);
  const reserved = reservedUsd(state);
  const committed = state.spentUsd + reserved;
  const limit = state.limits.dailyCostLimitUsd;
  const budgetStatus =
    committed >= limit ? 'exhausted' : committed >= limit * state.limits.warnAtFraction ? 'warning' : 'ok';
  return {
    day: state.day,
    spentUsd: state.spentUsd,
    reservedUsd: reserved,
    dailyLimitUsd: limit,
    remainingUsd: Math.max(0, limit - committed),
    budgetStatus,
    resetsAt: new Date(nextUtcMidnight(now)).toISOString(),
    openReservations: Object.keys(state.open).length,
    requestsInWindow: usage.requests,
    maxRequestsPerWindow: state.limits.maxRequestsPerWindow,
    tokensInWindow: usage.tokens,
    maxTokensPerWindow: state.limits.maxTokensPerWindow,
    windowMs: state.limits.windowMs,
    reservationTtlMs: state.limits.reservationTtlMs,
    models: Object.fromEntries(Object.entries(state.models).map(([id, u]) => [id, { ...u }])),
    counters: { ...state.counters },
  };
}
