// The evidence activities run inside Temporal, and the same code runs in `scan` and in tests without it: these
// helpers use the activity context when there is one (heartbeats carry progress; cancellation arrives through
// them) and do nothing otherwise.
import { Context } from '@temporalio/activity';

export function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // not inside an activity
  }
}

/** A heartbeat at most once a second with the progress so far, and the activity's cancellation signal. */
export function activityProgress<P>(): { signal?: AbortSignal; onProgress: (progress: P) => void } {
  const context = currentActivity();
  let last = 0;
  return {
    ...(context ? { signal: context.cancellationSignal } : {}),
    onProgress: (progress) => {
      if (!context) return;
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      context.heartbeat(progress);
    },
  };
}

/** Names the artifacts of this activity: the workflow id when run by one, else a timestamp. */
export function artifactScope(): string {
  return (
    currentActivity()?.info.workflowExecution?.workflowId ?? `run-${new Date().toISOString().replace(/[:.]/g, '-')}`
  );
}
