// The campaign bench's timeline: what the run is doing each second (calls so far, activities and workflow
// activations in flight per worker, hops by state) and how the calls fell into seconds and rate windows.
import type { WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { campaignStatusQuery } from '../src/workflows/campaign-messages';

export async function traceLine(
  handle: WorkflowHandle,
  start: number,
  calls: number,
  workers: Worker[],
  trace: (line: string) => void,
): Promise<void> {
  const [upgrades, analyses, guard] = workers.map((w) => {
    const s = w.getStatus();
    return `${s.numInFlightActivities}/${s.numInFlightWorkflowActivations}`;
  });
  const s = await handle.query(campaignStatusQuery).catch(() => undefined);
  const states = new Map<string, number>();
  for (const c of s?.clusters ?? []) for (const h of c.hops) states.set(h.state, (states.get(h.state) ?? 0) + 1);
  trace(
    `t=${((Date.now() - start) / 1000).toFixed(1)}s calls=${calls} activities/activations: upgrades ${upgrades} analyses ${analyses} guard ${guard}; hops ${JSON.stringify(Object.fromEntries(states))}`,
  );
}

/** Calls per whole second since the start, for `seconds` seconds (times in seconds). */
export function callsPerSecond(times: number[], seconds: number): number[] {
  const counts = new Array<number>(Math.ceil(seconds)).fill(0);
  for (const t of times) if (t >= 0 && t < counts.length) counts[Math.floor(t)] = (counts[Math.floor(t)] ?? 0) + 1;
  return counts;
}

/** The most calls inside any window of `windowS` seconds (a sliding window, as the guard counts). */
export function fullestWindow(times: number[], windowS: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while ((sorted[j] ?? 0) - (sorted[i] ?? 0) >= windowS) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}
