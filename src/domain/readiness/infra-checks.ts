// Infrastructure checks (eksup's EKS00x): subnets, health of the control plane, node groups and add-ons, add-on
// compatibility with the target, pending launch-template updates, and EKS insights.
import type { ReadinessFinding } from '../evidence';
import type { Addon } from '../snapshot';
import { finding, found, passed, skipped, type ReadinessCheck } from './check';

/** EKS needs up to 5 free IPs in the control-plane subnets, in at least two AZs (eksup EKS001). */
const MIN_FREE_IPS = 5;

export const controlPlaneSubnets: ReadinessCheck = {
  code: 'EKS001',
  run({ snapshot }) {
    if (!snapshot.subnets || snapshot.subnets.length === 0)
      return skipped(
        'no subnet data (configure EC2 access so DescribeSubnets can run, or add `subnets` to the snapshot)',
      );
    const ids = snapshot.cluster.subnetIds;
    const subnets = ids ? snapshot.subnets.filter((s) => ids.includes(s.subnetId)) : snapshot.subnets;
    const zonesWithRoom = new Set(
      subnets.filter((s) => s.availableIpAddressCount >= MIN_FREE_IPS).map((s) => s.availabilityZone ?? s.subnetId),
    );
    if (zonesWithRoom.size >= 2) return passed();
    const detail = subnets
      .map((s) => `${s.subnetId} (${s.availabilityZone ?? '?'}): ${s.availableIpAddressCount} free`)
      .join(', ');
    return found([
      finding(
        'EKS001',
        'required',
        `The control plane needs at least ${MIN_FREE_IPS} free IPs in subnets of two availability zones to upgrade; only ${zonesWithRoom.size} zone(s) qualify [${detail}]. Free addresses or add subnets (UpdateClusterConfig) before upgrading.`,
        'cluster',
      ),
    ]);
  },
};

function issuesText(issues: Array<{ code: string; message?: string }>): string {
  return issues.map((i) => `${i.code}${i.message ? `: ${i.message}` : ''}`).join('; ');
}

export const controlPlaneHealth: ReadinessCheck = {
  code: 'EKS002',
  run({ snapshot }) {
    const findings: ReadinessFinding[] = [];
    const issues = snapshot.cluster.health?.issues ?? [];
    if (issues.length > 0)
      findings.push(
        finding(
          'EKS002',
          'required',
          `The cluster reports health issues: ${issuesText(issues)}. Resolve them (see the EKS console's Health tab) before upgrading.`,
          'cluster',
        ),
      );
    const status = snapshot.cluster.status;
    if (status !== undefined && status !== 'ACTIVE')
      findings.push(
        finding(
          'EKS002',
          'required',
          `The cluster is ${status}; an upgrade can start only when it is ACTIVE. Wait for the running operation or fix the failure.`,
          'cluster',
        ),
      );
    return found(findings);
  },
};

export const nodeGroupHealth: ReadinessCheck = {
  code: 'EKS003',
  run({ snapshot }) {
    if (!snapshot.nodeGroups) return skipped('the snapshot lists no node groups');
    const findings: ReadinessFinding[] = [];
    for (const group of snapshot.nodeGroups) {
      const issues = group.health?.issues ?? [];
      if (issues.length > 0)
        findings.push(
          finding(
            'EKS003',
            'required',
            `Node group ${group.name} reports health issues: ${issuesText(issues)}. Fix them before upgrading; a degraded group can fail its rolling update.`,
            `nodegroup/${group.name}`,
          ),
        );
      else if (group.status !== undefined && group.status !== 'ACTIVE')
        findings.push(
          finding(
            'EKS003',
            'required',
            `Node group ${group.name} is ${group.status}; it must be ACTIVE before the upgrade.`,
            `nodegroup/${group.name}`,
          ),
        );
    }
    return found(findings);
  },
};

export const addonHealth: ReadinessCheck = {
  code: 'EKS004',
  run({ snapshot }) {
    if (!snapshot.addons) return skipped('the snapshot lists no add-ons');
    const findings: ReadinessFinding[] = [];
    for (const addon of snapshot.addons) {
      const issues = addon.health?.issues ?? [];
      if (issues.length > 0)
        findings.push(
          finding(
            'EKS004',
            'required',
            `Add-on ${addon.name} reports health issues: ${issuesText(issues)}. Fix them (often IAM or configuration conflicts) before upgrading.`,
            `addon/${addon.name}`,
          ),
        );
      else if (addon.status !== undefined && !['ACTIVE', 'UPDATING'].includes(addon.status))
        findings.push(
          finding(
            'EKS004',
            'required',
            `Add-on ${addon.name} is ${addon.status}; bring it back to ACTIVE before upgrading.`,
            `addon/${addon.name}`,
          ),
        );
    }
    return found(findings);
  },
};

/** Sorts EKS add-on versions ("v1.19.0-eksbuild.1") newest first. */
function byVersionDescending(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/\D/g, '') === '' ? 0 : Number(p.replace(/\D/g, ''))));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function compatibility(addon: Addon, current: string, target: string): ReadinessFinding | undefined {
  const forTarget = addon.compatibleVersions?.[target];
  if (!forTarget || forTarget.length === 0) return undefined; // no data for the target (e.g. not offered yet)
  if (forTarget.includes(addon.version)) return undefined;
  const forCurrent = addon.compatibleVersions?.[current] ?? [];
  const both = forTarget.filter((v) => forCurrent.includes(v)).sort(byVersionDescending);
  if (both.length > 0) {
    return finding(
      'EKS005',
      'required',
      `Add-on ${addon.name} ${addon.version} is not compatible with ${target}. Update it before the upgrade to a version that runs on both ${current} and ${target}, e.g. ${both[0]} (one minor at a time).`,
      `addon/${addon.name}`,
    );
  }
  // No version runs on both minors (kube-proxy, whose minor follows Kubernetes, always): the normal path is to update
  // it after the control plane, to the target's default, which the upgrade plan does as one of its steps. A planned
  // step is not a finding, so it neither blocks nor cautions the decision.
  return undefined;
}

export const addonCompatibility: ReadinessCheck = {
  code: 'EKS005',
  run({ snapshot, current, target }) {
    const addons = snapshot.addons ?? [];
    const known = addons.filter((a) => (a.compatibleVersions?.[target]?.length ?? 0) > 0);
    if (known.length === 0) return skipped(`no add-on carries DescribeAddonVersions data for ${target}`);
    return found(
      known.map((a) => compatibility(a, current, target)).filter((f): f is ReadinessFinding => f !== undefined),
    );
  },
};

export const pendingLaunchTemplateUpdate: ReadinessCheck = {
  code: 'EKS006',
  run({ snapshot }) {
    if (!snapshot.nodeGroups) return skipped('the snapshot lists no node groups');
    // Node groups without a launch template have nothing pending: the check applies to none of them, which passes.
    const templated = snapshot.nodeGroups.filter((g) => g.launchTemplate?.version !== undefined);
    if (templated.length === 0) return passed();
    const withTemplate = templated.filter((g) => g.launchTemplateLatestVersion !== undefined);
    if (withTemplate.length === 0)
      return skipped('no launch-template latest version known (EC2 DescribeLaunchTemplates was not read)');
    return found(
      withTemplate
        .filter((g) => g.launchTemplate?.version !== g.launchTemplateLatestVersion)
        .map((g) =>
          finding(
            'EKS006',
            'recommended',
            `Node group ${g.name} uses launch template version ${g.launchTemplate?.version ?? '?'} but version ${g.launchTemplateLatestVersion ?? '?'} exists; roll it out (or discard it) first so the upgrade does not apply an unreviewed change.`,
            `nodegroup/${g.name}`,
          ),
        ),
    );
  },
};

function insightChecks(code: 'EKS009' | 'EKS010', matches: (category: string | undefined) => boolean): ReadinessCheck {
  return {
    code,
    run({ snapshot, target }) {
      if (!snapshot.insights) return skipped('the snapshot has no EKS insights');
      const findings: ReadinessFinding[] = [];
      for (const insight of snapshot.insights) {
        if (!matches(insight.category)) continue;
        if (
          insight.kubernetesVersion !== undefined &&
          /^1\.\d+$/.test(insight.kubernetesVersion) &&
          Number(insight.kubernetesVersion.split('.')[1]) > Number(target.split('.')[1])
        )
          continue;
        if (!['ERROR', 'WARNING', 'UNKNOWN'].includes(insight.status)) continue;
        const level = insight.status === 'ERROR' ? 'required' : 'recommended';
        const since = insight.lastTransitionTime
          ? ` (in this state since ${insight.lastTransitionTime.slice(0, 10)}; deprecated-API insights look back 30 days, so a recent fix can still show)`
          : '';
        findings.push(
          finding(
            code,
            level,
            `EKS insight "${insight.name}" is ${insight.status}${insight.reason ? `: ${insight.reason.replace(/\.$/, '')}` : ''}${since}. ${insight.recommendation ?? 'See DescribeInsight for the affected resources.'}`,
            `insight/${insight.id}`,
          ),
        );
      }
      return found(findings);
    },
  };
}

export const upgradeReadinessInsights = insightChecks('EKS009', (c) => c === 'UPGRADE_READINESS' || c === undefined);
export const misconfigurationInsights = insightChecks('EKS010', (c) => c !== undefined && c !== 'UPGRADE_READINESS');
