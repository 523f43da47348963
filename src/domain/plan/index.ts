// The upgrade and rollback plans (pure): build, the expected state per stage, and the playbook renderers.
export * from './types';
export { buildUpgradePlan, effectiveMaxUnavailable, PlanInputError, STAGE_TITLES, type PlanOptions } from './build';
export { buildRollbackPlan, ROLLBACK_WINDOW_DAYS, type RollbackPlanInput } from './rollback-plan';
export {
  expectedStateAfter,
  expectedStateBefore,
  expectedStateWith,
  type ExpectedNodegroup,
  type ExpectedState,
} from './expected';
export { renderPlanMarkdown, renderPlanText } from './render';
export { addonUpgradePath, compareAddonVersions, targetAddonVersion } from './addon-versions';
