// The tests' entry to the wire-level EKS fake. The fake itself is the EKS simulator in src/simulator/eks (the demo
// runs it too, so it lives under src; docs/execution.md): reads the inventory uses, the write operations of an
// upgrade with the update state machine, scripted failures, wire faults and a test clock. The real
// @aws-sdk/client-eks talks to it through `endpoint` or AWS_ENDPOINT_URL_EKS.
import {
  EksSimulator,
  EksSimulatorServer,
  stateFromSnapshot,
  type CallRecord,
  type EksSimulatorOptions,
  type SimState,
} from '../../src/simulator/eks';

export type FakeEksState = SimState;
export type RecordedRequest = CallRecord;
export { stateFromSnapshot as fakeStateFromSnapshot };
export * from '../../src/simulator/eks';

export class FakeEks extends EksSimulatorServer {
  constructor(state: FakeEksState, options: EksSimulatorOptions = {}) {
    super(new EksSimulator(state, options));
  }

  /** Every call in order, with method, path, query, body, user agent, status and the update it touched. */
  get requests(): CallRecord[] {
    return this.sim.calls;
  }
}
