// The lease holder: one per worker process (per gate), between its Bedrock callers and the singleton guard. Callers
// take permits from a local pool without a round trip; when the pool cannot serve them, the holder asks the guard
// for exactly what waits (plus spare permits when calls keep coming). Everything that happened meanwhile — calls
// started, calls settled with what Bedrock billed, permits given back — travels in the same sync, one sync in
// flight at a time, retried with the same sequence number until it lands (a server outage only delays it).
// The protocol and its guarantees: src/domain/guard-leases.ts and docs/guard.md.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CallFloor } from '../domain/guard-ledger';
import type { SyncAnswer, WantedCall } from '../domain/guard-leases';
import type { MicroUsd } from '../domain/money';
import type { SyncUpdateArgs } from '../workflows/guard-messages';
import { GuardRejectedError, type GuardSyncTransport } from './guard-client';
import { PermitPool, type PoolPermit } from './guard-permit-pool';
import { ReportOutbox } from './guard-report-outbox';
import { CallRefusedError, WaitingCalls } from './guard-waiting-calls';

export { CallRefusedError, GuardUnavailableError } from './guard-waiting-calls';

/** A permit in the pool, and then the call that took it. */
export interface Ticket {
  permitId: string;
  callId: string;
  estimateMicros: MicroUsd;
  modelId: string;
  caller: string;
  /** Guard time the permit was granted (the rate window counts from it). */
  grantedAt: number;
  /** Local (monotonic) time the sync that brought the permit was first sent, and when the call took it. */
  askedAt: number;
  takenAt: number;
  /** Denials (wait answers) seen while this call waited; 0 when the pool served it at once. */
  denials: number;
  fromPool: boolean;
}

export interface CallOutcomeReport {
  chargedMicros: MicroUsd;
  inputTokens: number;
  outputTokens: number;
  succeeded: boolean;
}

export interface LeaseHolderOptions {
  transport: GuardSyncTransport;
  /** Warnings for failed syncs (they are retried); debug for the rest. */
  logger: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
  /** What one call costs at the least (declared to the guard, which refuses a daily limit below it). */
  floor?: CallFloor;
  /** Time a request may take from the permit check to Bedrock (default: half the permit's validity). */
  wireMarginMs?: number;
  /** Most spare permits kept at hand (default 128). */
  maxSpare?: number;
  /** Reports wait this long for company before a sync carries them (default 20 ms), unless someone drains. */
  reportDelayMs?: number;
  /** The holder's identity at the guard (default host:pid:random). */
  holder?: string;
  /** A waiting call fails with GuardUnavailableError after the guard has not answered for this long (default 60 s). */
  unavailableAfterMs?: number;
}

/** The guard this holder's lease came from no longer runs (terminated or reset). */
class GuardGoneError extends Error {
  override readonly name = 'GuardGoneError';
}

const now = () => performance.now();

export class LeaseHolder {
  readonly holder: string;
  private seq = 0;
  private readonly pool: PermitPool;
  private readonly waiters: WaitingCalls<Ticket>;
  private readonly inFlight = new Map<string, Ticket>();
  private readonly outbox = new ReportOutbox();
  private syncing = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private waitUntil = 0;
  private recall = false;
  private closing = false;
  private closed = false;
  private closingDone: Promise<void> | undefined;
  /** Aborts a sync attempt still in flight when closing gives up, so no call outlives close(). */
  private readonly stop = new AbortController();
  private validForMs = 0;
  private renewWithinMs = 10_000;
  private lastAnswerAt = 0;
  private leaseEpoch: string | undefined;
  /** Syncs sent, attempts (a sync is resent until it lands), failed attempts by error, guards started, pool hits. */
  readonly stats = {
    syncs: 0,
    attempts: 0,
    failures: {} as Record<string, number>,
    starts: 0,
    poolHits: 0,
    waits: 0,
  };

  constructor(private readonly options: LeaseHolderOptions) {
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.pool = new PermitPool(options.maxSpare ?? 128);
    this.waiters = new WaitingCalls<Ticket>(
      () => this.lastAnswerAt,
      options.unavailableAfterMs ?? 60_000,
      () => Object.keys(this.stats.failures).slice(-1)[0],
    );
  }

  /**
   * Kept off each permit's validity for the request's way to Bedrock, stalls of this process included: a permit
   * starts a call only in the first half of its validity (or before `wireMarginMs` to its end, if smaller).
   */
  private get margin(): number {
    const half = this.validForMs / 2;
    return this.options.wireMarginMs === undefined ? half : Math.min(this.options.wireMarginMs, half);
  }

  /** A permit for one call: from the pool at once when one fits, else after the next sync(s). */
  acquire(want: WantedCall, signal?: AbortSignal): Promise<Ticket> {
    if (this.closed || this.closing) return Promise.reject(new Error('the Bedrock guard lease holder is closed'));
    this.pool.rememberCall(want);
    const permit = this.pool.take(want, now());
    if (permit) {
      this.stats.poolHits += 1;
      return Promise.resolve(this.ticketFor(permit, want, 0, true));
    }
    const waiting = this.waiters.add(want, signal);
    this.kick(0);
    return waiting;
  }

  /** The call ended: what it cost goes into the next sync, whatever happens to the caller afterwards. */
  finish(ticket: Ticket, outcome: CallOutcomeReport): void {
    this.inFlight.delete(ticket.callId);
    // The answer came back, so the request reached Bedrock before now: the permit stops counting earlier.
    const bound = Math.min(this.validForMs, Math.ceil(now() - ticket.askedAt));
    this.outbox.settle({
      callId: ticket.callId,
      permitId: ticket.permitId,
      chargedMicros: outcome.chargedMicros,
      modelId: ticket.modelId,
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      succeeded: outcome.succeeded,
      wireBoundMs: Math.max(0, bound),
    });
    this.kick(this.options.reportDelayMs ?? 20);
  }

  /** Resolves once every report made so far has reached the guard (or `timeoutMs` passes). */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    const acked = this.outbox.whenSettlesLand();
    if (!acked) return;
    this.kick(0);
    if (!Number.isFinite(timeoutMs)) return acked;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([acked, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /**
   * Stops: waits for calls in flight (up to `timeoutMs`), gives every spare permit back and closes the lease. If the
   * guard cannot be reached by then, what was not delivered is logged and dropped: the lease expires on its own.
   */
  close(timeoutMs = 30_000): Promise<void> {
    this.closingDone ??= this.closeOnce(timeoutMs);
    return this.closingDone;
  }

  private async closeOnce(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.waiters.failAll(new Error('the Bedrock guard lease holder is closing'));
    const deadline = now() + timeoutMs;
    while (this.inFlight.size > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.lastAnswerAt > 0 || this.outbox.undelivered > 0) {
      const released = this.outbox.whenReleased();
      this.kick(0);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        released,
        new Promise<void>((r) => (timer = setTimeout(r, Math.max(1_000, deadline - now())))),
      ]);
      clearTimeout(timer);
    }
    this.closed = true;
    this.stop.abort();
    if (this.timer) clearTimeout(this.timer);
    const undelivered = this.outbox.undelivered;
    if (undelivered > 0)
      this.options.logger.warn(
        { holder: this.holder, undelivered },
        'Bedrock guard lease closed without reaching the guard: it expires on its own, charging the calls it had started',
      );
    this.outbox.abandonWaits();
  }

  private ticketFor(permit: PoolPermit, want: WantedCall, denials: number, fromPool: boolean): Ticket {
    const ticket: Ticket = {
      permitId: permit.id,
      callId: want.callId,
      estimateMicros: want.allowanceMicros,
      modelId: want.modelId,
      caller: want.caller,
      grantedAt: permit.grantedAt,
      askedAt: permit.askedAt,
      takenAt: now(),
      denials,
      fromPool,
    };
    this.inFlight.set(ticket.callId, ticket);
    this.outbox.start({
      callId: ticket.callId,
      permitId: ticket.permitId,
      estimateMicros: ticket.estimateMicros,
      modelId: ticket.modelId,
      caller: ticket.caller,
      // Not tightened at the start: when the request leaves depends on this process not stalling. Its answer
      // (in finish) proves that it has reached Bedrock.
      wireBoundMs: this.validForMs,
    });
    // Running low while calls keep coming: refill before the next caller has to wait.
    if (this.pool.low(now(), this.validForMs)) this.kick(0);
    return ticket;
  }

  /** Schedules a sync in `delayMs` (or sooner if one is already due). */
  private kick(delayMs: number): void {
    if (this.closed) return;
    if (this.syncing) {
      if (delayMs === 0) this.again = true;
      else this.schedule(delayMs);
      return;
    }
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    const at = now() + Math.max(0, delayMs);
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        void this.pump();
      },
      Math.max(0, delayMs),
    );
    this.holdProcessOnlyIfAwaited(this.timer);
  }

  /** Housekeeping alone (renewals, giving spare permits back) does not keep a process alive; someone waiting does. */
  private holdProcessOnlyIfAwaited(timer: NodeJS.Timeout): void {
    if (this.waiters.size === 0 && !this.outbox.awaited) timer.unref();
  }

  /** Permits past their use are given back; all of them when closing, or when recalled and nobody here waits. */
  private expirePool(): void {
    this.outbox.giveBack(this.pool.expire(now()));
    if (this.closing || (this.recall && this.waiters.size === 0)) {
      this.outbox.giveBack(this.pool.drain());
      this.recall = false;
    }
  }

  private needsSync(): boolean {
    const at = now();
    if (this.closing) return true;
    if (this.outbox.pending) return true;
    if (this.waiters.size > 0 && at >= this.waitUntil) return true;
    const holding = this.pool.size + this.inFlight.size > 0;
    if (holding && at - this.lastAnswerAt >= this.renewWithinMs) return true;
    return this.pool.low(at, this.validForMs) && at >= this.waitUntil;
  }

  private buildRequest(): { request: SyncUpdateArgs; carries: number } {
    const at = now();
    const spare = this.closing ? undefined : this.pool.spareRequest(at, this.validForMs);
    // Waiting calls the pool can still serve are not asked for again.
    const want = this.waiters
      .list()
      .map((w) => w.want)
      .filter((w) => !this.pool.canServe(w, at));
    const { carries, ...reports } = this.outbox.take();
    const request: SyncUpdateArgs = {
      holder: this.holder,
      seq: ++this.seq,
      ...reports,
      want: this.closing ? [] : want,
      ...(spare ? { spare } : {}),
      ...(this.options.floor ? { floor: this.options.floor } : {}),
      ...(this.closing ? { release: true } : {}),
    };
    return { request, carries };
  }

  private async pump(): Promise<void> {
    if (this.syncing || this.closed) return;
    this.expirePool();
    if (!this.needsSync()) return this.scheduleNext();
    this.syncing = true;
    this.again = false;
    const { request, carries } = this.buildRequest();
    const askedAt = now();
    try {
      const answer = await this.send(request);
      this.apply(answer, askedAt, request);
      this.outbox.landed(carries, request.release === true);
    } catch (err) {
      if (err instanceof GuardGoneError) this.forgetLease();
      else {
        // Refused as malformed (a bug, not a transient failure): fail whoever waited in it; keep nothing of it.
        this.options.logger.warn({ err: (err as Error).message, holder: this.holder }, 'Bedrock guard refused a sync');
        for (const w of request.want) this.waiters.fail(w.callId, err as Error);
      }
      this.outbox.landed(carries, request.release === true);
    } finally {
      this.syncing = false;
    }
    if (this.again) this.kick(0);
    else this.scheduleNext();
  }

  /** One sync, resent with the same seq until it lands: only a validator's refusal ends it early. */
  private async send(request: SyncUpdateArgs): Promise<SyncAnswer> {
    this.stats.syncs += 1;
    for (let failures = 0; ; failures++) {
      if (this.closed) throw new GuardGoneError('the lease holder closed before the guard answered');
      this.stats.attempts += 1;
      try {
        return await this.options.transport.sync(request, `${this.holder}:${request.seq}`, this.stop.signal);
      } catch (err) {
        if (err instanceof GuardRejectedError) throw err;
        if (this.closed) throw new GuardGoneError('the lease holder closed before the guard answered');
        if (err instanceof WorkflowNotFoundError) {
          this.stats.starts += 1;
          // No guard runs (yet, or any more: it was terminated). Housekeeping for a guard that is gone — renewals,
          // permits given back, starts — has nobody to go to; waiting calls and costs to report start a new one
          // (the transport does so on the next attempt), and the old guard's permits are worthless to it.
          if (request.want.length === 0 && request.settled.length === 0) throw new GuardGoneError();
          if (failures === 0) continue;
        }
        const kind = (err as Error).message.slice(0, 80);
        this.stats.failures[kind] = (this.stats.failures[kind] ?? 0) + 1;
        const backoff = Math.min(2_000, 50 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        this.options.logger.warn(
          { err: (err as Error).message, seq: request.seq, backoff, holder: this.holder },
          'Bedrock guard sync failed; retrying',
        );
        await new Promise((r) => this.holdProcessOnlyIfAwaited(setTimeout(r, backoff)));
      }
    }
  }

  /** The lease's guard is gone: its permits would bypass whichever guard comes next. */
  private forgetLease(): void {
    this.pool.drain();
    this.lastAnswerAt = 0;
    this.leaseEpoch = undefined;
  }

  private apply(answer: SyncAnswer, askedAt: number, request: SyncUpdateArgs): void {
    // A different guard answers (the old one was terminated and a new one started): drop the old one's permits.
    const epoch = answer.leaseId.slice(0, answer.leaseId.indexOf('-'));
    if (this.leaseEpoch !== undefined && epoch !== this.leaseEpoch) this.pool.drain();
    this.leaseEpoch = epoch;
    this.validForMs = answer.validForMs;
    this.renewWithinMs = answer.renewWithinMs;
    this.lastAnswerAt = now();
    if (answer.recall) {
      // Another process waits for what the pool holds: give it back with the very next sync.
      this.recall = true;
      this.again = true;
    }
    this.pool.add(answer.permits, answer.grantedAt, askedAt, askedAt + answer.validForMs - this.margin);
    for (const r of answer.refused) this.waiters.fail(r.callId, new CallRefusedError(r));
    if (answer.wait) {
      this.stats.waits += 1;
      this.waiters.denied(new Set(request.want.map((w) => w.callId)));
      // Come back just after the slot opens; a little jitter keeps holders from arriving in the same instant.
      this.waitUntil = now() + answer.wait.retryAfterMs + Math.random() * Math.min(20, answer.wait.retryAfterMs / 10);
    } else this.waitUntil = 0;
    this.serveWaiters();
  }

  private serveWaiters(): void {
    for (const waiter of this.waiters.list()) {
      const permit = this.pool.take(waiter.want, now());
      if (permit) this.waiters.serve(waiter, this.ticketFor(permit, waiter.want, waiter.denials, false));
    }
  }

  /** The next time something will be due: a waiter's retry, a pool permit's end, the lease's renewal. */
  private scheduleNext(): void {
    if (this.closed) return;
    const at = now();
    const times: number[] = [];
    if (this.waiters.size > 0) times.push(Math.max(this.waitUntil, at));
    const expiry = this.pool.nextExpiry();
    if (expiry !== undefined) times.push(expiry);
    if (this.pool.size + this.inFlight.size > 0) times.push(this.lastAnswerAt + this.renewWithinMs);
    if (this.outbox.pending) times.push(at);
    if (times.length === 0) return;
    this.schedule(Math.max(0, Math.min(...times) - at));
  }
}
