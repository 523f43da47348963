// `eks-upgrade start` flags → a validated UpgradeInput. Bad input is refused here (exit 2, naming the flag, the
// file and the field) before anything is started on the server: versions, an impossible upgrade step (UPG001),
// and, when the snapshot can be read here (not --remote-paths), the snapshot itself, read by the same parser the
// worker uses. The worker still checks everything again.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { API_REMOVALS } from '../domain/api-removals';
import { loadInputLimits } from '../domain/config';
import { SnapshotError, type ClusterSnapshot } from '../domain/snapshot';
import { compareMinor, minorDistance, nextMinor, parseMinorArg, upgradeStepProblem } from '../domain/versions';
import { loadSnapshotFileSync } from '../activities/evidence/snapshot-file';
import { UpgradeInputSchema, type UpgradeInput, type ValidUpgradeInput } from '../workflows/upgrade-messages';
import { readUpgradeConfig } from './upgrade-config';
import { parseDuration, UsageError } from './usage';

export interface StartFlags {
  cluster?: string;
  target?: string;
  current?: string;
  region?: string;
  snapshot?: string;
  live?: boolean;
  roleArn?: string;
  manifests?: string[];
  releaseNotes?: string;
  mode?: string;
  autoApprove?: boolean;
  /** commander's `--no-ai` sets ai=false. */
  ai?: boolean;
  soak?: string;
  approvalTimeout?: string;
  /** Paths are read by the worker; skip the local existence check when it runs elsewhere (e.g. in a container). */
  remotePaths?: boolean;
  concurrency?: string;
  maxUnavailable?: string;
  pauseBetweenStages?: boolean;
  autoRollback?: boolean;
  pollInterval?: string;
  /** .eks-upgrade.yaml, read here and sent with the input (default ./.eks-upgrade.yaml when present). */
  config?: string;
}

/** Which flag sets each UpgradeInput field, to name it in errors. */
const FLAG_OF_FIELD: Record<string, string> = {
  clusterName: '--cluster',
  region: '--region',
  currentVersion: '--current',
  targetVersion: '--target',
  inventory: '--snapshot',
  roleArn: '--role-arn',
  manifestPaths: '--manifests',
  releaseNotes: '--release-notes',
  mode: '--mode',
  approval: '--auto-approve',
  aiAnalysis: '--no-ai',
  soakWindowMs: '--soak',
  approvalTimeoutMs: '--approval-timeout',
  'execution.nodegroupConcurrency': '--concurrency',
  'execution.maxUnavailable': '--max-unavailable',
  'execution.pauseBetweenStages': '--pause-between-stages',
  'execution.autoRollback': '--auto-rollback',
  'execution.pollIntervalMs': '--poll-interval',
  config: '--config',
};

export function flagForField(field: string | number | symbol | undefined, sub?: string | number | symbol): string {
  const nested = sub !== undefined ? FLAG_OF_FIELD[`${String(field)}.${String(sub)}`] : undefined;
  return nested ?? FLAG_OF_FIELD[String(field)] ?? `--${String(field)}`;
}

/** A whole number from a flag, or a UsageError naming it. */
function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new UsageError(`${flag} '${value}': expected a whole number`, flag);
  return n;
}

const EXECUTE_ONLY_FLAGS: Array<[keyof StartFlags, string]> = [
  ['pauseBetweenStages', '--pause-between-stages'],
  ['autoRollback', '--auto-rollback'],
  ['pollInterval', '--poll-interval'],
];

function releaseNotesSource(value: string | undefined, cwd: string): UpgradeInput['releaseNotes'] {
  if (value === undefined || value === 'changelog' || value === 'kubernetes-changelog')
    return { kind: 'kubernetes-changelog' };
  if (value === 'none') return { kind: 'none' };
  return { kind: 'file', path: resolve(cwd, value) };
}

/** Builds and validates the workflow input; throws UsageError naming the offending flag. */
export function buildUpgradeInput(
  flags: StartFlags,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ValidUpgradeInput {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (!flags.cluster) throw new UsageError('required: the EKS cluster name, e.g. --cluster prod-east', '--cluster');
  if (!flags.target)
    throw new UsageError('required: the Kubernetes minor to upgrade to, e.g. --target 1.31', '--target');
  if (flags.snapshot && flags.live)
    throw new UsageError(
      'give either --snapshot FILE (offline) or --live (read the cluster from the EKS API), not both',
      '--snapshot',
    );
  if (!flags.snapshot && !flags.live)
    throw new UsageError(
      'say where the cluster inventory comes from: --snapshot FILE (a snapshot JSON, see `eks-upgrade snapshot`) or --live (the EKS API)',
      '--snapshot',
    );
  const target = checkedVersion(flags.target, '--target');
  checkPlausibleTarget(target);
  const current = flags.current !== undefined ? checkedVersion(flags.current, '--current') : undefined;
  if (current) checkStep(current, target, '--current');
  const region = flags.region ?? (flags.live ? env.AWS_REGION : undefined);
  if (flags.live && !region)
    throw new UsageError('--live reads the EKS API and needs a region: pass --region or set AWS_REGION', '--region');

  if (flags.mode !== 'execute')
    for (const [key, flag] of EXECUTE_ONLY_FLAGS)
      if (flags[key] !== undefined && flags[key] !== false)
        throw new UsageError(`${flag} applies to --mode execute (analyze mode changes nothing)`, flag);
  const concurrency = wholeNumber(flags.concurrency, '--concurrency');
  const maxUnavailable = wholeNumber(flags.maxUnavailable, '--max-unavailable');
  const execution: NonNullable<UpgradeInput['execution']> = {
    ...(concurrency !== undefined ? { nodegroupConcurrency: concurrency } : {}),
    ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
    ...(flags.pauseBetweenStages ? { pauseBetweenStages: true } : {}),
    ...(flags.autoRollback ? { autoRollback: true } : {}),
    ...(flags.pollInterval !== undefined
      ? { pollIntervalMs: parseDuration(flags.pollInterval, '--poll-interval') }
      : {}),
  };
  const config = readUpgradeConfig(flags.config, cwd);
  const input: UpgradeInput = {
    clusterName: flags.cluster,
    targetVersion: target,
    ...(current ? { currentVersion: current } : {}),
    ...(region ? { region } : {}),
    ...(flags.roleArn ? { roleArn: flags.roleArn } : {}),
    inventory: flags.snapshot ? { kind: 'snapshot', path: resolve(cwd, flags.snapshot) } : { kind: 'eks' },
    manifestPaths: (flags.manifests ?? []).map((p) => resolve(cwd, p)),
    releaseNotes: releaseNotesSource(flags.releaseNotes, cwd),
    ...(flags.mode ? { mode: flags.mode as 'analyze' | 'execute' } : {}),
    ...(Object.keys(execution).length > 0 ? { execution } : {}),
    approval: flags.autoApprove ? 'auto' : 'manual',
    aiAnalysis: flags.ai !== false,
    ...(flags.soak !== undefined ? { soakWindowMs: parseDuration(flags.soak, '--soak') } : {}),
    ...(flags.approvalTimeout !== undefined
      ? { approvalTimeoutMs: parseDuration(flags.approvalTimeout, '--approval-timeout') }
      : {}),
    ...(config ? { config } : {}),
  };

  const parsed = UpgradeInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    const sub = issue?.path[1];
    const top = field !== undefined ? (input as Record<string, unknown>)[String(field)] : undefined;
    const value =
      sub !== undefined && top && typeof top === 'object' ? (top as Record<string, unknown>)[String(sub)] : top;
    const shown = typeof value === 'string' || typeof value === 'number' ? ` '${value}'` : '';
    const flag = flagForField(field, sub);
    throw new UsageError(`${flag}${shown}: ${issue?.message ?? 'invalid value'}`, flag);
  }
  if (!flags.remotePaths) {
    checkPathsExist(parsed.data);
    if (parsed.data.inventory.kind === 'snapshot') {
      const snapshot = readSnapshot(parsed.data.inventory.path, env);
      if (snapshot.cluster.name !== parsed.data.clusterName)
        throw new UsageError(
          `the snapshot ${parsed.data.inventory.path} describes cluster '${snapshot.cluster.name}' (cluster.name), not '${parsed.data.clusterName}': pass the matching snapshot, or --cluster ${snapshot.cluster.name}`,
          '--snapshot',
        );
      checkStep(snapshot.cluster.version, target, '--snapshot');
      return parsed.data;
    }
  }
  return parsed.data;
}

function checkedVersion(value: string, flag: string): string {
  try {
    return parseMinorArg(value, flag);
  } catch (error) {
    throw new UsageError((error as Error).message, flag);
  }
}

/**
 * UPG001 before anything waits days at an approval gate for an upgrade EKS cannot do: a downgrade or the same minor.
 * A target more than one minor ahead is a path of one-minor hops (commands/start-path.ts), each its own upgrade.
 */
function checkStep(current: string, target: string, source: string): void {
  if (minorDistance(current, target) > 1) return;
  const problem = upgradeStepProblem(current, target);
  if (problem)
    throw new UsageError(
      `--target ${target} is not an upgrade EKS can do from ${current} (${source === '--current' ? '--current' : 'the snapshot'}): UPG001 ${problem}`,
      '--target',
    );
}

/** The newest minor the API-removal facts name; a target far beyond it cannot be a real Kubernetes release. */
const NEWEST_KNOWN_MINOR = API_REMOVALS.flatMap((r) => [r.deprecatedIn, r.removedIn])
  .filter((v): v is string => v !== undefined)
  .reduce((a, b) => (compareMinor(a, b) >= 0 ? a : b));
/** About a year of Kubernetes releases past the facts table, so a new release is never refused. */
const PLAUSIBLE_MINORS_AHEAD = 3;

/** Without the cluster's version (--live, --remote-paths) only an absurd target can be refused here. */
function checkPlausibleTarget(target: string): void {
  let ceiling = NEWEST_KNOWN_MINOR;
  for (let i = 0; i < PLAUSIBLE_MINORS_AHEAD; i++) ceiling = nextMinor(ceiling);
  if (compareMinor(target, ceiling) > 0)
    throw new UsageError(
      `--target ${target} is not a Kubernetes release (eks-upgrade knows releases up to ${NEWEST_KNOWN_MINOR}); UPG001: EKS upgrades one minor at a time, so give the minor after the cluster's current one (pass --current to have it checked here)`,
      '--target',
    );
}

function readSnapshot(path: string, env: NodeJS.ProcessEnv): ClusterSnapshot {
  const maxBytes = loadInputLimits(env).maxSnapshotBytes; // a bad value is a ConfigError: exit 2, naming it
  try {
    return loadSnapshotFileSync(path, maxBytes);
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    const field = error.field && error.field !== '(root)' ? ` (field ${error.field})` : '';
    throw new UsageError(`${error.message}${field}`, '--snapshot');
  }
}

function checkPathsExist(input: ValidUpgradeInput): void {
  const missing = (flag: string, path: string) =>
    new UsageError(
      `${path} does not exist (paths are read by the worker; pass --remote-paths if it runs elsewhere and sees that path)`,
      flag,
    );
  if (input.inventory.kind === 'snapshot' && !existsSync(input.inventory.path))
    throw missing('--snapshot', input.inventory.path);
  for (const path of input.manifestPaths) if (!existsSync(path)) throw missing('--manifests', path);
  if (input.releaseNotes.kind === 'file' && !existsSync(input.releaseNotes.path))
    throw missing('--release-notes', input.releaseNotes.path);
}
