// `npm run bench`: every benchmark, figures printed (speed targets live here, not in timed tests).
//   1. release notes: full text vs the upgrade-relevant extract, in tokens (target: extract <= 20 % of the full text);
//   2. the Bedrock guard: latency a guarded call adds (target <= 15 ms), the share of the configured rate achieved at
//      the wire by 2 worker processes (target >= 95 %, no window over, counted at the Bedrock fake), and grants per
//      second with p50/p99 reserve latency for 1, 2 and 4 worker processes x 16 callers;
//   3. start-up: the CLI (`--help` <= 5x and `scan` <= 10x a bare node's CPU time) and the worker (prebuilt
//      workflow bundle vs bundling at start);
//   4. execution polling: DescribeUpdate calls per step (control plane, add-on, node groups) against the EKS
//      simulator with its clock compressed (never more than one per poll interval of EKS time);
//   5. the manifest scan: 10k, 100k and 500k objects in one YAML file, each in its own process (target 500k in
//      <= 30 s and <= 600 MB peak RSS, time growing linearly);
//   6. the live Kubernetes read: 200 nodes, 300 Helm releases, 5,000 objects at 20 ms per request (target <= 60 s,
//      <= 10 requests in flight, <= 1 MiB of snapshot);
//   7. an executed upgrade, the whole workflow (5 node groups): DescribeUpdate calls per step, history events per
//      run (must stay far below Temporal's 51,200), and worker CPU per upgrade hour;
//   8. campaigns: 10 → 50 → 100 clusters on one version pair, the fake answering in 2 s, 60 requests per minute:
//      release-notes analyses (target 1), Bedrock calls and dollars per cluster, wall time against the floor
//      (target <= 1.15x when rate-bound), guard grants/s, history events per campaign and per upgrade.
// Exit code 1 when a hard limit is broken (an extract over 20 % of its notes, a rate window exceeded at the wire,
// polling more often than the interval, the Kubernetes read over its time, concurrency or size, an executed upgrade
// of 2,000 history events or more, more than one release-notes analysis for a campaign's version pair).
import { prepareReferenceData } from '../test/harness/reference-data';
import { benchReleaseNotes, formatReleaseNotesBench } from './bench-release-notes';
import { formatGuardBenchmark, runGuardBenchmark } from './bench-guard';
import { executionBenchWithinLimits, formatExecutionBench, runExecutionBench } from './bench-execution';
import { formatCampaignBenchmark, runCampaignBenchmark } from './bench-campaign';
import { benchScan, formatScanBench } from './bench-scan';
import { formatKubernetesBenchmark, runKubernetesBenchmark } from './bench-kubernetes';
import {
  executeWorkflowBenchWithinLimits,
  formatExecuteWorkflowBench,
  runExecuteWorkflowBench,
} from './bench-execute-workflow';
import {
  formatCliStartupBench,
  formatWorkerStartupBench,
  runCliStartupBench,
  runWorkerStartupBench,
} from './bench-startup';

async function main(): Promise<number> {
  console.error(`[bench] release notes from the ${await prepareReferenceData()}`);
  const rows = benchReleaseNotes();
  console.log(formatReleaseNotesBench(rows));
  console.log();
  const guard = await runGuardBenchmark();
  console.log(formatGuardBenchmark(guard));
  console.log('\nCLI start-up');
  console.log(formatCliStartupBench(await runCliStartupBench()));
  console.log('\nWorker start-up');
  console.log(formatWorkerStartupBench(await runWorkerStartupBench()));
  console.log();
  const execution = await runExecutionBench();
  console.log(formatExecutionBench(execution));
  console.log();
  console.log(formatScanBench(await benchScan()));
  console.log('\nKubernetes live read');
  const kubernetes = await runKubernetesBenchmark();
  console.log(formatKubernetesBenchmark(kubernetes));
  console.log();
  const executed = await runExecuteWorkflowBench();
  console.log(formatExecuteWorkflowBench(executed));
  console.log();
  const campaign = await runCampaignBenchmark();
  console.log(formatCampaignBenchmark(campaign));
  const extractsSmall = rows.every((r) => r.percent <= 20);
  const kubernetesOk = kubernetes.withinTime && kubernetes.withinConcurrency && kubernetes.withinSize;
  const sharedOnce = campaign.rows.every((r) => r.releaseNotesCalls === 1);
  return extractsSmall &&
    guard.rate.neverOver &&
    executionBenchWithinLimits(execution) &&
    kubernetesOk &&
    executeWorkflowBenchWithinLimits(executed) &&
    sharedOnce
    ? 0
    : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
