// The EKS simulator: a local, wire-level stand-in for the Amazon EKS API with the update state machine of
// docs/reference/eks-execution.md §8 (per-resource updates, UPDATING with lag, versions changing only on success,
// 409 while busy, idempotent tokens, scripted failures, a test clock). Its own layer: it imports only domain code
// and Node built-ins, and only the client's demo and the tests import it (docs/execution.md says why).
export { ScaledClock, type SimulatorClock } from './clock';
export { SimulatorError } from './errors';
export { stateFromSnapshot, type StateFromSnapshotOptions } from './from-snapshot';
export type { SimState, SimCluster, UpdateRecord, ResourceRef, Wire } from './model';
export {
  compressedTiming,
  configurationConflict,
  DEFAULT_SWITCHES,
  DEFAULT_TIMING,
  insufficientFreeAddresses,
  nodeCreationFailure,
  podEvictionFailure,
  type FaultKind,
  type FaultSpec,
  type ScriptedFailure,
  type SimulatorSwitches,
  type SimulatorTiming,
} from './scripts';
export { EksSimulator, type CallRecord, type EksSimulatorOptions } from './simulator';
export { EksSimulatorServer } from './server';

import type { ClusterSnapshot } from '../../domain/snapshot';
import { stateFromSnapshot, type StateFromSnapshotOptions } from './from-snapshot';
import { EksSimulator, type EksSimulatorOptions } from './simulator';
import { EksSimulatorServer } from './server';

/** A simulator of `snapshot`'s cluster, listening on 127.0.0.1; `endpoint` goes to the SDK (or AWS_ENDPOINT_URL_EKS). */
export async function startEksSimulator(
  snapshot: ClusterSnapshot,
  options: EksSimulatorOptions & StateFromSnapshotOptions & { port?: number } = {},
): Promise<{ sim: EksSimulator; server: EksSimulatorServer; endpoint: string }> {
  const sim = new EksSimulator(stateFromSnapshot(snapshot, options), options);
  const server = new EksSimulatorServer(sim);
  const endpoint = await server.start(options.port ?? 0);
  return { sim, server, endpoint };
}
