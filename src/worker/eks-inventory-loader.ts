// How the worker reads a live cluster: EKS and EC2 clients for the cluster's region, made for one read and
// destroyed after it (most upgrades read a snapshot and never touch the EKS API), then its Kubernetes API unless
// that is switched off. A cluster with a role is read with that role's temporary credentials, assumed once per read:
// its EKS and EC2 calls and the IAM token for its Kubernetes API (a kubeconfig, when one is used, brings its own
// authentication). Without a role, the worker's own credentials. AWS_ENDPOINT_URL_EKS / _EC2 / _STS are honoured
// by the SDK itself.
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { loadEksInventory } from '../activities/eks-inventory';
import type { EksInventoryLoader } from '../activities/evidence';
import { loadClusterInventory, type KubeconfigChoice } from '../activities/kubernetes/cluster-inventory';
import type { Logger } from '../domain/logger';
import { assumeRole } from './assumed-role';

export interface EksInventoryLoaderDeps {
  logger: Pick<Logger, 'info' | 'warn'>;
  /** The worker's own credentials (the usual chain): they assume roles, and sign for clusters without one. */
  credentials: AwsCredentialIdentityProvider;
  /** How clusters' Kubernetes APIs are reached; omitted: not at all (EKS API only). */
  kubernetes?: KubeconfigChoice;
  env?: Record<string, string | undefined>;
}

export function createEksInventoryLoader(deps: EksInventoryLoaderDeps): EksInventoryLoader {
  const { logger } = deps;
  return async ({ clusterName, region, targetVersion, role }) => {
    const assumed = role ? assumeRole({ ...role, region }, deps.credentials) : undefined;
    const clientCredentials = { credentials: assumed?.credentials ?? deps.credentials };
    const eks = new EKSClient({ region, ...clientCredentials });
    const ec2 = new EC2Client({ region, ...clientCredentials });
    const onWarning = (message: string) => logger.warn({ clusterName }, message);
    const input = { clusterName, region, ...(targetVersion ? { targetVersion } : {}) };
    try {
      await assumed?.ready(clusterName);
      if (!deps.kubernetes) return await loadEksInventory({ eks, ec2, onWarning }, input);
      const { snapshot, stats } = await loadClusterInventory(
        { eks, ec2, credentials: assumed?.credentials ?? deps.credentials, env: deps.env ?? {}, onWarning },
        { ...input, kubeconfig: deps.kubernetes },
      );
      logger.info({ clusterName, requests: stats.requests, throttled: stats.throttled }, 'Kubernetes API read');
      return snapshot;
    } finally {
      eks.destroy();
      ec2.destroy();
      assumed?.destroy();
    }
  };
}
