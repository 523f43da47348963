// The Bedrock guard's books: a UTC-day cost ledger in whole micro-dollars, the leases worker processes hold, and the
// sliding rate window. Pure arithmetic over one plain, JSON-safe state object (carried through continue-as-new);
// every function takes `now` (ms since epoch) instead of reading a clock. What a lease holds is budget already
// committed, so at every moment spent + reserved + leased <= the daily limit (a grant never breaks it; expiry and
// settles only move or free money). The lease protocol itself is in ./guard-leases.ts; docs/guard.md explains both.
import { formatMicroUsd, microsToUsd, usdToMicros, usdToMicrosUp, type MicroUsd } from './money';
import { pruneWindow, windowUsage, type WindowEntry } from './rate-window';

export interface GuardLimits {
  dailyCostLimitUsd: number;
  maxRequestsPerWindow: number;
  maxTokensPerWindow: number | null;
  windowMs: number;
  /** How long a permit may wait before its request reaches Bedrock; the window holds each permit that much longer. */
  permitValidityMs: number;
  /** A lease not renewed within this time (its holder died) expires: started calls charged, the rest given back. */
  leaseTtlMs: number;
  /** Share of the daily limit from which the summary reports `warning` (a soft threshold before the hard limit). */
  warnAtFraction: number;
}

/** The least one call can cost (its maxTokens of output), as a worker declared it: no useful limit is below it. */
export interface CallFloor {
  micros: MicroUsd;
  modelId: string;
  maxTokens: number;
}

/** The least any call can cost at these prices: its maxTokens of output (its input only adds to that). */
export function callFloorFor(pricing: { modelId: string; rates: { output: number } }, maxTokens: number): CallFloor {
  return { micros: usdToMicrosUp((maxTokens * pricing.rates.output) / 1_000_000), modelId: pricing.modelId, maxTokens };
}

/** Why a daily limit cannot work: below one call's worst case, every call would be refused, every day. */
export function dailyLimitProblem(limitUsd: number, floor: CallFloor): string | undefined {
  const limit = usdToMicros(limitUsd);
  if (limit >= floor.micros) return undefined;
  return (
    `a daily Bedrock limit of ${formatMicroUsd(limit)} is below what one call can cost (${formatMicroUsd(floor.micros)}: up to ` +
    `${floor.maxTokens} output tokens of ${floor.modelId}), so every call would be refused, every day. ` +
    `Set the limit (BEDROCK_DAILY_COST_LIMIT_USD, or eks-upgrade cost --set-daily-limit) to at least ` +
    `${microsToUsd(floor.micros)}, or lower BEDROCK_MAX_TOKENS; to run without AI analysis, start upgrades with --no-ai.`
  );
}

/** A permit the guard granted and no report has accounted for yet: it may have started a call. */
export interface PermitRecord {
  id: string;
  /** Budget held for the call this permit may start (its worst case). */
  allowance: MicroUsd;
  tokens: number;
  modelId: string;
  grantedAt: number;
}

/** A call its holder reported started and not yet settled: held at its worst-case estimate. */
export interface CallRecord {
  id: string;
  permitId: string;
  estimate: MicroUsd;
  modelId: string;
  caller: string;
}

export interface Lease {
  id: string;
  holder: string;
  permits: Record<string, PermitRecord>;
  calls: Record<string, CallRecord>;
  expiresAt: number;
  /** Another holder waits for what this one holds: ask it to give back its spare permits. */
  recall: boolean;
  /** Calls this holder asked for and did not get at its last sync (for fairness and recalls). */
  waiting: number;
  nextPermit: number;
  floor?: CallFloor;
}

/** The last answer per holder, so a resent sync (same seq) is answered, not applied twice, across runs too. */
export interface HolderRecord {
  seq: number;
  answer: unknown;
  leaseId: string;
  seenAt: number;
}

/** A call or permit charged when its lease expired; a late report from its holder corrects the charge. */
export interface ExpiredCharge {
  id: string;
  kind: 'call' | 'permit';
  charged: MicroUsd;
  modelId: string;
}

export interface ModelUsage {
  requests: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: MicroUsd;
}

export interface LedgerCounters {
  /** Permits granted. */
  granted: number;
  /** Syncs told to wait (rate or budget held by others). */
  waited: number;
  /** Calls refused: the daily budget cannot fit them today. */
  refused: number;
  settled: number;
  /** Permits given back unused. */
  returned: number;
  /** Leases that expired holding something (their holder died or lost touch). */
  expired: number;
}

export interface LedgerState {
  /** UTC day the spend belongs to, YYYY-MM-DD. */
  day: string;
  /** Settled costs plus what expired leases were charged, for `day`. */
  spent: MicroUsd;
  limits: GuardLimits;
  window: WindowEntry[];
  leases: Record<string, Lease>;
  holders: Record<string, HolderRecord>;
  expiredCharges: ExpiredCharge[];
  models: Record<string, ModelUsage>;
  counters: LedgerCounters;
  /** Prefix of lease ids: unique to this guard (its first run), so a guard reset never reuses an id. */
  epoch: string;
  leaseSeq: number;
  /** The floor last declared, kept when no lease is open. */
  lastFloor?: CallFloor;
}

/** How many expired charges are remembered for late corrections (bounded for the continue-as-new payload). */
export const EXPIRED_MEMORY = 500;
/** A holder not seen for this long is forgotten (its resend window is long over). */
export const HOLDER_MEMORY_MS = 24 * 3_600_000;

export const DEFAULT_PERMIT_VALIDITY_MS = 2_000;
export const DEFAULT_LEASE_TTL_MS = 30_000;

export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The next UTC midnight after `now`, in ms since epoch. */
export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

const emptyCounters = (): LedgerCounters => ({
  granted: 0,
  waited: 0,
  refused: 0,
  settled: 0,
  returned: 0,
  expired: 0,
});

export function emptyLedger(limits: GuardLimits, now: number, epoch = 'g'): LedgerState {
  return {
    day: utcDay(now),
    spent: 0,
    limits,
    window: [],
    leases: {},
    holders: {},
    expiredCharges: [],
    models: {},
    counters: emptyCounters(),
    epoch,
    leaseSeq: 0,
  };
}

export const limitMicros = (state: LedgerState): MicroUsd => usdToMicros(state.limits.dailyCostLimitUsd);

export interface Books {
  spent: MicroUsd;
  /** Worst-case estimates of calls reported started and not settled. */
  reserved: MicroUsd;
  /** Allowances of permits granted and not yet accounted for. */
  leased: MicroUsd;
  limit: MicroUsd;
}

export function leaseHeld(lease: Lease): { reserved: MicroUsd; leased: MicroUsd } {
  let reserved = 0;
  let leased = 0;
  for (const c of Object.values(lease.calls)) reserved += c.estimate;
  for (const p of Object.values(lease.permits)) leased += p.allowance;
  return { reserved, leased };
}

export function books(state: LedgerState): Books {
  let reserved = 0;
  let leased = 0;
  for (const lease of Object.values(state.leases)) {
    const held = leaseHeld(lease);
    reserved += held.reserved;
    leased += held.leased;
  }
  return { spent: state.spent, reserved, leased, limit: limitMicros(state) };
}

export function modelUsage(state: LedgerState, modelId: string): ModelUsage {
  const existing = state.models[modelId];
  if (existing) return existing;
  const fresh: ModelUsage = { requests: 0, failed: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 };
  state.models[modelId] = fresh;
  return fresh;
}

function rememberExpired(state: LedgerState, charge: ExpiredCharge): void {
  state.expiredCharges.push(charge);
  if (state.expiredCharges.length > EXPIRED_MEMORY)
    state.expiredCharges.splice(0, state.expiredCharges.length - EXPIRED_MEMORY);
}

/**
 * A lease nobody renewed: its holder is presumed dead. Calls it reported started are charged their estimate; permits
 * it never accounted for are charged their allowance (one of them may have started a call since its last report);
 * nothing else was spent, so the rest of what it held is free again. Its permits keep occupying the rate window until
 * they would have left it anyway. A late report from a holder that was alive after all corrects these charges.
 */
function expireLease(state: LedgerState, lease: Lease): void {
  const held = leaseHeld(lease);
  if (held.reserved + held.leased > 0 || Object.keys(lease.permits).length > 0) state.counters.expired += 1;
  for (const c of Object.values(lease.calls)) {
    state.spent += c.estimate;
    modelUsage(state, c.modelId).costMicros += c.estimate;
    rememberExpired(state, { id: c.id, kind: 'call', charged: c.estimate, modelId: c.modelId });
  }
  for (const p of Object.values(lease.permits)) {
    state.spent += p.allowance;
    modelUsage(state, p.modelId).costMicros += p.allowance;
    rememberExpired(state, { id: p.id, kind: 'permit', charged: p.allowance, modelId: p.modelId });
  }
  if (lease.floor) state.lastFloor = lease.floor;
  delete state.leases[lease.id];
}

/**
 * Brings the state up to `now`: a new UTC day starts an empty ledger (what leases hold stays held, now against the
 * new day, so today's headroom is never overstated), expired leases are settled as above, the window drops permits
 * that left it, and long-gone holders are forgotten. Mutates `state`; returns what changed.
 */
export function advance(state: LedgerState, now: number): { rolledOver: boolean; expired: string[] } {
  let rolledOver = false;
  const today = utcDay(now);
  if (today > state.day) {
    state.day = today;
    state.spent = 0;
    state.models = {};
    state.counters = emptyCounters();
    state.expiredCharges = [];
    rolledOver = true;
  }
  const expired: string[] = [];
  for (const lease of Object.values(state.leases)) {
    if (lease.expiresAt > now) continue;
    expireLease(state, lease);
    expired.push(lease.id);
  }
  state.window = pruneWindow(state.window, now, state.limits.windowMs);
  for (const [holder, record] of Object.entries(state.holders)) {
    if (record.seenAt + HOLDER_MEMORY_MS < now && !state.leases[record.leaseId]) delete state.holders[holder];
  }
  return { rolledOver, expired };
}

/** Applies new limits. The window and the books are kept: a lower limit takes effect on the next grant. */
export function configure(state: LedgerState, patch: Partial<GuardLimits>, now: number): void {
  state.limits = { ...state.limits, ...patch };
  advance(state, now);
  // Less room than is held: ask every holder for its spare permits back.
  const b = books(state);
  if (b.spent + b.reserved + b.leased > b.limit) for (const lease of Object.values(state.leases)) lease.recall = true;
}

/** The floor that a daily limit must not go below: the largest one declared by an open lease, else the last one. */
export function callFloor(state: LedgerState): CallFloor | undefined {
  let floor: CallFloor | undefined;
  for (const lease of Object.values(state.leases))
    if (lease.floor && (!floor || lease.floor.micros > floor.micros)) floor = lease.floor;
  return floor ?? state.lastFloor;
}

/** When the guard must next wake up on its own: the next UTC midnight or the earliest lease expiry. */
export function nextDeadline(state: LedgerState, now: number): number {
  let next = nextUtcMidnight(now);
  for (const lease of Object.values(state.leases)) next = Math.min(next, lease.expiresAt);
  return next;
}

export interface LeaseSummary {
  leaseId: string;
  holder: string;
  permits: number;
  callsInFlight: number;
  heldUsd: number;
  expiresAt: string;
}

export interface GuardSummary {
  day: string;
  spentUsd: number;
  reservedUsd: number;
  leasedUsd: number;
  dailyLimitUsd: number;
  remainingUsd: number;
  /** The same amounts in whole micro-dollars. */
  micros: Books & { remaining: MicroUsd };
  /** `warning` from `warnAtFraction` of the limit (spent + reserved + leased), `exhausted` when nothing is left. */
  budgetStatus: 'ok' | 'warning' | 'exhausted';
  resetsAt: string;
  callsInFlight: number;
  leases: LeaseSummary[];
  requestsInWindow: number;
  maxRequestsPerWindow: number;
  tokensInWindow: number;
  maxTokensPerWindow: number | null;
  windowMs: number;
  permitValidityMs: number;
  leaseTtlMs: number;
  models: Record<string, Omit<ModelUsage, 'costMicros'> & { costUsd: number }>;
  counters: LedgerCounters;
}

/** The cost summary, for the `summary` query and `eks-upgrade cost`. Reads `state` without changing it. */
export function summarize(state: LedgerState, now: number): GuardSummary {
  const usage = windowUsage(pruneWindow(state.window, now, state.limits.windowMs));
  const b = books(state);
  const committed = b.spent + b.reserved + b.leased;
  const remaining = Math.max(0, b.limit - committed);
  const budgetStatus =
    committed >= b.limit ? 'exhausted' : committed >= b.limit * state.limits.warnAtFraction ? 'warning' : 'ok';
  const leases = Object.values(state.leases).map((lease) => {
    const held = leaseHeld(lease);
    return {
      leaseId: lease.id,
      holder: lease.holder,
      permits: Object.keys(lease.permits).length,
      callsInFlight: Object.keys(lease.calls).length,
      heldUsd: microsToUsd(held.reserved + held.leased),
      expiresAt: new Date(lease.expiresAt).toISOString(),
    };
  });
  return {
    day: state.day,
    spentUsd: microsToUsd(b.spent),
    reservedUsd: microsToUsd(b.reserved),
    leasedUsd: microsToUsd(b.leased),
    dailyLimitUsd: microsToUsd(b.limit),
    remainingUsd: microsToUsd(remaining),
    micros: { ...b, remaining },
    budgetStatus,
    resetsAt: new Date(nextUtcMidnight(now)).toISOString(),
    callsInFlight: leases.reduce((n, l) => n + l.callsInFlight, 0),
    leases,
    requestsInWindow: usage.requests,
    maxRequestsPerWindow: state.limits.maxRequestsPerWindow,
    tokensInWindow: usage.tokens,
    maxTokensPerWindow: state.limits.maxTokensPerWindow,
    windowMs: state.limits.windowMs,
    permitValidityMs: state.limits.permitValidityMs,
    leaseTtlMs: state.limits.leaseTtlMs,
    models: Object.fromEntries(
      Object.entries(state.models).map(([id, { costMicros, ...u }]) => [
        id,
        { ...u, costUsd: microsToUsd(costMicros) },
      ]),
    ),
    counters: { ...state.counters },
  };
}
