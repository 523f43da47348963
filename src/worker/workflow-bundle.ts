// The workflow code a worker runs: the bundle built once by `npm run build` (dist/workflow-bundle.js, as in
// Temporal's production sample) when it matches the sources, so a worker starts in about a second instead of
// bundling for several (tens, on a busy machine) after every crash or deploy. When the sources changed since the
// build, or nothing was built, the workflows are bundled at start, as before, and the worker says why.
import { existsSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleOption } from '@temporalio/worker';
import { buildState, WORKFLOW_BUNDLE_FILE } from '../../bin/build-state.cjs';

export interface LoadedWorkflowBundle {
  bundle: WorkflowBundleOption;
  /** Where it came from, for the start-up log line. */
  origin: 'prebuilt' | 'bundled at start';
  /** Why it was bundled at start. */
  reason?: string;
  ms: number;
}

/** The prebuilt bundle when fresh; otherwise `workflowsPath` bundled now. */
export async function loadWorkflowBundle(workflowsPath: string): Promise<LoadedWorkflowBundle> {
  const started = Date.now();
  const state = buildState();
  if (state.fresh && existsSync(WORKFLOW_BUNDLE_FILE))
    return { bundle: { codePath: WORKFLOW_BUNDLE_FILE }, origin: 'prebuilt', ms: Date.now() - started };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  return {
    bundle: { code },
    origin: 'bundled at start',
    reason: state.fresh ? `${WORKFLOW_BUNDLE_FILE} is missing` : `${state.reason}; run npm run build`,
    ms: Date.now() - started,
  };
}
