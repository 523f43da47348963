// The production dependencies of the activities: the real Bedrock Runtime client (SDK retries off: Temporal owns
// them), the guarded permit gate every Bedrock call passes through, the live-cluster reader (EKS/EC2, assuming the
// cluster's role when it has one), and the EKS clients of the execution activities.
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL_EKS are honoured by the SDK itself.
import type { Client } from '@temporalio/client';
import { EKSClient } from '@aws-sdk/client-eks';
import { createBedrockRuntimeClient } from '../activities/bedrock/client';
import { createGuardedPermitGate } from '../activities/bedrock-gate';
import { createAnalysisCache } from '../activities/analysis-cache';
import { createActivities, type UpgradeActivities } from '../activities';
import type { EvidenceDeps } from '../activities/evidence';
import type { ExecutionDeps } from '../activities/eks-execution';
import type { AppConfig } from '../domain/config';
import { createEksInventoryLoader } from './eks-inventory-loader';
import type { Logger } from './logging';

export interface WorkerActivityDeps {
  config: AppConfig;
  client: Client;
  logger: Logger;
  taskQueue: string;
}

/** `taskQueue` is where the guard workflow runs (started on demand by the first Bedrock call). */
export function buildWorkerActivities(deps: WorkerActivityDeps): UpgradeActivities {
  const { config, client, logger, taskQueue } = deps;
  const bedrock = createBedrockRuntimeClient({ region: config.awsRegion });
  const gate = createGuardedPermitGate({ client, config, logger, guard: { taskQueue } });
  const evidence: EvidenceDeps = {
    logger,
    ...(config.cacheDir ? { cacheDir: config.cacheDir } : {}),
    loadFromEks: createEksInventoryLoader(),
  };
  // One EKS client per region for the EKS changes, SDK retries low: Temporal's retry policy owns the backoff.
  const eksClients = new Map<string, EKSClient>();
  const execution: ExecutionDeps = {
    logger,
    eksClient: (region) => {
      let eks = eksClients.get(region);
      if (!eks) eksClients.set(region, (eks = new EKSClient({ region, maxAttempts: 2 })));
      return eks;
    },
  };
  const cache = createAnalysisCache({ client, ttlMs: config.analysisCacheTtlMs });
  return createActivities({
    evidence,
    analysis: { client: bedrock, config, logger, gate, cache },
    execution,
    campaign: { client },
  });
}
