// The simulator's clock: simulated epoch milliseconds that run at `speed` × real time (0 = stopped, moved only by
// advance()). Durations in the simulator are simulated time, so a test or the demo compresses a 30-minute node-group
// rollout to seconds without changing a single duration.
export interface SimulatorClock {
  /** Simulated epoch milliseconds. */
  now(): number;
}

export class ScaledClock implements SimulatorClock {
  private base: number;
  private realBase: number;
  private speedFactor: number;

  constructor(
    options: { start?: number; speed?: number } = {},
    private readonly realNow: () => number = Date.now,
  ) {
    this.realBase = realNow();
    this.base = options.start ?? this.realBase;
    this.speedFactor = options.speed ?? 1;
  }

  now(): number {
    return Math.floor(this.base + (this.realNow() - this.realBase) * this.speedFactor);
  }

  /** Moves simulated time forward (whatever the speed). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`advance(${ms}): time only moves forward`);
    this.base += ms;
  }

  get speed(): number {
    return this.speedFactor;
  }

  /** Changes the speed from now on (simulated time stays continuous). */
  setSpeed(speed: number): void {
    if (!(speed >= 0)) throw new Error(`speed must be >= 0, not ${speed}`);
    this.base = this.now();
    this.realBase = this.realNow();
    this.speedFactor = speed;
  }
}
