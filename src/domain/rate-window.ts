// Sliding-window arithmetic for the Bedrock guard, counted where it matters: at Bedrock, not at the guard.
// A permit granted at `at` may reach the wire at any time until `until` (its validity; tightened to what its holder
// reports once the call has gone out), so it occupies the window from `at` until `until + windowMs`. A new permit is
// granted only while fewer than the limit occupy it: then no window [t, t + windowMs) of wire times can hold more
// than the limit (docs/guard.md has the proof). Pure functions over plain data, so the state survives
// continue-as-new as JSON and tests need no clock.

/** One granted permit. `tokens` is what Bedrock reserves when a request starts: input + maxTokens. */
export interface WindowEntry {
  at: number;
  /** Latest time the permit's request can reach Bedrock. */
  until: number;
  tokens: number;
  permitId: string;
}

export interface WindowLimits {
  windowMs: number;
  maxRequestsPerWindow: number;
  /** Optional tokens-per-window limit (BEDROCK_MAX_TOKENS_PER_MINUTE); null or undefined means none. */
  maxTokensPerWindow?: number | null;
}

export interface WindowUsage {
  requests: number;
  tokens: number;
}

/** When the entry stops counting. */
export function entryEnd(entry: WindowEntry, windowMs: number): number {
  return entry.until + windowMs;
}

/** Entries still occupying the window at `now` (older ones are dropped, so the window never grows). */
export function pruneWindow(entries: readonly WindowEntry[], now: number, windowMs: number): WindowEntry[] {
  return entries.filter((e) => entryEnd(e, windowMs) > now);
}

export function windowUsage(entries: readonly WindowEntry[]): WindowUsage {
  let tokens = 0;
  for (const e of entries) tokens += e.tokens;
  return { requests: entries.length, tokens };
}

export type WindowVerdict =
  { allowed: true } | { allowed: false; limitedBy: 'requests' | 'tokens'; retryAfterMs: number };

/**
 * Whether one more permit of `tokens` fits at `now`, and if not, how long until it would (assuming nothing else is
 * granted and no holder reports meanwhile). `entries` must already be pruned to `now`. A request larger than the
 * whole tokens limit never fits: callers refuse it up front (see `tooLargeForWindow`).
 */
export function checkWindow(
  entries: readonly WindowEntry[],
  now: number,
  limits: WindowLimits,
  tokens: number,
): WindowVerdict {
  const ends = entries.map((e) => ({ end: entryEnd(e, limits.windowMs), tokens: e.tokens }));
  ends.sort((a, b) => a.end - b.end);
  let retryAfterMs = 0;
  let limitedBy: 'requests' | 'tokens' | undefined;

  // Requests: the (n - max + 1)-th entry to stop counting must have left before one more fits.
  const excess = ends.length - limits.maxRequestsPerWindow + 1;
  if (excess > 0) {
    retryAfterMs = (ends[excess - 1]?.end ?? now) - now;
    limitedBy = 'requests';
  }

  // Tokens: drop entries in the order they stop counting until the rest plus this request fits.
  const maxTokens = limits.maxTokensPerWindow;
  if (maxTokens != null) {
    let inWindow = windowUsage(entries).tokens;
    for (const e of ends) {
      if (inWindow + tokens <= maxTokens) break;
      inWindow -= e.tokens;
      if (e.end - now > retryAfterMs) {
        retryAfterMs = e.end - now;
        limitedBy = 'tokens';
      }
    }
  }

  if (limitedBy === undefined) return { allowed: true };
  return { allowed: false, limitedBy, retryAfterMs: Math.max(1, retryAfterMs) };
}

/** A request that exceeds the tokens limit on its own would wait forever; say so instead. */
export function tooLargeForWindow(limits: WindowLimits, tokens: number): string | undefined {
  const maxTokens = limits.maxTokensPerWindow;
  if (maxTokens != null && tokens > maxTokens) {
    return (
      `the request reserves ${tokens} tokens (input + maxTokens) but the guard allows only ${maxTokens} tokens per ` +
      `${limits.windowMs} ms window: lower BEDROCK_MAX_TOKENS or the prompt size, or raise BEDROCK_MAX_TOKENS_PER_MINUTE`
    );
  }
  return undefined;
}

function find(entries: readonly WindowEntry[], permitId: string): WindowEntry | undefined {
  return entries.find((e) => e.permitId === permitId);
}

/** The holder says when its request went out at the latest: the permit stops counting earlier. Never later. */
export function tightenEntry(entries: WindowEntry[], permitId: string, until: number): void {
  const entry = find(entries, permitId);
  if (entry) entry.until = Math.max(entry.at, Math.min(entry.until, until));
}

/** Bedrock corrects its TPM charge after the call; the guard does the same when a call settles. */
export function correctEntryTokens(entries: WindowEntry[], permitId: string, actualTokens: number): void {
  const entry = find(entries, permitId);
  if (entry) entry.tokens = actualTokens;
}

/** A permit given back unused never reaches Bedrock: it leaves the window at once. */
export function removeEntry(entries: WindowEntry[], permitId: string): void {
  const i = entries.findIndex((e) => e.permitId === permitId);
  if (i >= 0) entries.splice(i, 1);
}
