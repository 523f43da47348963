// The local pool of a lease holder (src/activities/guard-lease.ts): the permits the guard granted this process and
// no call has taken yet, and the recent demand that sizes the spare permits it asks for. Times are the process's own
// monotonic clock (performance.now()).
import type { GrantedPermit, SyncRequest, WantedCall } from '../domain/guard-leases';
import type { MicroUsd } from '../domain/money';

export interface PoolPermit extends GrantedPermit {
  /** Guard time of the grant. */
  grantedAt: number;
  /** When the sync that brought it was first sent. */
  askedAt: number;
  /** After this the permit may no longer start a call: its request could reach Bedrock past its validity. */
  usableUntil: number;
}

/** How many recent calls size a spare permit's allowance and tokens. */
const RECENT_CALLS = 32;

export class PermitPool {
  private permits: PoolPermit[] = [];
  private readonly takes: number[] = [];
  private readonly calls: { estimateMicros: MicroUsd; tokens: number; modelId: string }[] = [];

  constructor(private readonly maxSpare: number) {}

  get size(): number {
    return this.permits.length;
  }

  add(permits: readonly GrantedPermit[], grantedAt: number, askedAt: number, usableUntil: number): void {
    for (const p of permits) this.permits.push({ ...p, grantedAt, askedAt, usableUntil });
  }

  private fits(p: PoolPermit, want: WantedCall, at: number): boolean {
    return p.usableUntil > at && p.allowanceMicros >= want.allowanceMicros && p.tokens >= want.tokens;
  }

  canServe(want: WantedCall, at: number): boolean {
    return this.permits.some((p) => this.fits(p, want, at));
  }

  /** Takes the permit asked for this very call, else the smallest usable one that fits. */
  take(want: WantedCall, at: number): PoolPermit | undefined {
    let best = -1;
    for (let i = 0; i < this.permits.length; i++) {
      const p = this.permits[i];
      if (!p || !this.fits(p, want, at)) continue;
      if (p.forCallId === want.callId) {
        best = i;
        break;
      }
      const current = best >= 0 ? this.permits[best] : undefined;
      if (!current || p.allowanceMicros < current.allowanceMicros) best = i;
    }
    if (best < 0) return undefined;
    this.takes.push(at);
    return this.permits.splice(best, 1)[0];
  }

  /** Removes the permits that can no longer start a call and returns their ids (to give back). */
  expire(at: number): string[] {
    const gone = this.permits.filter((p) => p.usableUntil <= at);
    this.permits = this.permits.filter((p) => p.usableUntil > at);
    return gone.map((p) => p.id);
  }

  /** Empties the pool, returning the ids. */
  drain(): string[] {
    const ids = this.permits.map((p) => p.id);
    this.permits = [];
    return ids;
  }

  /** The earliest moment a pooled permit stops being usable (something to give back then). */
  nextExpiry(): number | undefined {
    return this.permits.length > 0 ? Math.min(...this.permits.map((p) => p.usableUntil)) : undefined;
  }

  rememberCall(want: WantedCall): void {
    this.calls.push({ estimateMicros: want.allowanceMicros, tokens: want.tokens, modelId: want.modelId });
    if (this.calls.length > RECENT_CALLS) this.calls.shift();
  }

  /** Permits taken over the last validity period: about what the pool should hold to serve the next ones at once. */
  target(at: number, validForMs: number): number {
    const since = at - Math.max(validForMs, 100);
    while ((this.takes[0] ?? Number.POSITIVE_INFINITY) < since) this.takes.shift();
    return Math.min(this.maxSpare, this.takes.length);
  }

  /** Below what recent demand needs: ask for more while calls keep coming (one sync at a time, so no flood). */
  low(at: number, validForMs: number): boolean {
    return this.permits.length < this.target(at, validForMs);
  }

  /** The spare permits to ask for: enough to reach the target, each sized for the largest recent call. */
  spareRequest(at: number, validForMs: number): SyncRequest['spare'] {
    const count = Math.max(0, this.target(at, validForMs) - this.permits.length);
    const model = this.calls[this.calls.length - 1]?.modelId;
    if (count === 0 || !model) return undefined;
    return {
      count,
      allowanceMicros: Math.max(0, ...this.calls.map((c) => c.estimateMicros)),
      tokens: Math.max(0, ...this.calls.map((c) => c.tokens)),
      modelId: model,
    };
  }
}
