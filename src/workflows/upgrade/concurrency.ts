// Parallel work that fails as a unit: the first failure cancels its siblings, and nothing is left running
// when the phase ends (structured concurrency, as CancellationScope allows).
import { CancellationScope, isCancellation } from '@temporalio/workflow';

/**
 * Runs the tasks concurrently in a cancellable scope. All succeed: their results. One fails: the others are
 * cancelled, their end awaited, and the first real failure (not a sibling's cancellation) is thrown.
 */
export async function allOrCancel<T extends readonly unknown[]>(tasks: {
  [K in keyof T]: () => Promise<T[K]>;
}): Promise<T> {
  return CancellationScope.cancellable(async () => {
    const scope = CancellationScope.current();
    let first: { error: unknown } | undefined;
    const settled = await Promise.allSettled(
      tasks.map((task) =>
        task().catch((error: unknown) => {
          if (!first || (isCancellation(first.error) && !isCancellation(error))) first = { error };
          scope.cancel();
          throw error;
        }),
      ),
    );
    if (first) throw first.error;
    return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
  });
}
