// Benchmark: `eks-upgrade scan` over one large multi-document YAML file (10k, 100k and 500k objects, ~100 bytes
// per object, so 500k objects ≈ 50 MB), each run in its own child process so its peak RSS is its own. Targets:
// 500k objects in ≤ 30 s and ≤ 600 MB peak RSS, time growing linearly. Figures are printed, not asserted.
// Run alone: node --import tsx scripts/bench-scan.ts [objects...]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..');
const BIN = join(REPO_ROOT, 'bin', 'eks-upgrade.cjs');
const RSS_PRELOAD = join(__dirname, 'bench-rss-preload.mjs');
export const SCAN_BENCH_SIZES = [10_000, 100_000, 500_000];
/** A scan that takes longer than this is stopped and reported as such. */
const TIMEOUT_MS = 300_000;

/**
 * One object of the synthetic manifest: mostly small ConfigMaps, with Deployments (read by the workload checks),
 * Services and an Ingress on an API removed in 1.22, so the scan has findings to report.
 */
function objectYaml(i: number): string {
  const ns = `team-${i % 50}`;
  switch (i % 10) {
    case 0:
      return `---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\n  namespace: ${ns}\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: {app: web-${i}}\n    spec:\n      containers:\n      - name: app\n        image: nginx\n`;
    case 1:
      return `---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: ing-${i}\n  namespace: ${ns}\n`;
    case 2:
      return `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: ${ns}\nspec:\n  ports: [{port: 80}]\n`;
    default:
      return `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ${ns}\ndata:\n  k: v\n`;
  }
}

/** Writes the manifest in chunks (a 50 MB string is itself a memory spike we do not want in the parent). */
export async function writeSyntheticManifest(path: string, objects: number): Promise<number> {
  const out = createWriteStream(path);
  for (let start = 0; start < objects; start += 10_000) {
    let chunk = '';
    for (let i = start; i < Math.min(objects, start + 10_000); i++) chunk += objectYaml(i);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return statSync(path).size;
}

export interface ScanBenchRow {
  objects: number;
  bytes: number;
  seconds: number;
  peakRssMb: number | undefined;
  exitCode: number | null;
  /** The scan's own summary line, or why it did not finish. */
  outcome: string;
}

function runScanChild(file: string, rssFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', RSS_PRELOAD, BIN, 'scan', '--manifests', file, '--target', '1.22', '--format', 'text'],
      { cwd: REPO_ROOT, env: { ...process.env, BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    // Keep the first line of stdout (the summary) and the tail of stderr; the findings themselves are not needed.
    child.stdout.on('data', (c: Buffer) => {
      if (stdout.length < 4096) stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-4096);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : null), stdout, stderr });
    });
  });
}

export async function benchScan(sizes = SCAN_BENCH_SIZES): Promise<ScanBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scan-'));
  const rows: ScanBenchRow[] = [];
  try {
    for (const objects of sizes) {
      const file = join(dir, `manifest-${objects}.yaml`);
      const rssFile = join(dir, `rss-${objects}.json`);
      const bytes = await writeSyntheticManifest(file, objects);
      const started = performance.now();
      const { code, stdout, stderr } = await runScanChild(file, rssFile);
      const seconds = (performance.now() - started) / 1000;
      let peakRssMb: number | undefined;
      try {
        peakRssMb = (JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssKb: number }).maxRssKb / 1024;
      } catch {
        peakRssMb = undefined; // killed before it could report
      }
      const summary = stdout.split('\n')[0] ?? '';
      const outcome =
        code === 3 || code === 0
          ? summary.replace(/^API scan against Kubernetes [\d.]+ \(current [\d.]+\): /, '')
          : code === -1
            ? `killed after ${TIMEOUT_MS / 1000} s`
            : `failed (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 200)}`;
      rows.push({ objects, bytes, seconds, peakRssMb, exitCode: code, outcome });
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatScanBench(rows: ScanBenchRow[]): string {
  const lines = [
    'Manifest scan (`eks-upgrade scan`, one YAML file, child process per size; target 500k objects ≤ 30 s, ≤ 600 MB peak RSS)',
    '| objects | MB | seconds | µs/object | peak RSS MB | exit | outcome |',
    '|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.objects} | ${(r.bytes / 1e6).toFixed(1)} | ${r.seconds.toFixed(1)} | ${((r.seconds * 1e6) / r.objects).toFixed(1)} | ${r.peakRssMb?.toFixed(0) ?? '?'} | ${r.exitCode ?? '?'} | ${r.outcome} |`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  benchScan(sizes.length > 0 ? sizes : undefined).then(
    (rows) => console.log(formatScanBench(rows)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
