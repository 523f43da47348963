// The EKS simulator: the state machine of eks-execution.md §8 behind the EKS operations, with no network. Every call
// settles the updates against the clock first, is logged, and answers a wire-shaped object or throws a
// SimulatorError. server.ts puts it on HTTP for the real @aws-sdk/client-eks.
import { ScaledClock, type SimulatorClock } from './clock';
import type { OperationInput, SimulatorContext } from './context';
import { notFound, SimulatorError } from './errors';
import type { ResourceRef, SimCluster, SimState, UpdateRecord, Wire } from './model';
import { readOperations } from './read-ops';
import {
  DEFAULT_SWITCHES,
  DEFAULT_TIMING,
  type ScriptedFailure,
  type SimulatorSwitches,
  type SimulatorTiming,
} from './scripts';
import { resourceKey, UpdateEngine } from './updates';
import { writeOperations } from './write-ops';

export interface EksSimulatorOptions {
  /** Default: a ScaledClock at real speed from now. */
  clock?: SimulatorClock;
  timing?: Partial<SimulatorTiming>;
  switches?: Partial<SimulatorSwitches>;
  /** Page size cap for list operations (tests force pagination with 1). */
  pageSize?: number;
}

/** One call as the simulator saw it (the server adds the HTTP details). */
export interface CallRecord {
  seq: number;
  operation: string;
  /** Simulated time of the call (epoch ms). */
  at: number;
  method: string;
  path: string;
  query: Record<string, string[]>;
  body?: unknown;
  userAgent?: string;
  /** The access key id that signed the call (SigV4 `Credential=`): which identity made it. */
  signedBy?: string;
  /** HTTP status answered (0: the connection was dropped). */
  status: number;
  errorType?: string;
  /** The update the call returned or created. */
  updateId?: string;
  /** True when this call created a new update (a replayed token or a describe does not). */
  created?: boolean;
  fault?: string;
}

const OPERATIONS = { ...readOperations, ...writeOperations };
export type OperationName = keyof typeof OPERATIONS;

export class EksSimulator implements SimulatorContext {
  readonly clock: SimulatorClock;
  readonly timing: SimulatorTiming;
  readonly switches: SimulatorSwitches;
  readonly engine: UpdateEngine;
  readonly pageSize?: number;
  readonly failures: ScriptedFailure[] = [];
  readonly calls: CallRecord[] = [];
  private readonly hooks: Array<{ operation: string; run: (sim: EksSimulator) => void; times: number }> = [];

  constructor(
    public state: SimState,
    options: EksSimulatorOptions = {},
  ) {
    this.clock = options.clock ?? new ScaledClock();
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.switches = { ...DEFAULT_SWITCHES, ...options.switches };
    this.engine = new UpdateEngine(this.clock);
    if (options.pageSize !== undefined) this.pageSize = options.pageSize;
  }

  /** The cluster's state (settled to the clock first, so a test reads what EKS would answer now). */
  cluster(name: string | undefined): SimCluster {
    this.engine.settle();
    const sim = name === undefined ? undefined : this.state.clusters.get(name);
    if (!sim) throw notFound(`No cluster found for name: ${name}.`, { clusterName: name });
    return sim;
  }

  /** Scripts the next matching update(s) to fail (see scripts.ts for ready-made ones). */
  scriptFailure(failure: ScriptedFailure): void {
    this.failures.push({ times: 1, ...failure });
  }

  takeFailure(
    operation: ScriptedFailure['operation'],
    name: string | undefined,
    body: Wire,
  ): ScriptedFailure | undefined {
    const match = this.failures.find(
      (f) =>
        f.operation === operation &&
        (f.name === undefined || f.name === name) &&
        (f.times ?? 1) > 0 &&
        (f.whenResolveConflicts === undefined || f.whenResolveConflicts === body.resolveConflicts) &&
        !(body.force === true && (f.unlessForce ?? f.errorCode === 'PodEvictionFailure')),
    );
    if (match) match.times = (match.times ?? 1) - 1;
    return match;
  }

  /** Runs `run` right before the next `times` calls of `operation` are handled (to stage a race, e.g. a 409). */
  beforeCall(operation: string, run: (sim: EksSimulator) => void, times = 1): void {
    this.hooks.push({ operation, run, times });
  }

  /** Handles one operation; throws SimulatorError for EKS errors. */
  call(operation: string, input: OperationInput): Wire {
    const handler = OPERATIONS[operation as OperationName];
    if (!handler)
      throw new SimulatorError(400, 'InvalidRequestException', `The simulator does not implement ${operation}`);
    for (const hook of this.hooks.filter((h) => h.operation === operation && h.times > 0)) {
      hook.times -= 1;
      hook.run(this);
    }
    this.engine.settle();
    return handler(this, input);
  }

  /** Updates created so far (optionally for one resource), in creation order: "one update per step" is counted here. */
  updates(resource?: ResourceRef, clusterName?: string): UpdateRecord[] {
    this.engine.settle();
    return this.engine.all.filter(
      (u) =>
        (clusterName === undefined || u.clusterName === clusterName) &&
        (resource === undefined || resourceKey(u.resource) === resourceKey(resource)),
    );
  }

  /** Sets an insight's status (e.g. ROLLBACK_READINESS ERROR) the way a refresh would find it. */
  setInsightStatus(clusterName: string, id: string, status: string, reason?: string): void {
    const insight = this.cluster(clusterName).insights.find((i) => i.id === id);
    if (!insight) throw new Error(`no insight ${id} in ${clusterName}`);
    insight.insightStatus = { status, ...(reason ? { reason } : {}) };
  }

  /** Calls to one operation (e.g. DescribeUpdate) so far. */
  callsTo(operation: string): CallRecord[] {
    return this.calls.filter((c) => c.operation === operation);
  }
}
