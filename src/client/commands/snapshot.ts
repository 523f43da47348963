// `eks-upgrade snapshot --cluster X [--region R] [--target 1.NN] [--output FILE] [--no-ec2] [--live [--kubeconfig F]
// [--context C] [--eks-token]]`: reads a real cluster through the EKS API (and EC2 for subnet free IPs, unless
// --no-ec2) and, with --live, its Kubernetes API too (docs/connecting.md), and writes a snapshot JSON
// (docs/snapshot.md) to FILE or stdout, so an offline run later decides exactly as a live one.
// AWS_ENDPOINT_URL_EKS / AWS_ENDPOINT_URL_EC2 redirect the SDK (tests, proxies).
import { writeFile } from 'node:fs/promises';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { loadEksInventory } from '../../activities/eks-inventory';
import { loadClusterInventory } from '../../activities/kubernetes/cluster-inventory';
import { KubernetesConnectionError } from '../../activities/kubernetes/connect';
import type { ClusterSnapshot } from '../../domain/snapshot';
import { normalizeMinor } from '../../domain/versions';
import type { CommandContext } from '../context';
import type { Output } from '../output';

export interface SnapshotOptions {
  cluster: string;
  region?: string;
  target?: string;
  /** File to write; stdout when absent or "-". */
  output?: string;
  /** Read subnets and launch templates through EC2 (default true). */
  ec2?: boolean;
  /** Read the Kubernetes API too: nodes, workloads, Helm releases, CRDs, live API use. */
  live?: boolean;
  kubeconfig?: string;
  context?: string;
  /** Use the EKS endpoint with an IAM token even when a kubeconfig exists. */
  eksToken?: boolean;
}

export interface SnapshotDeps {
  createEksClient?: (region: string) => EKSClient;
  createEc2Client?: (region: string) => EC2Client;
  /** The AWS credential chain for the EKS token (default: the SDK's node provider chain). */
  credentials?: AwsCredentialIdentityProvider;
  env?: Record<string, string | undefined>;
  now?: () => Date;
}

/** A distinctive User-Agent, so the calls are recognisable in CloudTrail (and never mistaken for a workload). */
export const INVENTORY_USER_AGENT: [string, string] = ['eks-upgrade-agent', 'snapshot'];

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export async function runSnapshot(options: SnapshotOptions, out: Output, deps: SnapshotDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  if (!options.cluster || options.cluster.trim() === '') {
    out.info('error: --cluster is required (the EKS cluster name)\n');
    return 2;
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    out.info('error: no AWS Region: pass --region or set AWS_REGION\n');
    return 2;
  }
  let target: string | undefined;
  try {
    target = options.target ? normalizeMinor(options.target, '--target') : undefined;
  } catch (error) {
    out.info(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const eks = deps.createEksClient?.(region) ?? new EKSClient({ region, customUserAgent: [INVENTORY_USER_AGENT] });
  const ec2 =
    options.ec2 === false
      ? undefined
      : (deps.createEc2Client?.(region) ??
        new EC2Client({ region, customUserAgent: [INVENTORY_USER_AGENT], maxAttempts: 2 }));
  if (!options.live && (options.kubeconfig || options.context || options.eksToken)) {
    out.info('error: --kubeconfig, --context and --eks-token read the Kubernetes API: add --live\n');
    return 2;
  }
  const onWarning = (m: string) => out.info(`warning: ${m}\n`);
  try {
    let snapshot: ClusterSnapshot;
    if (options.live) {
      const started = Date.now();
      const { snapshot: live, stats } = await loadClusterInventory(
        {
          eks,
          ...(ec2 ? { ec2 } : {}),
          credentials: deps.credentials ?? defaultProvider(),
          env,
          onWarning,
        },
        {
          clusterName: options.cluster,
          region,
          ...(target ? { targetVersion: target } : {}),
          ...(deps.now ? { now: deps.now() } : {}),
          kubeconfig: {
            ...(options.kubeconfig ? { path: options.kubeconfig } : {}),
            ...(options.context ? { context: options.context } : {}),
            ...(options.eksToken ? { forceEksToken: true } : {}),
          },
        },
      );
      snapshot = live;
      out.info(
        `read the Kubernetes API (${live.kubernetesAccess?.via ?? '?'}): ${live.nodes?.length ?? 0} nodes, ${live.workloads?.length ?? 0} workloads, ${live.helmReleases?.length ?? 0} Helm releases, ${live.customResourceDefinitions?.length ?? 0} CRDs in ${stats.requests} requests, ${((Date.now() - started) / 1000).toFixed(1)} s${live.kubernetesAccess?.denied.length ? `; ${live.kubernetesAccess.denied.length} list(s) forbidden (see kubernetesAccess.denied)` : ''}\n`,
      );
    } else {
      snapshot = await loadEksInventory(
        { eks, ec2, onWarning },
        { clusterName: options.cluster, region, targetVersion: target, now: deps.now?.() },
      );
    }
    const json = `${JSON.stringify(snapshot, null, 2)}\n`;
    if (options.output && options.output !== '-') {
      await writeFile(options.output, json, 'utf8');
      out.info(`wrote snapshot of ${options.cluster} (${snapshot.cluster.version}) to ${options.output}\n`);
    } else {
      out.result(json);
    }
    return 0;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (error instanceof KubernetesConnectionError) {
      out.info(`error: ${error.message}\n`);
      return 2;
    }
    out.info(`error: could not read cluster ${options.cluster} in ${region}: ${errorText(error)}\n`);
    return name === 'ResourceNotFoundException' ? 2 : 1;
  } finally {
    eks.destroy();
    ec2?.destroy();
  }
}

/** `eks-upgrade snapshot`: commander's flags to SnapshotOptions (`--no-ec2` sets ec2=false). */
export function runSnapshotCommand(flags: Partial<SnapshotOptions>, ctx: CommandContext): Promise<number> {
  return runSnapshot(
    {
      cluster: flags.cluster ?? '',
      ec2: flags.ec2 !== false,
      live: flags.live === true,
      eksToken: flags.eksToken === true,
      ...(flags.region !== undefined ? { region: flags.region } : {}),
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      ...(flags.output !== undefined ? { output: flags.output } : {}),
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
    },
    ctx.out,
    { env: ctx.env },
  );
}
