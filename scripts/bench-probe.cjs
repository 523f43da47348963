'use strict';
// Preloaded (`node --require`) into each process scripts/bench-startup.ts measures: on exit, writes the process's
// own CPU time and peak RSS to BENCH_PROBE_FILE. The same probe runs in the bare `node -e ''` baseline.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const usage = process.resourceUsage();
  const file = process.env.BENCH_PROBE_FILE;
  if (file) writeFileSync(file, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: usage.maxRSS }));
});
