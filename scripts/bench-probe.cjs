'use strict';
// Preloaded (`node --require`) into each process scripts/bench-startup.ts measures: on exit, writes the process's
// own CPU time and peak RSS to BENCH_PROBE_FILE. The same probe runs in the bare `node -e ''` baseline.
const { readFileSync, writeFileSync } = require('node:fs');

/** Peak RSS of this process image (VmHWM): getrusage's maxrss also counts the parent that spawned it. */
function peakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const file = process.env.BENCH_PROBE_FILE;
  if (file) writeFileSync(file, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: peakRssKb() }));
});
