// Test-only workflows for the upgrade tests (bundled into the test bundle by test/harness/test-workflows.ts).
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { EvidenceActivities } from '../../src/activities/contracts';

const { loadClusterInventory } = proxyActivities<EvidenceActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * Stands in for workflow code changed without patched() under a running history: replaying its own history (a
 * new worker, or one that keeps no cache), it schedules an activity where the history has a timer, so every
 * workflow task after the first fails with a nondeterminism error.
 */
export async function changedWithoutPatchWorkflow(): Promise<void> {
  if (workflowInfo().unsafe.isReplaying) await loadClusterInventory({ kind: 'snapshot', path: '/nowhere.json' });
  else await sleep(100);
  await sleep('1 hour');
}
