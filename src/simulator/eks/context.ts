// What every simulated operation works with: the state, the clock, timing and switches, the update engine, the
// scripted failures. Kept as an interface so read and write operations live in their own files.
import type { SimulatorClock } from './clock';
import type { SimCluster, SimState, Wire } from './model';
import type { ScriptedFailure, SimulatorSwitches, SimulatorTiming } from './scripts';
import type { UpdateEngine } from './updates';

export interface OperationInput {
  /** Path parameters: name (the cluster), nodegroupName, addonName, fargateProfileName, updateId, id. */
  path: Record<string, string | undefined>;
  query: Record<string, string[]>;
  body?: Wire;
}

export interface SimulatorContext {
  state: SimState;
  clock: SimulatorClock;
  timing: SimulatorTiming;
  switches: SimulatorSwitches;
  engine: UpdateEngine;
  pageSize?: number;
  /** The cluster by name, or a 404 ResourceNotFoundException. */
  cluster(name: string | undefined): SimCluster;
  /** The scripted failure that applies to this request, if any (it is used up). */
  takeFailure(
    operation: ScriptedFailure['operation'],
    name: string | undefined,
    body: Wire,
  ): ScriptedFailure | undefined;
}
