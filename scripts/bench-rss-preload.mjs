// Preloaded (node --import) into a benchmarked child process: at exit, writes its peak resident set size to the
// file named by BENCH_RSS_FILE, so the parent measures the child alone.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

process.on('exit', () => {
  const file = process.env.BENCH_RSS_FILE;
  if (file) writeFileSync(file, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
});
