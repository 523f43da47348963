// The whole live inventory of one cluster: the EKS API (../eks-inventory.ts) and then its Kubernetes API, merged
// into one validated snapshot. How the Kubernetes API is reached: a kubeconfig when one is named or present (its
// server must be this cluster's endpoint, so a stale current-context never reads another cluster), otherwise the
// EKS endpoint and CA from DescribeCluster with an IAM token from the credential chain.
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApiTables } from '../../domain/api-scan-cluster';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../domain/snapshot';
import { tryParseMinor } from '../../domain/versions';
import { loadEksInventory } from '../eks-inventory';
import {
  connectKubernetes,
  describeConnection,
  hasKubeconfig,
  KubernetesConnectionError,
  type KubernetesConnection,
} from './connect';
import { KubernetesReader, type KubernetesInventory } from './read-cluster';
import type { TransportOptions, TransportStats } from './transport';

export interface KubeconfigChoice {
  /** A kubeconfig file; with neither path nor context the default kubeconfig is used when present. */
  path?: string;
  context?: string;
  /** Never use a kubeconfig: always the EKS endpoint with an IAM token. */
  forceEksToken?: boolean;
}

export interface ClusterInventoryDeps {
  eks: EKSClient;
  ec2?: EC2Client;
  /** The AWS credential chain, for the EKS token (only used without a kubeconfig). */
  credentials: AwsCredentialIdentityProvider;
  env?: Record<string, string | undefined>;
  transport?: TransportOptions;
  tables?: ApiTables;
  onWarning?: (message: string) => void;
}

export interface ClusterInventoryInput {
  clusterName: string;
  region: string;
  targetVersion?: string;
  now?: Date;
  kubeconfig?: KubeconfigChoice;
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Fargate kubelet minors per profile, from the Fargate nodes (a Fargate pod keeps the kubelet it started with). */
function fargateKubelets(inventory: KubernetesInventory): Map<string, string[]> {
  const byProfile = new Map<string, Set<string>>();
  for (const node of inventory.nodes ?? []) {
    if (node.kind !== 'fargate' || !node.nodeGroup) continue;
    const v = tryParseMinor(node.kubeletVersion);
    if (v) byProfile.set(node.nodeGroup, (byProfile.get(node.nodeGroup) ?? new Set()).add(`${v.major}.${v.minor}`));
  }
  return new Map([...byProfile].map(([k, v]) => [k, [...v].sort()]));
}

/** The EKS part and the Kubernetes part of one snapshot, merged and validated. */
export function mergeKubernetesInventory(snapshot: ClusterSnapshot, inventory: KubernetesInventory): ClusterSnapshot {
  const kubelets = fargateKubelets(inventory);
  const merged = {
    ...snapshot,
    ...(snapshot.fargateProfiles
      ? {
          fargateProfiles: snapshot.fargateProfiles.map((p) => {
            const versions = kubelets.get(p.name);
            return versions ? { ...p, kubeletVersions: versions } : p;
          }),
        }
      : {}),
    ...inventory,
  };
  return parseClusterSnapshot(
    JSON.parse(JSON.stringify(merged)) as unknown,
    `live inventory of ${snapshot.cluster.name}`,
  );
}

export async function loadClusterInventory(
  deps: ClusterInventoryDeps,
  input: ClusterInventoryInput,
): Promise<{ snapshot: ClusterSnapshot; stats: TransportStats }> {
  const env = deps.env ?? process.env;
  const eksSnapshot = await loadEksInventory(
    { eks: deps.eks, ...(deps.ec2 ? { ec2: deps.ec2 } : {}), ...(deps.onWarning ? { onWarning: deps.onWarning } : {}) },
    {
      clusterName: input.clusterName,
      region: input.region,
      ...(input.targetVersion ? { targetVersion: input.targetVersion } : {}),
      ...(input.now ? { now: input.now } : {}),
    },
  );
  const { cluster } = await deps.eks.send(new DescribeClusterCommand({ name: input.clusterName }));
  const choice = input.kubeconfig ?? {};
  const useKubeconfig =
    !choice.forceEksToken && (choice.path !== undefined || choice.context !== undefined || hasKubeconfig(env));
  const connection: KubernetesConnection = useKubeconfig
    ? {
        kind: 'kubeconfig',
        ...(choice.path ? { path: choice.path } : {}),
        ...(choice.context ? { context: choice.context } : {}),
      }
    : {
        kind: 'eks',
        clusterName: input.clusterName,
        region: input.region,
        endpoint: cluster?.endpoint ?? '',
        certificateAuthorityData: cluster?.certificateAuthority?.data ?? '',
        credentials: deps.credentials,
      };
  const kc = connectKubernetes(connection, env);
  if (connection.kind === 'kubeconfig') {
    const server = kc.getCurrentCluster()?.server;
    const endpoint = cluster?.endpoint;
    if (endpoint && hostOf(server) !== hostOf(endpoint))
      throw new KubernetesConnectionError(
        `the kubeconfig context "${kc.getCurrentContext()}" points at ${server ?? '?'}, not at ${input.clusterName}'s endpoint ${endpoint}: pass --context for this cluster (aws eks update-kubeconfig --name ${input.clusterName}), or no kubeconfig to use the EKS endpoint with your AWS credentials`,
      );
  }
  const reader = new KubernetesReader(kc, {
    via: describeConnection(connection, kc),
    ...(deps.transport ? { transport: deps.transport } : {}),
    ...(deps.tables ? { tables: deps.tables } : {}),
    ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
  });
  let inventory: KubernetesInventory;
  try {
    inventory = await reader.read();
  } catch (error) {
    const cause =
      error instanceof Error
        ? error.cause instanceof Error
          ? `${error.message} (${error.cause.message})`
          : error.message
        : String(error);
    throw new Error(
      `could not read the Kubernetes API of ${input.clusterName} at ${kc.getCurrentCluster()?.server ?? '?'}: ${cause}`,
      { cause: error },
    );
  }
  return { snapshot: mergeKubernetesInventory(eksSnapshot, inventory), stats: reader.stats };
}
