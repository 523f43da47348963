// How every request of the Kubernetes read reaches the API server: through @kubernetes/client-node's own fetch
// library (its TLS, its authentication), wrapped so that at most `maxInFlight` requests are in flight at once and a
// 429 is answered by waiting the server's Retry-After before trying again, so a large cluster's read never hammers
// the API server (API Priority and Fairness sends 429 with Retry-After when a priority level is saturated).
import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  wrapHttpLibrary,
  type Configuration,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

export interface TransportOptions {
  /** Requests in flight at once (default 10). */
  maxInFlight?: number;
  /** Attempts of one request while the server answers 429 (default 6). */
  maxAttempts?: number;
  /** Cap on one Retry-After wait, in ms (default 30 s): a server asking for minutes is treated as unavailable. */
  maxRetryAfterMs?: number;
  /** Identifies the reader in audit logs and EKS insights' client stats. */
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
}

export interface TransportStats {
  requests: number;
  throttled: number;
  maxInFlight: number;
}

/** A counting semaphore: `run` waits for a free slot. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  inUse = 0;
  peak = 0;
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inUse++;
    this.peak = Math.max(this.peak, this.inUse);
  }
  release(): void {
    this.inUse--;
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Retry-After as seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number {
  if (!header) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

export class KubernetesTransport {
  readonly stats: TransportStats = { requests: 0, throttled: 0, maxInFlight: 0 };
  private readonly slots: Slots;
  private readonly inner = new IsomorphicFetchHttpLibrary();
  private readonly options: Required<Omit<TransportOptions, 'userAgent'>> & { userAgent?: string };

  constructor(options: TransportOptions = {}) {
    this.options = {
      maxInFlight: options.maxInFlight ?? 10,
      maxAttempts: options.maxAttempts ?? 6,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    };
    this.slots = new Slots(this.options.maxInFlight);
  }

  /** Sends one request, waiting for a slot, and waiting out 429s (the slot is given back while waiting). */
  async send(request: RequestContext): Promise<ResponseContext> {
    if (this.options.userAgent) request.setHeaderParam('User-Agent', this.options.userAgent);
    for (let attempt = 1; ; attempt++) {
      await this.slots.acquire();
      let response: ResponseContext;
      try {
        this.stats.requests++;
        response = await this.inner.send(request).toPromise();
      } finally {
        this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.slots.peak);
        this.slots.release();
      }
      if (response.httpStatusCode !== 429 || attempt >= this.options.maxAttempts) return response;
      this.stats.throttled++;
      const wait = retryAfterMs(response.headers['retry-after']);
      await response.body.text().catch(() => ''); // free the connection
      if (wait > this.options.maxRetryAfterMs) return response;
      await this.options.sleep(wait);
    }
  }

  /** A client-node configuration whose every request goes through this transport. */
  configuration(kc: KubeConfig): Configuration {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      httpApi: wrapHttpLibrary({ send: (request) => this.send(request) }),
    });
  }
}
