// `eks-upgrade plan --snapshot FILE | --live --cluster C [--region R] --target 1.NN [--format md|json|text]
// [--concurrency N] [--max-unavailable N] [--launch-template-version NG=V ...] [--resolve-conflicts MODE]`:
// the upgrade plan as a playbook, without Temporal and without changing anything. The inventory comes from a
// snapshot file or, with --live, from the EKS API (AWS_ENDPOINT_URL_EKS redirects the SDK). Exit 0 with the plan,
// 2 for bad usage or input (nothing read), 1 when EKS could not be read.
import { EKSClient } from '@aws-sdk/client-eks';
import { loadSnapshotFile } from '../../activities/evidence';
import { loadEksInventory } from '../../activities/eks-inventory';
import {
  buildUpgradePlan,
  PlanInputError,
  renderPlanMarkdown,
  renderPlanText,
  type PlanOptions,
  type ResolveConflicts,
} from '../../domain/plan';
import type { ClusterSnapshot } from '../../domain/snapshot';
import { normalizeMinor } from '../../domain/versions';
import type { CommandContext } from '../context';
import type { Output } from '../output';

export interface PlanCommandOptions {
  snapshot?: string;
  live?: boolean;
  cluster?: string;
  region?: string;
  target?: string;
  format?: string;
  concurrency?: string;
  maxUnavailable?: string;
  /** "nodegroup=version" pairs. */
  launchTemplateVersion?: string[];
  resolveConflicts?: string;
}

export interface PlanCommandDeps {
  createEksClient?: (region: string) => EKSClient;
  env?: Record<string, string | undefined>;
}

/** Marks the plan command's calls in CloudTrail, like `snapshot`'s. */
export const PLAN_USER_AGENT: [string, string] = ['eks-upgrade-agent', 'plan'];

const FORMATS = ['md', 'json', 'text'];
const RESOLVE_CONFLICTS: ResolveConflicts[] = ['OVERWRITE', 'NONE', 'PRESERVE'];

class UsageProblem extends Error {}

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageProblem(`${flag}: '${value}' is not a whole number`);
  return Number(value);
}

function planOptions(options: PlanCommandOptions): PlanOptions {
  const launchTemplateVersions: Record<string, string> = {};
  for (const pair of options.launchTemplateVersion ?? []) {
    const match = /^([^=\s]+)=(\d+)$/.exec(pair.trim());
    if (!match?.[1] || !match[2])
      throw new UsageProblem(`--launch-template-version: '${pair}' is not NODEGROUP=VERSION (e.g. gpu=8)`);
    launchTemplateVersions[match[1]] = match[2];
  }
  const resolveConflicts = options.resolveConflicts?.toUpperCase();
  if (resolveConflicts !== undefined && !RESOLVE_CONFLICTS.includes(resolveConflicts as ResolveConflicts))
    throw new UsageProblem(
      `--resolve-conflicts: '${options.resolveConflicts}' is not one of ${RESOLVE_CONFLICTS.join(', ')}`,
    );
  const concurrency = wholeNumber(options.concurrency, '--concurrency');
  const maxUnavailable = wholeNumber(options.maxUnavailable, '--max-unavailable');
  return {
    ...(concurrency !== undefined ? { nodegroupConcurrency: concurrency } : {}),
    ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
    ...(Object.keys(launchTemplateVersions).length > 0 ? { launchTemplateVersions } : {}),
    ...(resolveConflicts ? { resolveConflicts: resolveConflicts as ResolveConflicts } : {}),
  };
}

export async function runPlan(options: PlanCommandOptions, out: Output, deps: PlanCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const usage = (message: string) => {
    out.info(`error: ${message}\n`);
    return 2;
  };
  const format = (options.format ?? 'md').toLowerCase();
  if (!FORMATS.includes(format)) return usage(`--format: '${options.format}' is not one of ${FORMATS.join(', ')}`);
  if (!options.target) return usage('--target is required (the Kubernetes minor to upgrade to, e.g. 1.32)');
  if (Boolean(options.snapshot) === Boolean(options.live))
    return usage('give either --snapshot FILE or --live --cluster NAME (where the inventory comes from)');
  let target: string;
  let planned: PlanOptions;
  try {
    target = normalizeMinor(options.target, '--target');
    planned = planOptions(options);
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }

  let snapshot: ClusterSnapshot;
  if (options.snapshot) {
    try {
      snapshot = await loadSnapshotFile(options.snapshot);
    } catch (error) {
      return usage(error instanceof Error ? error.message : String(error));
    }
    if (options.cluster && options.cluster !== snapshot.cluster.name)
      return usage(`--cluster ${options.cluster} does not match the snapshot's cluster ${snapshot.cluster.name}`);
  } else {
    if (!options.cluster?.trim()) return usage('--live needs --cluster NAME');
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) return usage('no AWS Region: pass --region or set AWS_REGION');
    const eks = deps.createEksClient?.(region) ?? new EKSClient({ region, customUserAgent: [PLAN_USER_AGENT] });
    try {
      snapshot = await loadEksInventory({ eks }, { clusterName: options.cluster, region, targetVersion: target });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      out.info(
        `error: could not read cluster ${options.cluster} in ${region}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
      );
      return name === 'ResourceNotFoundException' ? 2 : 1;
    } finally {
      eks.destroy();
    }
  }

  let plan;
  try {
    plan = buildUpgradePlan(snapshot, target, planned);
  } catch (error) {
    if (error instanceof PlanInputError) return usage(error.message);
    throw error;
  }
  const rendered =
    format === 'json'
      ? JSON.stringify(plan, null, 2)
      : format === 'text'
        ? renderPlanText(plan)
        : renderPlanMarkdown(plan);
  out.result(rendered);
  // Text and Markdown carry the warnings at the top; with JSON on stdout, repeat them for the person on stderr.
  if (format === 'json') for (const warning of plan.warnings) out.info(`warning: ${warning}\n`);
  return 0;
}

/** The registry's entry: commander's flags (camelCase) to runPlan. */
export function runPlanCommand(flags: PlanCommandOptions, ctx: CommandContext): Promise<number> {
  return runPlan(flags, ctx.out, { env: ctx.env });
}
