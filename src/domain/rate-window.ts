// Sliding-window arithmetic for the Bedrock guard: requests per window and (optionally) tokens per window.
// One entry per granted request, stamped with the grant time; an entry counts while `at + windowMs > now`.
// Pure functions over plain data, so the state survives continue-as-new as JSON and tests need no clock.

/** One granted request in the window. `tokens` is what Bedrock reserves when a request starts: input + maxTokens. */
export interface WindowEntry {
  at: number;
  tokens: number;
  reservationId: string;
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

/** Entries still inside the window at `now` (older ones are dropped, so the window never grows). */
export function pruneWindow(entries: readonly WindowEntry[], now: number, windowMs: number): WindowEntry[] {
  return entries.filter((e) => e.at + windowMs > now);
}

export function windowUsage(entries: readonly WindowEntry[]): WindowUsage {
  let tokens = 0;
  for (const e of entries) tokens += e.tokens;
  return { requests: entries.length, tokens };
}

export type WindowVerdict =
  { allowed: true } | { allowed: false; limitedBy: 'requests' | 'tokens'; retryAfterMs: number };

/**
 * Whether one more request of `tokens` fits in the window at `now`, and if not, how long until it would fit
 * (assuming nothing else is granted meanwhile). `entries` must already be pruned to `now`.
 * A request larger than the whole tokens limit can never fit: callers must refuse it up front (see `tooLargeForWindow`).
 */
export function checkWindow(
  entries: readonly WindowEntry[],
  now: number,
  limits: WindowLimits,
  tokens: number,
  queued = 0,
): WindowVerdict {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  let retryAfterMs = 0;
  let limitedBy: 'requests' | 'tokens' | undefined;

  // Requests: the (n - max + 1)-th oldest entry must leave before one more fits. With `queued` callers already
  // told to come back for the next slots, this one is sent to the slot after theirs (a queue, not a stampede).
  const excessRequests = sorted.length - limits.maxRequestsPerWindow + 1;
  if (excessRequests > 0) {
    const max = limits.maxRequestsPerWindow;
    const leaving = sorted[excessRequests - 1 + (queued % max)];
    if (leaving) {
      retryAfterMs = leaving.at + limits.windowMs * (1 + Math.floor(queued / max)) - now;
      limitedBy = 'requests';
    }
  }

  // Tokens: drop the oldest entries until the rest plus this request fits.
  const maxTokens = limits.maxTokensPerWindow;
  if (maxTokens != null) {
    let inWindow = windowUsage(sorted).tokens;
    for (const e of sorted) {
      if (inWindow + tokens <= maxTokens) break;
      inWindow -= e.tokens;
      const wait = e.at + limits.windowMs - now;
      if (wait > retryAfterMs) {
        retryAfterMs = wait;
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

/** Bedrock corrects its TPM charge after the call; the guard does the same when a reservation settles. */
export function correctEntryTokens(entries: WindowEntry[], reservationId: string, actualTokens: number): void {
  const entry = entries.find((e) => e.reservationId === reservationId);
  if (entry) entry.tokens = actualTokens;
}
