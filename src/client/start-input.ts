// `eks-upgrade start` flags → a validated UpgradeInput. Pure apart from the optional file-existence check, so the
// client refuses bad input (exit 2, naming the flag) before anything is started on the server.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UpgradeInputSchema, type UpgradeInput, type ValidUpgradeInput } from '../workflows/upgrade-messages';
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
};

export function flagForField(field: string | number | symbol | undefined): string {
  return FLAG_OF_FIELD[String(field)] ?? `--${String(field)}`;
}

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
  const region = flags.region ?? (flags.live ? env.AWS_REGION : undefined);
  if (flags.live && !region)
    throw new UsageError('--live reads the EKS API and needs a region: pass --region or set AWS_REGION', '--region');

  const input: UpgradeInput = {
    clusterName: flags.cluster,
    targetVersion: flags.target,
    ...(flags.current ? { currentVersion: flags.current } : {}),
    ...(region ? { region } : {}),
    ...(flags.roleArn ? { roleArn: flags.roleArn } : {}),
    inventory: flags.snapshot ? { kind: 'snapshot', path: resolve(cwd, flags.snapshot) } : { kind: 'eks' },
    manifestPaths: (flags.manifests ?? []).map((p) => resolve(cwd, p)),
    releaseNotes: releaseNotesSource(flags.releaseNotes, cwd),
    ...(flags.mode ? { mode: flags.mode as 'analyze' } : {}),
    approval: flags.autoApprove ? 'auto' : 'manual',
    aiAnalysis: flags.ai !== false,
    ...(flags.soak !== undefined ? { soakWindowMs: parseDuration(flags.soak, '--soak') } : {}),
    ...(flags.approvalTimeout !== undefined
      ? { approvalTimeoutMs: parseDuration(flags.approvalTimeout, '--approval-timeout') }
      : {}),
  };

  const parsed = UpgradeInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    const value = field !== undefined ? (input as Record<string, unknown>)[String(field)] : undefined;
    const shown = typeof value === 'string' || typeof value === 'number' ? ` '${value}'` : '';
    throw new UsageError(`${flagForField(field)}${shown}: ${issue?.message ?? 'invalid value'}`, flagForField(field));
  }
  if (!flags.remotePaths) checkPathsExist(parsed.data);
  return parsed.data;
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
