// `npm run bench`: every benchmark, figures printed (speed targets live here, not in timed tests).
//   1. release notes: full text vs the upgrade-relevant extract, in tokens (target: extract <= 20 % of the full text);
//   2. the Bedrock guard: latency a guarded call adds (target <= 15 ms), the share of the configured rate achieved at
//      the wire by 2 worker processes (target >= 95 %, no window over, counted at the Bedrock fake), and grants per
//      second with p50/p99 reserve latency for 1, 2 and 4 worker processes x 16 callers.
// Exit code 1 when a hard limit is broken (an extract over 20 % of its notes, a rate window exceeded at the wire).
import { benchReleaseNotes, formatReleaseNotesBench } from './bench-release-notes';
import { formatGuardBenchmark, runGuardBenchmark } from './bench-guard';

async function main(): Promise<number> {
  const rows = benchReleaseNotes();
  console.log(formatReleaseNotesBench(rows));
  console.log();
  const guard = await runGuardBenchmark();
  console.log(formatGuardBenchmark(guard));
  const extractsSmall = rows.every((r) => r.percent <= 20);
  return extractsSmall && guard.rate.neverOver ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
