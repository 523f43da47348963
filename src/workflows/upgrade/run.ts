// What every phase function receives: the run's state (read and written by phases, read by update validators)
// and the activity proxies. A phase enters itself, does its work, and leaves its results on the state.
import type { UpgradeActivityProxies } from './proxies';
import type { UpgradeState } from './state';

export interface UpgradeRun {
  readonly state: UpgradeState;
  readonly acts: UpgradeActivityProxies;
}
