// What a test (or the demo) can tell the simulator: how long things take, which switches are on, which updates
// fail and how, and which calls misbehave on the wire. Defaults are the realistic figures of eks-execution.md §5.

/** Simulated durations (ms of simulated time; the clock's speed compresses them). */
export interface SimulatorTiming {
  /** UpdateClusterVersion, start to end ("several minutes"; observed 10–25). */
  controlPlaneMs: number;
  addonMs: number;
  /** One round of a node-group rollout (launch, drain, 60 s wait, terminate): the update takes ⌈nodes ÷ maxUnavailable⌉ rounds. */
  perNodeMs: number;
  nodegroupConfigMs: number;
  /** How long after an update starts its resource shows UPDATING (eventual consistency). */
  statusLagMs: number;
  /** How long after an update starts ListUpdates lists it (DescribeUpdate by id sees it at once). */
  listLagMs: number;
  /** A node that cannot be drained fails the update after this long (EKS: 15 minutes) unless `force`. */
  evictionTimeoutMs: number;
  insightsRefreshMs: number;
  /** Auto Mode VersionRollback: the node phase before the control plane moves (CancelUpdate works only then). */
  autoModeNodePhaseMs: number;
  cancelMs: number;
}

export const DEFAULT_TIMING: SimulatorTiming = {
  controlPlaneMs: 12 * 60_000,
  addonMs: 90_000,
  perNodeMs: 8 * 60_000,
  nodegroupConfigMs: 30_000,
  statusLagMs: 5_000,
  listLagMs: 0,
  evictionTimeoutMs: 15 * 60_000,
  insightsRefreshMs: 30_000,
  autoModeNodePhaseMs: 5 * 60_000,
  cancelMs: 30_000,
};

/**
 * Every duration divided by `factor` (the demo's and the tests' "fast clock" at real speed: timestamps stay real, so
 * the 7-day rollback window and the report's times mean what they say, while a 40-minute upgrade takes 40 s at 60).
 */
export function compressedTiming(factor: number, base: SimulatorTiming = DEFAULT_TIMING): SimulatorTiming {
  if (!(factor >= 1)) throw new Error(`compressedTiming(${factor}): the factor must be at least 1`);
  return Object.fromEntries(
    Object.entries(base).map(([k, v]) => [k, Math.round(v / factor)]),
  ) as unknown as SimulatorTiming;
}

export interface SimulatorSwitches {
  /** A node-group or add-on update is refused (409) while the control plane updates, and the other way round. */
  blockAcrossResources: boolean;
  /** UpdateClusterVersion without `force` is refused (400 InvalidStateException) while a readiness insight is ERROR. */
  enforceInsights: boolean;
  /** UpdateNodegroupVersion accepts a lower version (the rollback guide's way; EKS's API reference says no). */
  allowNodegroupDowngrade: boolean;
}

export const DEFAULT_SWITCHES: SimulatorSwitches = {
  blockAcrossResources: true,
  enforceInsights: false,
  allowNodegroupDowngrade: false,
};

/** A scripted failure of the next matching update(s). */
export interface ScriptedFailure {
  operation: 'UpdateClusterVersion' | 'UpdateNodegroupVersion' | 'UpdateNodegroupConfig' | 'UpdateAddon';
  /** Node group or add-on name (any when absent). */
  name?: string;
  /** EKS ErrorCode: PodEvictionFailure, NodeCreationFailure, InsufficientFreeAddresses, ConfigurationConflict, … */
  errorCode: string;
  message?: string;
  resourceIds?: string[];
  /** Node groups: the rollout fails after this many nodes were replaced (PodEvictionFailure waits the eviction timeout). */
  afterNodes?: number;
  /** Whether a `force` request escapes it (default: true for PodEvictionFailure only). */
  unlessForce?: boolean;
  /** Only when the request's resolveConflicts is this (e.g. ConfigurationConflict under NONE). */
  whenResolveConflicts?: string;
  /** The add-on's status after the failure (default ACTIVE). */
  addonStatus?: string;
  /** How many updates it fails (default 1). */
  times?: number;
}

export type FaultKind = 'error' | 'throttle' | 'server' | 'unavailable' | 'reset' | 'slow' | 'lost-200';

/**
 * A wire fault. `throttle` 429, `server` 500, `unavailable` 503, `error` any status/type; `reset` drops the
 * connection without handling the call; `slow` handles it, then answers after `delayMs`; `lost-200` handles it
 * (the change is made) and drops the connection instead of answering.
 */
export interface FaultSpec {
  /** The operation name (DescribeUpdate, UpdateNodegroupVersion, …). */
  operation?: string;
  /** Or "METHOD /path" (path without the query), e.g. /^GET \/clusters\/[^/]+$/. */
  match?: RegExp;
  kind?: FaultKind;
  status?: number;
  errorType?: string;
  message?: string;
  delayMs?: number;
  /** Skip this many matching calls first (0 = the next one). */
  after?: number;
  /** How many matching calls it hits (default 1). */
  times?: number;
}

export function podEvictionFailure(nodegroupName: string, afterNodes = 0, times = 1): ScriptedFailure {
  return {
    operation: 'UpdateNodegroupVersion',
    name: nodegroupName,
    errorCode: 'PodEvictionFailure',
    afterNodes,
    times,
  };
}

export function nodeCreationFailure(nodegroupName: string, times = 1): ScriptedFailure {
  return {
    operation: 'UpdateNodegroupVersion',
    name: nodegroupName,
    errorCode: 'NodeCreationFailure',
    message: 'Instances failed to join the kubernetes cluster',
    resourceIds: ['i-0a1b2c3d4e5f60789'],
    times,
  };
}

export function insufficientFreeAddresses(subnetIds: string[] = ['subnet-1'], times = 1): ScriptedFailure {
  return {
    operation: 'UpdateClusterVersion',
    errorCode: 'InsufficientFreeAddresses',
    message: 'One or more of the subnets associated with your cluster does not have enough available IP addresses.',
    resourceIds: subnetIds,
    times,
  };
}

export function configurationConflict(addonName: string, times = 1): ScriptedFailure {
  return {
    operation: 'UpdateAddon',
    name: addonName,
    errorCode: 'ConfigurationConflict',
    message: 'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.',
    whenResolveConflicts: 'NONE',
    addonStatus: 'UPDATE_FAILED',
    times,
  };
}
