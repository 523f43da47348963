// Heartbeats for activities whose work has no natural progress points (reading a snapshot, scanning manifests,
// checking readiness): while one runs, it heartbeats on an interval, so a worker that died is noticed within the
// short heartbeat timeout the workflow sets, and a cancellation (abort) reaches it at the next heartbeat. On
// cancellation it rejects at once with Temporal's CancelledFailure; work that checks
// Context.current().cancellationSignal stops too.
import { Context } from '@temporalio/activity';

/** Default interval between heartbeats; never more than a third of the activity's heartbeat timeout. */
export const DEFAULT_HEARTBEAT_EVERY_MS = 1_000;

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (unit tests, the CLI's scan): nothing to heartbeat to
  }
}

/** Wraps one activity function: heartbeats while it runs, rejects promptly when Temporal cancels it. */
export function heartbeating<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  everyMs = DEFAULT_HEARTBEAT_EVERY_MS,
): (...args: A) => Promise<R> {
  const wrapped = async (...args: A): Promise<R> => {
    const ctx = currentContext();
    if (!ctx) return fn(...args);
    const timeoutMs = ctx.info.heartbeatTimeoutMs;
    const interval = Math.max(50, Math.min(everyMs, timeoutMs ? timeoutMs / 3 : everyMs));
    const beat = () => ctx.heartbeat({ activity: name, runningForMs: Date.now() - started });
    const started = Date.now();
    beat();
    const timer = setInterval(beat, interval);
    try {
      // ctx.cancelled never resolves; it rejects with CancelledFailure when the activity is cancelled.
      return await Promise.race([fn(...args), ctx.cancelled]);
    } finally {
      clearInterval(timer);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}

type AsyncFunctions<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never;
};

/** Wraps every function of an activity object (as a factory returns it) with `heartbeating`. */
export function withHeartbeats<T extends AsyncFunctions<T>>(activities: T, everyMs = DEFAULT_HEARTBEAT_EVERY_MS): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities as Record<string, (...args: unknown[]) => Promise<unknown>>))
    out[name] = heartbeating(name, fn, everyMs);
  return out as T;
}
