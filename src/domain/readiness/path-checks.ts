// Upgrade-path checks: the one-minor rule, EKS's "data plane first" rule, kubelet and kube-proxy skew, AL2 AMIs,
// and whether EKS offers and supports the versions involved.
import type { ReadinessFinding } from '../evidence';
import { deniedAmong, deniedText } from '../kubernetes-inventory';
import type { ClusterSnapshot } from '../snapshot';
import { compareMinor, minorDistance, minorOf, tryParseMinor, upgradeStepProblem } from '../versions';
import { finding, found, passed, skipped, type CheckContext, type ReadinessCheck } from './check';

/** When the nodes could not be listed, the node-based half of UPG002/K8S001 is missing: say so, with the rule. */
function withNodeAccess(snapshot: ClusterSnapshot, findings: ReadinessFinding[]) {
  const denied = deniedAmong(snapshot.kubernetesAccess, ['/nodes']);
  if (denied.length === 0) return found(findings);
  return {
    findings,
    partial: `self-managed, Karpenter and hybrid nodes not checked: ${denied.map(deniedText).join('; ')}`,
  };
}

export const oneMinorStep: ReadinessCheck = {
  code: 'UPG001',
  run({ current, target }) {
    const problem = upgradeStepProblem(current, target);
    return problem ? found([finding('UPG001', 'required', problem, 'cluster')]) : passed();
  },
};

/** Managed node groups and Fargate must be on the control plane's minor before it moves (update-cluster.adoc). */
export const dataPlaneOnControlPlaneMinor: ReadinessCheck = {
  code: 'UPG002',
  run({ snapshot, current }) {
    const { nodeGroups, fargateProfiles, nodes } = snapshot;
    if (!nodeGroups && !fargateProfiles && !nodes)
      return skipped('the snapshot lists no node groups, Fargate profiles or nodes');
    const findings: ReadinessFinding[] = [];
    for (const group of nodeGroups ?? []) {
      if (compareMinor(group.version, current) < 0) {
        findings.push(
          finding(
            'UPG002',
            'required',
            `Managed node group ${group.name} runs ${group.version}; EKS requires it on ${current} before the control plane is upgraded. Run UpdateNodegroupVersion (aws eks update-nodegroup-version --nodegroup-name ${group.name} --kubernetes-version ${current}).`,
            `nodegroup/${group.name}`,
          ),
        );
      }
    }
    for (const profile of fargateProfiles ?? []) {
      const old = [...new Set((profile.kubeletVersions ?? []).filter((v) => compareMinor(v, current) < 0))];
      if (old.length > 0) {
        findings.push(
          finding(
            'UPG002',
            'required',
            `Fargate profile ${profile.name} has pods on kubelet ${old.join(', ')}; restart them (kubectl rollout restart) so they come back on ${current} before the control-plane upgrade.`,
            `fargateprofile/${profile.name}`,
          ),
        );
      }
    }
    for (const node of nodes ?? []) {
      const kubelet = minorOf(node.kubeletVersion);
      if (kubelet === undefined || compareMinor(kubelet, current) >= 0) continue;
      // Managed and Fargate: covered by the node group / profile above; EKS Auto Mode upgrades its own nodes.
      if (node.kind === 'managed' || node.kind === 'fargate' || node.kind === 'auto-mode') continue;
      findings.push(
        finding(
          'UPG002',
          'recommended',
          `Node ${node.name} (${node.kind ?? 'self-managed'}) runs kubelet ${kubelet}; EKS recommends self-managed and hybrid nodes on ${current} before the control-plane upgrade.`,
          `node/${node.name}`,
        ),
      );
    }
    return withNodeAccess(snapshot, findings);
  },
};

/** Kubernetes skew policy: kubelet may lag kube-apiserver by 3 minors (2 for kubelets older than 1.25). */
function allowedKubeletLag(kubelet: string): number {
  return compareMinor(kubelet, '1.25') < 0 ? 2 : 3;
}

export const kubeletSkewAfterUpgrade: ReadinessCheck = {
  code: 'K8S001',
  run({ snapshot, target }) {
    const sources: Array<{ resource: string; kubelet: string }> = [];
    for (const group of snapshot.nodeGroups ?? [])
      sources.push({ resource: `nodegroup/${group.name}`, kubelet: group.version });
    for (const profile of snapshot.fargateProfiles ?? [])
      for (const v of new Set(profile.kubeletVersions ?? []))
        sources.push({ resource: `fargateprofile/${profile.name}`, kubelet: v });
    for (const node of snapshot.nodes ?? []) {
      const kubelet = minorOf(node.kubeletVersion);
      if (kubelet !== undefined) sources.push({ resource: `node/${node.name}`, kubelet });
    }
    if (sources.length === 0) return skipped('the snapshot lists no node groups, Fargate profiles or nodes');
    const findings: ReadinessFinding[] = [];
    const seen = new Set<string>();
    for (const { resource, kubelet } of sources) {
      const lag = minorDistance(kubelet, target);
      const allowed = allowedKubeletLag(kubelet);
      if (lag > allowed && !seen.has(resource)) {
        seen.add(resource);
        findings.push(
          finding(
            'K8S001',
            'required',
            `kubelet ${kubelet} would be ${lag} minors behind a ${target} control plane; the skew policy allows ${allowed}. Upgrade ${resource} to at least ${nextMinorBy(target, -allowed)} first.`,
            resource,
          ),
        );
      }
    }
    return withNodeAccess(snapshot, findings);
  },
};

function nextMinorBy(version: string, delta: number): string {
  const v = tryParseMinor(version);
  return v ? `${v.major}.${v.minor + delta}` : version;
}

/** kube-proxy may not be newer than the control plane nor lag it by more than 3 minors (eksup K8S011). */
export const kubeProxySkew: ReadinessCheck = {
  code: 'K8S011',
  run({ snapshot, current, target }) {
    const kubeProxy = snapshot.addons?.find((a) => a.name === 'kube-proxy');
    if (!kubeProxy)
      return skipped('no kube-proxy EKS add-on in the snapshot (self-managed kube-proxy is not inventoried)');
    const minor = minorOf(kubeProxy.version);
    if (minor === undefined) return skipped(`kube-proxy version '${kubeProxy.version}' is not a Kubernetes version`);
    if (compareMinor(minor, current) > 0) {
      return found([
        finding(
          'K8S011',
          'required',
          `kube-proxy ${kubeProxy.version} is newer than the ${current} control plane, which the skew policy forbids; downgrade it to a ${current} build.`,
          'addon/kube-proxy',
        ),
      ]);
    }
    const lag = minorDistance(minor, target);
    if (lag > 3) {
      return found([
        finding(
          'K8S011',
          'required',
          `kube-proxy ${kubeProxy.version} would be ${lag} minors behind ${target} (at most 3 allowed); update the kube-proxy add-on, one minor at a time, to ${current} before the upgrade.`,
          'addon/kube-proxy',
        ),
      ]);
    }
    return passed();
  },
};

const AL2_AMI = /^AL2_/;

export const al2AmisOnTarget: ReadinessCheck = {
  code: 'EKS008',
  run({ snapshot, target }) {
    if (!snapshot.nodeGroups) return skipped('the snapshot lists no node groups');
    if (compareMinor(target, '1.32') < 0) return passed();
    const level = compareMinor(target, '1.33') >= 0 ? 'required' : 'recommended';
    const findings = snapshot.nodeGroups
      .filter((g) => g.amiType !== undefined && AL2_AMI.test(g.amiType))
      .map((g) =>
        finding(
          'EKS008',
          level,
          level === 'required'
            ? `Node group ${g.name} uses ${g.amiType}; EKS publishes no AL2 AMIs for ${target} (1.32 was the last). Move it to AL2023 or Bottlerocket (new node group, nodeadm config, VPC CNI >= 1.16.2, IMDSv2 hop limit) before upgrading.`
            : `Node group ${g.name} uses ${g.amiType}; 1.32 is the last version with AL2 AMIs and they stopped being published on 2025-11-26. Plan the move to AL2023 or Bottlerocket now.`,
          `nodegroup/${g.name}`,
        ),
      );
    return found(findings);
  },
};

export const targetOffered: ReadinessCheck = {
  code: 'UPG004',
  run({ snapshot, target }) {
    if (!snapshot.versions || snapshot.versions.length === 0)
      return skipped('the snapshot has no DescribeClusterVersions data');
    const info = snapshot.versions.find((v) => v.clusterVersion === target);
    if (!info)
      return found([
        finding(
          'UPG004',
          'required',
          `EKS does not offer ${target} in this Region (DescribeClusterVersions lists ${snapshot.versions.map((v) => v.clusterVersion).join(', ')}). Pick an offered version.`,
          'cluster',
        ),
      ]);
    if (info.status === 'UNSUPPORTED')
      return found([
        finding(
          'UPG004',
          'required',
          `${target} is UNSUPPORTED on EKS; choose a version in standard or extended support.`,
          'cluster',
        ),
      ]);
    return passed();
  },
};

function dateOnly(text: string | undefined): string | undefined {
  return text?.slice(0, 10);
}

function daysUntil(text: string | undefined, now: Date): number | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : Math.floor((time - now.getTime()) / 86_400_000);
}

export const supportStatus: ReadinessCheck = {
  code: 'UPG003',
  run({ snapshot, current, target, now }: CheckContext) {
    if (!snapshot.versions || snapshot.versions.length === 0)
      return skipped('the snapshot has no DescribeClusterVersions data');
    const findings: ReadinessFinding[] = [];
    const info = snapshot.versions.find((v) => v.clusterVersion === current);
    const policy = snapshot.cluster.supportType;
    if (info) {
      const extendedEnds = daysUntil(info.endOfExtendedSupportDate, now);
      const standardEnds = daysUntil(info.endOfStandardSupportDate, now);
      if (extendedEnds !== undefined && extendedEnds < 0) {
        findings.push(
          finding(
            'UPG003',
            'required',
            `${current} left extended support on ${dateOnly(info.endOfExtendedSupportDate)}; EKS upgrades the control plane on its own, leaving nodes and add-ons behind. Upgrade now.`,
            'cluster',
          ),
        );
      } else if (info.status === 'EXTENDED_SUPPORT' || (standardEnds !== undefined && standardEnds < 0)) {
        findings.push(
          finding(
            'UPG003',
            'recommended',
            `${current} is in extended support (extra cost) until ${dateOnly(info.endOfExtendedSupportDate) ?? 'an unknown date'}; after that EKS upgrades the control plane automatically.`,
            'cluster',
          ),
        );
      } else if (standardEnds !== undefined && standardEnds <= 60) {
        findings.push(
          finding(
            'UPG003',
            'recommended',
            `Standard support for ${current} ends on ${dateOnly(info.endOfStandardSupportDate)} (${standardEnds} days)${policy === 'STANDARD' ? '; with support type STANDARD the cluster is then upgraded automatically' : '; extended support then costs extra'}.`,
            'cluster',
          ),
        );
      }
    }
    const targetInfo = snapshot.versions.find((v) => v.clusterVersion === target);
    const targetStandardEnds = daysUntil(targetInfo?.endOfStandardSupportDate, now);
    if (
      targetInfo &&
      targetInfo.status !== 'UNSUPPORTED' &&
      (targetInfo.status === 'EXTENDED_SUPPORT' || (targetStandardEnds !== undefined && targetStandardEnds < 0))
    ) {
      findings.push(
        finding(
          'UPG003',
          'recommended',
          `The target ${target} is itself only in extended support (until ${dateOnly(targetInfo.endOfExtendedSupportDate) ?? 'unknown'}); plan the next upgrade right after this one.`,
          'cluster',
        ),
      );
    }
    return found(findings);
  },
};
