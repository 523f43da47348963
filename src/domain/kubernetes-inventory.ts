// The parts of a cluster snapshot that come from the Kubernetes API (docs/snapshot.md): workloads and PDBs reduced
// to the facts the resilience checks read, Helm releases reduced to the objects whose API versions matter, CRD
// versions, the API server's requested-deprecated-APIs metric, and what the identity was not allowed to read.
// Summaries, never object bodies: a snapshot travels in workflow history and reaches prompts. Fields at their
// default (no labels, no missing probe, …) are left out, so a 5,000-object cluster stays a few hundred KiB.
import { z } from 'zod';

const labels = z.record(z.string(), z.string());

/** A Deployment, StatefulSet or DaemonSet, as the workload checks (K8S002–K8S008) see it. */
export const WorkloadSummarySchema = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  /** spec.replicas; absent means unset (Kubernetes then runs 1). */
  replicas: z.number().int().nonnegative().optional(),
  minReadySeconds: z.number().int().nonnegative().optional(),
  /** Pod template labels, matched against PDB selectors. */
  podLabels: labels.optional(),
  /** podAntiAffinity or topologySpreadConstraints is set on the pod template (absent: neither). */
  spreadsPods: z.boolean().optional(),
  /** Names of containers without a readinessProbe (absent: none). */
  containersWithoutReadinessProbe: z.array(z.string()).optional(),
  terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
  /** hostPath volumes that mount docker.sock or dockershim.sock (absent: none). */
  dockerSocketPaths: z.array(z.string()).optional(),
});

export const PodDisruptionBudgetSummarySchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  matchLabels: labels.optional(),
  /** A selector with matchExpressions (treated as covering: no false alarms). */
  hasMatchExpressions: z.boolean().optional(),
});

/** One object of a Helm release's manifest whose apiVersion is in a removal table (the others are not kept). */
export const HelmObjectSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  /** The chart template it came from (`# Source:` comment). */
  template: z.string().optional(),
});

export const HelmReleaseSummarySchema = z.object({
  name: z.string(),
  namespace: z.string(),
  /** The revision scanned: the newest one whose status is deployed. */
  revision: z.number().int(),
  chart: z.string().optional(),
  chartVersion: z.string().optional(),
  appVersion: z.string().optional(),
  /** Other revisions still marked deployed (a failed or interrupted upgrade): not scanned, reported. */
  otherDeployedRevisions: z.array(z.number().int()).optional(),
  objects: z.array(HelmObjectSchema).default([]),
});

export const CrdVersionSchema = z.object({
  name: z.string(),
  served: z.boolean(),
  storage: z.boolean().default(false),
  deprecated: z.boolean().default(false),
  deprecationWarning: z.string().optional(),
});

export const CrdSummarySchema = z.object({
  /** e.g. certificates.cert-manager.io */
  name: z.string(),
  group: z.string(),
  kind: z.string(),
  versions: z.array(CrdVersionSchema),
  /** status.storedVersions: versions objects may still be stored at in etcd. */
  storedVersions: z.array(z.string()).default([]),
  /** The add-on version, from the app.kubernetes.io/version label (or Helm's chart label), when present. */
  appVersion: z.string().optional(),
});

/** One series of apiserver_requested_deprecated_apis with value 1: a client asked for this API since start-up. */
export const RequestedDeprecatedApiSchema = z.object({
  group: z.string(),
  version: z.string(),
  resource: z.string(),
  subresource: z.string().optional(),
  /** The removed_release label ("1.32"), when the API server knows it. */
  removedRelease: z.string().optional(),
});

/** A list the identity may not perform: checks that need it are skipped, with the RBAC rule to add. */
export const DeniedResourceSchema = z.object({
  /** "" for the core group; "nonResourceURL" entries use `resource` for the path (e.g. /metrics). */
  group: z.string(),
  resource: z.string(),
  verb: z.string(),
  /** The server's message, e.g. "secrets is forbidden: User … cannot list resource …". */
  message: z.string(),
});

export const KubernetesAccessSchema = z.object({
  /** How the Kubernetes API was reached: a kubeconfig context, or the EKS endpoint with an IAM token. */
  via: z.string(),
  denied: z.array(DeniedResourceSchema).default([]),
  /** Parts that could not be read for other reasons (network, server errors), with why. */
  unavailable: z.array(z.object({ what: z.string(), reason: z.string() })).default([]),
});

export type WorkloadSummary = z.infer<typeof WorkloadSummarySchema>;
export type PodDisruptionBudgetSummary = z.infer<typeof PodDisruptionBudgetSummarySchema>;
export type HelmObject = z.infer<typeof HelmObjectSchema>;
export type HelmReleaseSummary = z.infer<typeof HelmReleaseSummarySchema>;
export type CrdSummary = z.infer<typeof CrdSummarySchema>;
export type RequestedDeprecatedApi = z.infer<typeof RequestedDeprecatedApiSchema>;
export type DeniedResource = z.infer<typeof DeniedResourceSchema>;
export type KubernetesAccess = z.infer<typeof KubernetesAccessSchema>;

/** The ClusterRole rule that would allow a denied request, in the YAML people paste into their RBAC. */
export function rbacRuleFor(denied: Pick<DeniedResource, 'group' | 'resource' | 'verb'>): string {
  if (denied.group === 'nonResourceURL')
    return `- nonResourceURLs: ["${denied.resource}"]\n  verbs: ["${denied.verb}"]`;
  return `- apiGroups: ["${denied.group}"]\n  resources: ["${denied.resource}"]\n  verbs: ["${denied.verb}"]`;
}

/** One line: "list apps/deployments (403: …); add the rule apiGroups: [apps], resources: [deployments], verbs: [list]". */
export function deniedText(denied: DeniedResource): string {
  const what =
    denied.group === 'nonResourceURL'
      ? `${denied.verb} ${denied.resource}`
      : `${denied.verb} ${denied.group ? `${denied.group}/` : ''}${denied.resource}`;
  const rule =
    denied.group === 'nonResourceURL'
      ? `nonResourceURLs: [${denied.resource}], verbs: [${denied.verb}]`
      : `apiGroups: [${denied.group === '' ? '""' : denied.group}], resources: [${denied.resource}], verbs: [${denied.verb}]`;
  return `${what} was forbidden (${denied.message}); add the ClusterRole rule {${rule}}`;
}

/** The denied entries among the given group/resource pairs ("apps/deployments", "/nodes" for the core group). */
export function deniedAmong(access: KubernetesAccess | undefined, resources: readonly string[]): DeniedResource[] {
  if (!access) return [];
  return access.denied.filter((d) => resources.includes(`${d.group}/${d.resource}`));
}
