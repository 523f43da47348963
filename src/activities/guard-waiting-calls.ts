// The calls waiting in a lease holder (src/activities/guard-lease.ts) for a permit, in arrival order: each is a
// promise its caller awaits, settled by a permit, a refusal, the caller's own cancellation, or the guard staying
// silent too long. The failures here are what the gate turns into ApplicationFailures.
import type { RefusedCall, WantedCall } from '../domain/guard-leases';

/** The guard refused the call: its budget cannot fit today, or it is larger than the whole tokens window. */
export class CallRefusedError extends Error {
  constructor(readonly refusal: RefusedCall) {
    super(refusal.reason === 'too-large' ? refusal.message : `budget exhausted for ${refusal.day}`);
  }
}

/** The guard did not answer a waiting call's holder for too long (no worker polling its task queue, or an outage). */
export class GuardUnavailableError extends Error {
  override readonly name = 'GuardUnavailableError';
}

export interface Waiter<T> {
  want: WantedCall;
  /** Local time it started waiting. */
  since: number;
  /** Wait answers seen while it waited. */
  denials: number;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

const now = () => performance.now();

export class WaitingCalls<T> {
  private readonly waiters: Waiter<T>[] = [];

  constructor(
    /** Local time of the guard's last answer (the holder's), to tell a busy guard from a silent one. */
    private readonly lastAnswerAt: () => number,
    private readonly patienceMs: number,
    /** What was last seen failing, for the unavailable message. */
    private readonly lastFailure: () => string | undefined,
  ) {}

  get size(): number {
    return this.waiters.length;
  }

  /** In arrival order (a copy: serving one removes it). */
  list(): Waiter<T>[] {
    return [...this.waiters];
  }

  /** A new waiting call; `signal` (activity cancellation) withdraws it with the signal's reason. */
  add(want: WantedCall, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { want, since: now(), denials: 0, resolve, reject };
      const onAbort = () => {
        this.remove(waiter);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('cancelled while waiting for a permit'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.resolve = (value) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      waiter.reject = (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      };
      this.waiters.push(waiter);
      this.watch(waiter);
    });
  }

  /** Serves a waiter (it leaves the queue). */
  serve(waiter: Waiter<T>, value: T): void {
    this.remove(waiter);
    waiter.resolve(value);
  }

  /** Fails the waiting call `callId`, if it still waits. */
  fail(callId: string, err: Error): void {
    const waiter = this.waiters.find((w) => w.want.callId === callId);
    if (waiter) {
      this.remove(waiter);
      waiter.reject(err);
    }
  }

  failAll(err: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  /** The calls `callIds` were told to wait once more. */
  denied(callIds: ReadonlySet<string>): void {
    for (const w of this.waiters) if (callIds.has(w.want.callId)) w.denials += 1;
  }

  private remove(waiter: Waiter<T>): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Fails the waiter once the guard has been silent for the whole patience while it waited. */
  private watch(waiter: Waiter<T>): void {
    const check = () => {
      if (!this.waiters.includes(waiter)) return;
      const silentFor = now() - Math.max(this.lastAnswerAt(), waiter.since);
      if (silentFor < this.patienceMs) {
        setTimeout(check, this.patienceMs - silentFor).unref();
        return;
      }
      const last = this.lastFailure();
      this.remove(waiter);
      waiter.reject(
        new GuardUnavailableError(
          `the Bedrock guard did not answer for ${Math.round(silentFor)} ms${last ? ` (last error: ${last})` : ''}`,
        ),
      );
    };
    setTimeout(check, this.patienceMs).unref();
  }
}
