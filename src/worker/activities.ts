// The production dependencies of the activities: the real Bedrock Runtime client (SDK retries off: Temporal owns
// them), the guarded permit gate every Bedrock call passes through, EKS/EC2 clients plus the Kubernetes API for
// `--live` inventory (./eks-inventory-loader.ts; docs/connecting.md: the EKS endpoint with the worker's IAM
// identity by default, or the role a cluster names; EKS_UPGRADE_KUBECONFIG / EKS_UPGRADE_KUBE_CONTEXT to use a
// kubeconfig; EKS_UPGRADE_KUBERNETES=off for the EKS API only), the shared analysis cache, the campaign activities,
// and the EKS clients of the execution activities.
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL_EKS are honoured by the SDK itself.
import type { Client } from '@temporalio/client';
import { EKSClient } from '@aws-sdk/client-eks';
import { createBedrockRuntimeClient } from '../activities/bedrock/client';
import { createGuardedPermitGate, type GuardedPermitGate } from '../activities/bedrock-gate';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createAnalysisCache } from '../activities/analysis-cache';
import type { KubeconfigChoice } from '../activities/kubernetes/cluster-inventory';
import { createActivities, type UpgradeActivities } from '../activities';
import type { EvidenceDeps } from '../activities/evidence';
import type { ExecutionDeps } from '../activities/eks-execution';
import type { AppConfig } from '../domain/config';
import { createEksInventoryLoader } from './eks-inventory-loader';
import type { Logger } from './logging';

/** Where the execution activities reach EKS, when not AWS itself (the demo's in-process simulator). */
export interface EksEndpointOverride {
  endpoint: string;
  /** The simulator checks no signature, but the SDK signs: static placeholder keys, never real ones. */
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface WorkerActivityDeps {
  config: AppConfig;
  client: Client;
  logger: Logger;
  taskQueue: string;
  eks?: EksEndpointOverride;
  /** Where the Kubernetes settings are read (default process.env). */
  env?: Record<string, string | undefined>;
}

/** How the worker reaches clusters' Kubernetes APIs; undefined: not at all (EKS API only). */
export function kubernetesChoiceFromEnv(env: Record<string, string | undefined>): KubeconfigChoice | undefined {
  const mode = (env.EKS_UPGRADE_KUBERNETES ?? '').trim().toLowerCase();
  if (mode === 'off' || mode === 'false' || mode === '0') return undefined;
  const path = env.EKS_UPGRADE_KUBECONFIG?.trim();
  const context = env.EKS_UPGRADE_KUBE_CONTEXT?.trim();
  if (!path && !context) return { forceEksToken: true };
  return { ...(path ? { path } : {}), ...(context ? { context } : {}) };
}

export interface WorkerActivities {
  activities: UpgradeActivities;
  /** This process's lease at the Bedrock guard: close it after the activities have drained (gives back the rest). */
  gate: GuardedPermitGate;
}

/** `taskQueue` is where the guard workflow runs (started on demand by the first Bedrock call). */
export function buildWorkerActivities(deps: WorkerActivityDeps): WorkerActivities {
  const { config, client, logger, taskQueue, eks: override } = deps;
  const env = deps.env ?? process.env;
  const kubernetes = kubernetesChoiceFromEnv(env);
  const credentials = defaultProvider();
  const bedrock = createBedrockRuntimeClient({ region: config.awsRegion });
  const gate = createGuardedPermitGate({ client, config, logger, guard: { taskQueue } });
  const evidence: EvidenceDeps = {
    logger,
    ...(config.cacheDir ? { cacheDir: config.cacheDir } : {}),
    ...(config.reportsDir ? { reportsDir: config.reportsDir } : {}),
    limits: config.limits,
    loadFromEks: createEksInventoryLoader({ logger, env, credentials, ...(kubernetes ? { kubernetes } : {}) }),
  };
  // One EKS client per region for the EKS changes, SDK retries low: Temporal's retry policy owns the backoff.
  const eksClients = new Map<string, EKSClient>();
  const execution: ExecutionDeps = {
    logger,
    eksClient: (region) => {
      let eks = eksClients.get(region);
      if (!eks) eksClients.set(region, (eks = new EKSClient({ region, maxAttempts: 2, ...(override ?? {}) })));
      return eks;
    },
  };
  const cache = createAnalysisCache({ client, ttlMs: config.analysisCacheTtlMs });
  return {
    activities: createActivities({
      evidence,
      analysis: { client: bedrock, config, logger, gate, cache },
      execution,
      campaign: { client },
    }),
    gate,
  };
}
