// What a lease holder (src/activities/guard-lease.ts) has to tell the guard in its next sync — calls started, calls
// settled with what Bedrock billed, permits given back — and who waits for those reports to land. Reports leave the
// outbox when a sync takes them; that sync is then resent until it lands, so a report is never lost to a failed
// attempt, and drain()/close() resolve once the sync carrying their reports has been answered.
import type { SettledCall, StartedCall } from '../domain/guard-leases';

export class ReportOutbox {
  private started: StartedCall[] = [];
  private settled: SettledCall[] = [];
  private returned: string[] = [];
  private waiting: { upTo: number; resolve: () => void }[] = [];
  private made = 0;
  private landedUpTo = 0;

  /** Something is waiting to be reported. */
  get pending(): boolean {
    return this.started.length + this.settled.length + this.returned.length > 0;
  }

  /** Settles made that have not reached the guard yet. */
  get undelivered(): number {
    return this.made - this.landedUpTo;
  }

  /** Someone awaits a report: the process must stay alive for it. */
  get awaited(): boolean {
    return this.waiting.length > 0;
  }

  start(call: StartedCall): void {
    this.started.push(call);
  }

  /** A call that ended before its start was reported: its settle says everything. */
  settle(call: SettledCall): void {
    this.started = this.started.filter((s) => s.callId !== call.callId);
    this.settled.push(call);
    this.made += 1;
  }

  giveBack(permitIds: readonly string[]): void {
    this.returned.push(...permitIds);
  }

  /** Everything for the next sync; `carries` marks how many settles it holds, for landed(). */
  take(): { started: StartedCall[]; settled: SettledCall[]; returned: string[]; carries: number } {
    const taken = { started: this.started, settled: this.settled, returned: this.returned, carries: this.made };
    this.started = [];
    this.settled = [];
    this.returned = [];
    return taken;
  }

  /** The sync that carried settles up to `carries` was answered (`released`: it also closed the lease). */
  landed(carries: number, released: boolean): void {
    this.landedUpTo = Math.max(this.landedUpTo, carries);
    const keep: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (w.upTo <= this.landedUpTo || (released && w.upTo === Number.POSITIVE_INFINITY)) w.resolve();
      else keep.push(w);
    }
    this.waiting = keep;
  }

  /** Resolves once every settle made so far has landed; undefined when they all have. */
  whenSettlesLand(): Promise<void> | undefined {
    if (this.landedUpTo >= this.made) return undefined;
    const upTo = this.made;
    return new Promise((resolve) => this.waiting.push({ upTo, resolve }));
  }

  /** Resolves once a sync that closes the lease has been answered. */
  whenReleased(): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ upTo: Number.POSITIVE_INFINITY, resolve }));
  }

  /** Nobody will be answered any more (the holder gave up): let everyone waiting go on. */
  abandonWaits(): void {
    for (const w of this.waiting.splice(0)) w.resolve();
  }
}
