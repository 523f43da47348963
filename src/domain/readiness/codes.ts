// The catalogue of readiness checks: stable codes (eksup's where the meaning is the same, UPG* for the upgrade-path
// rules eksup lacks), titles and what each looks at. docs/checks.md documents the same list; codes are never reused.
import type { RemediationLevel } from '../evidence';

export interface CheckDefinition {
  code: string;
  title: string;
  /** The level a finding normally has; some checks raise recommended findings too (see docs/checks.md). */
  level: RemediationLevel;
  /** Snapshot data the check needs; without it the check is skipped, not passed. */
  needs: string;
}

export const CHECKS = {
  UPG001: { code: 'UPG001', title: 'One minor version per upgrade', level: 'required', needs: 'cluster.version' },
  UPG002: {
    code: 'UPG002',
    title: 'Data plane on the control-plane minor before the upgrade',
    level: 'required',
    needs: 'nodeGroups, fargateProfiles or nodes',
  },
  UPG003: { code: 'UPG003', title: 'Standard and extended support status', level: 'recommended', needs: 'versions' },
  UPG004: { code: 'UPG004', title: 'Target version offered by EKS', level: 'required', needs: 'versions' },
  EKS001: {
    code: 'EKS001',
    title: 'Control-plane subnets with free IPs in two AZs',
    level: 'required',
    needs: 'subnets',
  },
  EKS002: { code: 'EKS002', title: 'Control-plane health', level: 'required', needs: 'cluster' },
  EKS003: { code: 'EKS003', title: 'Managed node group health', level: 'required', needs: 'nodeGroups' },
  EKS004: { code: 'EKS004', title: 'EKS add-on health', level: 'required', needs: 'addons' },
  EKS005: {
    code: 'EKS005',
    title: 'EKS add-on version compatible with the target',
    level: 'required',
    needs: 'addons[].compatibleVersions',
  },
  EKS006: {
    code: 'EKS006',
    title: 'Managed node group launch-template update pending',
    level: 'recommended',
    needs: 'nodeGroups[].launchTemplate',
  },
  EKS008: {
    code: 'EKS008',
    title: 'Amazon Linux 2 AMIs on a target without AL2 support',
    level: 'required',
    needs: 'nodeGroups[].amiType',
  },
  EKS009: { code: 'EKS009', title: 'EKS upgrade-readiness insights', level: 'required', needs: 'insights' },
  EKS010: { code: 'EKS010', title: 'EKS misconfiguration insights', level: 'recommended', needs: 'insights' },
  K8S001: {
    code: 'K8S001',
    title: 'kubelet version skew after the upgrade',
    level: 'required',
    needs: 'nodeGroups, fargateProfiles or nodes',
  },
  K8S002: {
    code: 'K8S002',
    title: 'Workloads with fewer than 2 replicas',
    level: 'recommended',
    needs: 'manifests or workloads',
  },
  K8S003: {
    code: 'K8S003',
    title: 'Workloads without minReadySeconds',
    level: 'recommended',
    needs: 'manifests or workloads',
  },
  K8S004: {
    code: 'K8S004',
    title: 'Workloads without a PodDisruptionBudget',
    level: 'recommended',
    needs: 'manifests or workloads + podDisruptionBudgets',
  },
  K8S005: {
    code: 'K8S005',
    title: 'Replicas without pod spread or anti-affinity',
    level: 'recommended',
    needs: 'manifests or workloads',
  },
  K8S006: {
    code: 'K8S006',
    title: 'Containers without a readinessProbe',
    level: 'recommended',
    needs: 'manifests or workloads',
  },
  K8S007: {
    code: 'K8S007',
    title: 'StatefulSets with terminationGracePeriodSeconds 0',
    level: 'required',
    needs: 'manifests or workloads',
  },
  K8S008: {
    code: 'K8S008',
    title: 'Pods mounting the Docker socket',
    level: 'required',
    needs: 'manifests or workloads',
  },
  K8S011: { code: 'K8S011', title: 'kube-proxy version skew', level: 'required', needs: 'addons (kube-proxy)' },
  CRD001: {
    code: 'CRD001',
    title: 'CRD objects stored at a version that is no longer served',
    level: 'recommended',
    needs: 'customResourceDefinitions',
  },
  CRD002: {
    code: 'CRD002',
    title: 'CRD versions marked deprecated',
    level: 'recommended',
    needs: 'customResourceDefinitions',
  },
} as const satisfies Record<string, CheckDefinition>;

export type CheckCode = keyof typeof CHECKS;
export const CHECK_CODES = Object.keys(CHECKS) as CheckCode[];
