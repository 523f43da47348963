// The facts: Kubernetes API versions that stop being served, 1.16 → 1.36. Cross-checked against
// ../shared/data/reference/k8s-api-removals.csv, whose `notes` correct pluto's table (flowcontrol v1beta1 removed in
// 1.26, not 1.29; authorization v1beta1 review kinds added; pluto's fake `FlowControl` kind dropped). Sources per row
// are in the CSV; the test `api-removals.test.ts` fails when the two disagree.
import { compareMinor } from './versions';

/** What kind of thing uses this API: a REST object, a component config file, a kubeconfig exec plugin, or a CRD. */
export type ApiScope = 'rest' | 'component-config' | 'client-config' | 'crd';
export type ApiStability = 'ga' | 'beta' | 'alpha';

export interface ApiRemoval {
  /** e.g. "extensions/v1beta1". */
  groupVersion: string;
  kind: string;
  /** Minor in which the deprecation was announced, when known ("1.19"). */
  deprecatedIn?: string;
  /** Minor in which the API is no longer served; undefined = deprecated, removal not scheduled. */
  removedIn?: string;
  /** The apiVersion to migrate to; undefined when there is none (PodSecurityPolicy). */
  replacement?: string;
  /** Minor since which the replacement is served. */
  replacementAvailableIn?: string;
  scope: ApiScope;
  stability: ApiStability;
  /** Beta APIs EKS switched on although EKS enables no new beta APIs by default since 1.24: these matter on EKS. */
  eksEnabledBeta?: boolean;
  /** Why this row needs care, shown to the user. */
  note?: string;
}

type RowOptions = Omit<ApiRemoval, 'groupVersion' | 'kind' | 'scope' | 'stability'> & { scope?: ApiScope };

function stabilityOf(groupVersion: string): ApiStability {
  const version = groupVersion.split('/').pop() ?? '';
  if (version.includes('alpha')) return 'alpha';
  if (version.includes('beta')) return 'beta';
  return 'ga';
}

function rows(groupVersion: string, kinds: string[], options: RowOptions): ApiRemoval[] {
  return kinds.map((kind) => ({ groupVersion, kind, stability: stabilityOf(groupVersion), scope: 'rest', ...options }));
}

const RBAC_KINDS = [
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ClusterRoleBindingList',
  'ClusterRoleList',
  'RoleBindingList',
  'RoleList',
];
const AUDIT_KINDS = ['Event', 'EventList', 'Policy', 'PolicyList'];
const DRA_KINDS = ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'];

export const API_REMOVALS: readonly ApiRemoval[] = [
  // 1.16
  ...rows('apps/v1beta1', ['Deployment', 'StatefulSet'], {
    deprecatedIn: '1.9',
    removedIn: '1.16',
    replacement: 'apps/v1',
    replacementAvailableIn: '1.9',
  }),
  ...rows('apps/v1beta1', ['ReplicaSet'], { removedIn: '1.16', replacement: 'apps/v1', replacementAvailableIn: '1.9' }),
  ...rows('apps/v1beta2', ['DaemonSet', 'Deployment', 'StatefulSet'], {
    deprecatedIn: '1.9',
    removedIn: '1.16',
    replacement: 'apps/v1',
    replacementAvailableIn: '1.9',
  }),
  ...rows('apps/v1beta2', ['ReplicaSet'], { removedIn: '1.16', replacement: 'apps/v1', replacementAvailableIn: '1.9' }),
  ...rows('extensions/v1beta1', ['DaemonSet', 'Deployment'], {
    deprecatedIn: '1.9',
    removedIn: '1.16',
    replacement: 'apps/v1',
    replacementAvailableIn: '1.9',
  }),
  ...rows('extensions/v1beta1', ['ReplicaSet'], {
    removedIn: '1.16',
    replacement: 'apps/v1',
    replacementAvailableIn: '1.9',
  }),
  ...rows('extensions/v1beta1', ['NetworkPolicy'], {
    deprecatedIn: '1.9',
    removedIn: '1.16',
    replacement: 'networking.k8s.io/v1',
    replacementAvailableIn: '1.8',
  }),
  ...rows('extensions/v1beta1', ['PodSecurityPolicy'], {
    deprecatedIn: '1.10',
    removedIn: '1.16',
    replacement: 'policy/v1beta1',
    replacementAvailableIn: '1.10',
    note: 'policy/v1beta1 PodSecurityPolicy is itself removed in 1.25: move to Pod Security Admission',
  }),
  // 1.17
  ...rows('scheduling.k8s.io/v1alpha1', ['PriorityClass'], {
    deprecatedIn: '1.14',
    removedIn: '1.17',
    replacement: 'scheduling.k8s.io/v1',
    replacementAvailableIn: '1.14',
  }),
  // 1.22
  ...rows('admissionregistration.k8s.io/v1beta1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], {
    deprecatedIn: '1.16',
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
    replacementAvailableIn: '1.16',
  }),
  ...rows('apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], {
    deprecatedIn: '1.16',
    removedIn: '1.22',
    replacement: 'apiextensions.k8s.io/v1',
    replacementAvailableIn: '1.16',
  }),
  ...rows('apiregistration.k8s.io/v1beta1', ['APIService'], {
    deprecatedIn: '1.10',
    removedIn: '1.22',
    replacement: 'apiregistration.k8s.io/v1',
    replacementAvailableIn: '1.10',
  }),
  ...rows('authentication.k8s.io/v1beta1', ['TokenReview'], {
    deprecatedIn: '1.6',
    removedIn: '1.22',
    replacement: 'authentication.k8s.io/v1',
    replacementAvailableIn: '1.6',
  }),
  ...rows(
    'authorization.k8s.io/v1beta1',
    ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SubjectAccessReview'],
    {
      deprecatedIn: '1.19',
      removedIn: '1.22',
      replacement: 'authorization.k8s.io/v1',
      replacementAvailableIn: '1.6',
      note: 'missing from pluto versions.yaml',
    },
  ),
  ...rows('certificates.k8s.io/v1beta1', ['CertificateSigningRequest'], {
    deprecatedIn: '1.19',
    removedIn: '1.22',
    replacement: 'certificates.k8s.io/v1',
    replacementAvailableIn: '1.19',
  }),
  ...rows('coordination.k8s.io/v1beta1', ['Lease'], {
    deprecatedIn: '1.14',
    removedIn: '1.22',
    replacement: 'coordination.k8s.io/v1',
    replacementAvailableIn: '1.14',
  }),
  ...rows('extensions/v1beta1', ['Ingress'], {
    deprecatedIn: '1.14',
    removedIn: '1.22',
    replacement: 'networking.k8s.io/v1',
    replacementAvailableIn: '1.19',
  }),
  ...rows('networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], {
    deprecatedIn: '1.19',
    removedIn: '1.22',
    replacement: 'networking.k8s.io/v1',
    replacementAvailableIn: '1.19',
  }),
  ...rows('rbac.authorization.k8s.io/v1alpha1', RBAC_KINDS, {
    deprecatedIn: '1.17',
    removedIn: '1.22',
    replacement: 'rbac.authorization.k8s.io/v1',
    replacementAvailableIn: '1.8',
  }),
  ...rows('rbac.authorization.k8s.io/v1beta1', RBAC_KINDS, {
    deprecatedIn: '1.17',
    removedIn: '1.22',
    replacement: 'rbac.authorization.k8s.io/v1',
    replacementAvailableIn: '1.8',
  }),
  ...rows('scheduling.k8s.io/v1beta1', ['PriorityClass'], {
    deprecatedIn: '1.14',
    removedIn: '1.22',
    replacement: 'scheduling.k8s.io/v1',
    replacementAvailableIn: '1.14',
  }),
  ...rows('storage.k8s.io/v1beta1', ['CSIDriver'], {
    deprecatedIn: '1.19',
    removedIn: '1.22',
    replacement: 'storage.k8s.io/v1',
    replacementAvailableIn: '1.19',
  }),
  ...rows('storage.k8s.io/v1beta1', ['CSINode'], {
    deprecatedIn: '1.17',
    removedIn: '1.22',
    replacement: 'storage.k8s.io/v1',
    replacementAvailableIn: '1.17',
  }),
  ...rows('storage.k8s.io/v1beta1', ['StorageClass'], {
    deprecatedIn: '1.6',
    removedIn: '1.22',
    replacement: 'storage.k8s.io/v1',
    replacementAvailableIn: '1.6',
  }),
  ...rows('storage.k8s.io/v1beta1', ['VolumeAttachment'], {
    deprecatedIn: '1.13',
    removedIn: '1.22',
    replacement: 'storage.k8s.io/v1',
    replacementAvailableIn: '1.13',
  }),
  // 1.24
  ...rows('audit.k8s.io/v1alpha1', AUDIT_KINDS, {
    deprecatedIn: '1.21',
    removedIn: '1.24',
    replacement: 'audit.k8s.io/v1',
    replacementAvailableIn: '1.12',
    scope: 'component-config',
    note: 'audit policy file, not a cluster object; EKS manages the audit policy',
  }),
  ...rows('audit.k8s.io/v1beta1', AUDIT_KINDS, {
    deprecatedIn: '1.21',
    removedIn: '1.24',
    replacement: 'audit.k8s.io/v1',
    replacementAvailableIn: '1.12',
    scope: 'component-config',
    note: 'audit policy file, not a cluster object; EKS manages the audit policy',
  }),
  ...rows('client.authentication.k8s.io/v1alpha1', ['ExecCredential'], {
    removedIn: '1.24',
    replacement: 'client.authentication.k8s.io/v1beta1',
    replacementAvailableIn: '1.11',
    scope: 'client-config',
    note: 'kubeconfig exec plugin API (aws eks get-token, aws-iam-authenticator): update the kubeconfig and the CLI',
  }),
  // 1.25
  ...rows('autoscaling/v2beta1', ['HorizontalPodAutoscaler', 'HorizontalPodAutoscalerList'], {
    deprecatedIn: '1.22',
    removedIn: '1.25',
    replacement: 'autoscaling/v2',
    replacementAvailableIn: '1.23',
  }),
  ...rows('batch/v1beta1', ['CronJob', 'CronJobList'], {
    deprecatedIn: '1.21',
    removedIn: '1.25',
    replacement: 'batch/v1',
    replacementAvailableIn: '1.21',
  }),
  ...rows('discovery.k8s.io/v1beta1', ['EndpointSlice'], {
    deprecatedIn: '1.21',
    removedIn: '1.25',
    replacement: 'discovery.k8s.io/v1',
    replacementAvailableIn: '1.21',
  }),
  ...rows('events.k8s.io/v1beta1', ['Event'], {
    deprecatedIn: '1.19',
    removedIn: '1.25',
    replacement: 'events.k8s.io/v1',
    replacementAvailableIn: '1.19',
  }),
  ...rows('node.k8s.io/v1beta1', ['RuntimeClass'], {
    deprecatedIn: '1.22',
    removedIn: '1.25',
    replacement: 'node.k8s.io/v1',
    replacementAvailableIn: '1.20',
  }),
  ...rows('policy/v1beta1', ['PodDisruptionBudget', 'PodDisruptionBudgetList'], {
    deprecatedIn: '1.21',
    removedIn: '1.25',
    replacement: 'policy/v1',
    replacementAvailableIn: '1.21',
  }),
  ...rows('policy/v1beta1', ['PodSecurityPolicy'], {
    deprecatedIn: '1.21',
    removedIn: '1.25',
    note: 'no replacement API: use Pod Security Admission (Pod Security Standards) or a policy engine',
  }),
  // 1.26
  ...rows('autoscaling/v2beta2', ['HorizontalPodAutoscaler', 'HorizontalPodAutoscalerList'], {
    deprecatedIn: '1.23',
    removedIn: '1.26',
    replacement: 'autoscaling/v2',
    replacementAvailableIn: '1.23',
  }),
  ...rows('flowcontrol.apiserver.k8s.io/v1beta1', ['FlowSchema', 'PriorityLevelConfiguration'], {
    deprecatedIn: '1.24',
    removedIn: '1.26',
    replacement: 'flowcontrol.apiserver.k8s.io/v1beta2',
    replacementAvailableIn: '1.23',
    note: 'removed in 1.26 per the deprecation guide (pluto wrongly says 1.29)',
  }),
  // 1.27
  ...rows('storage.k8s.io/v1beta1', ['CSIStorageCapacity'], {
    deprecatedIn: '1.24',
    removedIn: '1.27',
    replacement: 'storage.k8s.io/v1',
    replacementAvailableIn: '1.24',
  }),
  // 1.29
  ...rows('flowcontrol.apiserver.k8s.io/v1beta2', ['FlowSchema', 'PriorityLevelConfiguration'], {
    deprecatedIn: '1.24',
    removedIn: '1.29',
    replacement: 'flowcontrol.apiserver.k8s.io/v1beta3',
    replacementAvailableIn: '1.26',
    note: 'flowcontrol.apiserver.k8s.io/v1 is served from 1.29 and is the long-term target',
  }),
  ...rows('kubescheduler.config.k8s.io/v1beta3', ['KubeSchedulerConfiguration'], {
    removedIn: '1.29',
    replacement: 'kubescheduler.config.k8s.io/v1',
    replacementAvailableIn: '1.25',
    scope: 'component-config',
    note: 'scheduler config file, not user-managed on EKS',
  }),
  ...rows('networking.k8s.io/v1alpha1', ['ClusterCIDR'], {
    removedIn: '1.29',
    note: 'alpha API, never enabled on EKS',
  }),
  // 1.32. Deprecated in 1.29 as the 1.29 notes say ("v1beta3 APIs are deprecated and will no longer be served in
  // v1.32"); the CSV's 1.24/1.31 come from pluto and predate v1beta3 itself (served from 1.26).
  ...rows('flowcontrol.apiserver.k8s.io/v1beta3', ['FlowSchema'], {
    deprecatedIn: '1.29',
    removedIn: '1.32',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
    replacementAvailableIn: '1.29',
  }),
  ...rows('flowcontrol.apiserver.k8s.io/v1beta3', ['PriorityLevelConfiguration'], {
    deprecatedIn: '1.29',
    removedIn: '1.32',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
    replacementAvailableIn: '1.29',
  }),
  ...rows('coordination.k8s.io/v1alpha1', ['LeaseCandidate'], {
    removedIn: '1.32',
    replacement: 'coordination.k8s.io/v1alpha2',
    replacementAvailableIn: '1.32',
    note: 'alpha; objects must be deleted before the upgrade',
  }),
  // 1.33
  ...rows('admissionregistration.k8s.io/v1alpha1', ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], {
    deprecatedIn: '1.28',
    removedIn: '1.33',
    replacement: 'admissionregistration.k8s.io/v1',
    replacementAvailableIn: '1.30',
    note: 'alpha; listed under "Other (Cleanup or Flake)" in the 1.33 notes',
  }),
  // 1.34
  ...rows('resource.k8s.io/v1alpha3', DRA_KINDS, {
    deprecatedIn: '1.32',
    removedIn: '1.34',
    replacement: 'resource.k8s.io/v1',
    replacementAvailableIn: '1.34',
    note: 'alpha DRA API',
  }),
  // 1.35
  ...rows('storage.k8s.io/v1alpha1', ['VolumeAttributesClass'], {
    deprecatedIn: '1.31',
    removedIn: '1.35',
    replacement: 'storage.k8s.io/v1',
    replacementAvailableIn: '1.34',
  }),
  ...rows('storagemigration.k8s.io/v1alpha1', ['StorageVersionMigration'], {
    deprecatedIn: '1.35',
    removedIn: '1.35',
    replacement: 'storagemigration.k8s.io/v1beta1',
    replacementAvailableIn: '1.35',
  }),
  // 1.36
  ...rows('resource.k8s.io/v1beta1', DRA_KINDS, {
    deprecatedIn: '1.33',
    removedIn: '1.36',
    replacement: 'resource.k8s.io/v1beta2',
    replacementAvailableIn: '1.33',
    eksEnabledBeta: true,
    note: 'DRA beta API is enabled on EKS 1.33',
  }),
  // Deprecated, removal not scheduled.
  ...rows('storage.k8s.io/v1beta1', ['VolumeAttributesClass'], {
    deprecatedIn: '1.34',
    replacement: 'storage.k8s.io/v1',
    replacementAvailableIn: '1.34',
    eksEnabledBeta: true,
    note: 'beta enabled on EKS from 1.31 (EBS CSI driver >= 1.35.0)',
  }),
  ...rows('snapshot.storage.k8s.io/v1beta1', ['VolumeSnapshot', 'VolumeSnapshotClass', 'VolumeSnapshotContent'], {
    deprecatedIn: '1.21',
    replacement: 'snapshot.storage.k8s.io/v1',
    scope: 'crd',
    note: 'CRDs from external-snapshotter: removal depends on the CRD version installed, not on the Kubernetes version',
  }),
];

function key(groupVersion: string, kind: string): string {
  return `${groupVersion}\u0000${kind}`;
}

const BY_KEY = new Map(API_REMOVALS.map((r) => [key(r.groupVersion, r.kind), r]));

/** The fact for one apiVersion/kind, if that pair is deprecated or removed. */
export function findApiRemoval(apiVersion: string, kind: string): ApiRemoval | undefined {
  return BY_KEY.get(key(apiVersion.trim(), kind.trim()));
}

/** Every API removed in exactly this minor. */
export function removalsIn(version: string): ApiRemoval[] {
  return API_REMOVALS.filter((r) => r.removedIn !== undefined && compareMinor(r.removedIn, version) === 0);
}

/** Distinct group/versions, for messages. */
export function groupVersionsRemovedIn(version: string): string[] {
  return [...new Set(removalsIn(version).map((r) => r.groupVersion))];
}
