// The planning activities: the upgrade and rollback plans of src/domain/plan, built where their result is recorded in
// history (see PlanningActivities). A plan the domain refuses (a target that is not the next minor, bad options) is a
// non-retryable PlanInputError with the domain's message.
import { ApplicationFailure } from '@temporalio/common';
import { buildRollbackPlan, buildUpgradePlan, PlanInputError } from '../domain/plan';
import type { PlanningActivities } from './contracts';

export interface PlanningDeps {
  /** The clock the rollback window is judged by (default: the system clock; tests pass the EKS simulator's). */
  clock?: { now(): Date };
}

export const PLAN_INPUT_ERROR = 'PlanInputError';

export function createPlanningActivities(deps: PlanningDeps = {}): PlanningActivities {
  const now = () => deps.clock?.now() ?? new Date();
  return {
    planUpgrade: ({ snapshot, targetVersion, options }) => {
      try {
        return Promise.resolve(buildUpgradePlan(snapshot, targetVersion, options));
      } catch (err) {
        if (err instanceof PlanInputError) throw ApplicationFailure.nonRetryable(err.message, PLAN_INPUT_ERROR);
        throw err;
      }
    },
    planRollback: ({ plan, outcomes, nodegroupDowngrade }) => {
      const at = now();
      const byId = new Map(plan.steps.map((step) => [step.id, step]));
      const records = outcomes.flatMap(({ stepId, ...outcome }) => {
        const step = byId.get(stepId);
        return step ? [{ step, ...outcome }] : [];
      });
      return Promise.resolve({
        plan: buildRollbackPlan({ plan, records, now: at, ...(nodegroupDowngrade ? { nodegroupDowngrade } : {}) }),
        plannedAt: at.toISOString(),
      });
    },
  };
}
