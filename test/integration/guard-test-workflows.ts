// Workflow bundle entry for the guard's integration tests: the real guard plus one small test workflow that
// makes guarded calls from activities (to show rate denials are waited out inside an activity, with heartbeats,
// without spending retry attempts).
import { proxyActivities } from '@temporalio/workflow';

export interface GuardedCallActivities {
  guardedCall(input: { index: number; caller: string }): Promise<{ index: number }>;
}

const { guardedCall } = proxyActivities<GuardedCallActivities>({
  startToCloseTimeout: '2 minutes',
  // Shorter than the longest rate wait in the test: only heartbeats keep the activity alive.
  heartbeatTimeout: '2 seconds',
  // One attempt: a rate denial must never surface as an activity failure.
  retry: { maximumAttempts: 1 },
});

export async function guardedCallsWorkflow(input: { calls: number; caller: string }): Promise<number[]> {
  const results = await Promise.all(
    Array.from({ length: input.calls }, (_, index) => guardedCall({ index, caller: input.caller })),
  );
  return results.map((r) => r.index);
}
