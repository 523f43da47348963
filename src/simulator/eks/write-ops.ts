// The write operations and their rules (eks-execution.md §2, §8): a token already used returns its update (or 400
// with other parameters); a busy resource answers 409 naming the running update; the current version or a jump is
// 400; scripted failures end an update Failed with EKS's error codes. One file per resource kind.
import { UpdateAddon } from './addon-ops';
import { CancelUpdate, StartInsightsRefresh, UpdateClusterVersion } from './cluster-ops';
import type { OperationInput, SimulatorContext } from './context';
import type { Wire } from './model';
import { UpdateNodegroupConfig, UpdateNodegroupVersion } from './nodegroup-ops';

export const writeOperations: Record<string, (ctx: SimulatorContext, input: OperationInput) => Wire> = {
  UpdateClusterVersion,
  UpdateNodegroupVersion,
  UpdateNodegroupConfig,
  UpdateAddon,
  CancelUpdate,
  StartInsightsRefresh,
};
