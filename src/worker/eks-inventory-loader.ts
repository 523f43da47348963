// How the worker reads a live cluster: EKS and EC2 clients for the cluster's region, made for one read and
// destroyed after it (most upgrades read a snapshot and never touch the EKS API). A cluster with a role is read
// with that role's temporary credentials, assumed once per read; the worker's own credentials otherwise.
// AWS_ENDPOINT_URL_EKS / _EC2 / _STS are honoured by the SDK itself.
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { loadEksInventory } from '../activities/eks-inventory';
import type { EksInventoryLoader } from '../activities/evidence';
import { assumeRole } from './assumed-role';

export function createEksInventoryLoader(): EksInventoryLoader {
  return async ({ clusterName, region, targetVersion, role }) => {
    const assumed = role ? assumeRole({ ...role, region }) : undefined;
    const credentials = assumed ? { credentials: assumed.credentials } : {};
    const eks = new EKSClient({ region, ...credentials });
    const ec2 = new EC2Client({ region, ...credentials });
    try {
      await assumed?.ready(clusterName);
      return await loadEksInventory({ eks, ec2 }, { clusterName, region, ...(targetVersion ? { targetVersion } : {}) });
    } finally {
      eks.destroy();
      ec2.destroy();
      assumed?.destroy();
    }
  };
}
