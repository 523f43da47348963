// Deprecated and removed APIs of the add-ons EKS users run most, keyed to the add-on's own version (a cert-manager
// API disappears when cert-manager is upgraded, not Kubernetes), each with the source of the fact; plus a user's own
// table in pluto's versions-file format (`deprecated-versions` / `target-versions`, pluto's `-f`/`--additional-
// versions` habit). Entries with component `k8s` in a user file extend the Kubernetes removal table instead.
import { z } from 'zod';
import type { ApiRemoval } from './api-removals';

export interface ThirdPartyApi {
  groupVersion: string;
  /** The kind, or "" for every kind of the group/version. */
  kind: string;
  /** The add-on whose version the entry is keyed to, e.g. "cert-manager". */
  component: string;
  /** Add-on versions ("1.4.0"). */
  deprecatedIn?: string;
  removedIn?: string;
  replacement?: string;
  source: string;
}

const CERT_MANAGER_SOURCE =
  'cert-manager 1.6 release notes (cert-manager.io/docs/releases/release-notes/release-notes-1.6: v1alpha2, v1alpha3 and v1beta1 removed, deprecated since 1.4); pluto versions.yaml';
const CERT_MANAGER_LEGACY_SOURCE =
  'cert-manager 0.11 release notes (API group renamed certmanager.k8s.io → cert-manager.io); pluto versions.yaml';
const ISTIO_SOURCE = 'pluto versions.yaml (FairwindsOps/pluto, component istio)';
const KARPENTER_ALPHA_SOURCE =
  'Karpenter v1beta1 migration guide (karpenter.sh/docs/upgrading/v1beta1-migration) and the AWS blog "Karpenter graduates to beta": alpha APIs deprecated in 0.32, only v1beta1 from 0.33';
const KARPENTER_BETA_SOURCE =
  'Karpenter v1 migration guide (karpenter.sh/docs/upgrading/v1-migration): v1beta1 served alongside v1 in 1.0, dropped in 1.1';
const ALB_SOURCE =
  'AWS Load Balancer Controller v2 docs (kubernetes-sigs.github.io/aws-load-balancer-controller, TargetGroupBinding spec): only elbv2.k8s.aws/v1beta1 is documented; no removal release announced';

function entries(
  groupVersion: string,
  kinds: string[],
  rest: Omit<ThirdPartyApi, 'groupVersion' | 'kind'>,
): ThirdPartyApi[] {
  return kinds.map((kind) => ({ groupVersion, kind, ...rest }));
}

const CERT_MANAGER_KINDS = ['Certificate', 'Issuer', 'ClusterIssuer', 'CertificateRequest'];
const ACME_KINDS = ['Order', 'Challenge'];

export const THIRD_PARTY_APIS: readonly ThirdPartyApi[] = [
  ...entries('certmanager.k8s.io/v1alpha1', [...CERT_MANAGER_KINDS, ...ACME_KINDS], {
    component: 'cert-manager',
    deprecatedIn: '0.11.0',
    removedIn: '0.11.0',
    replacement: 'cert-manager.io/v1',
    source: CERT_MANAGER_LEGACY_SOURCE,
  }),
  ...['v1alpha2', 'v1alpha3', 'v1beta1'].flatMap((version) => [
    ...entries(`cert-manager.io/${version}`, CERT_MANAGER_KINDS, {
      component: 'cert-manager',
      deprecatedIn: '1.4.0',
      removedIn: '1.6.0',
      replacement: 'cert-manager.io/v1',
      source: CERT_MANAGER_SOURCE,
    }),
    ...entries(`acme.cert-manager.io/${version}`, ACME_KINDS, {
      component: 'cert-manager',
      deprecatedIn: '1.4.0',
      removedIn: '1.6.0',
      replacement: 'acme.cert-manager.io/v1',
      source: CERT_MANAGER_SOURCE,
    }),
  ]),
  ...entries('authentication.istio.io/v1alpha1', [''], {
    component: 'istio',
    deprecatedIn: '1.5.0',
    removedIn: '1.6.0',
    replacement: 'security.istio.io/v1beta1',
    source: ISTIO_SOURCE,
  }),
  ...entries('rbac.istio.io/v1alpha1', [''], {
    component: 'istio',
    deprecatedIn: '1.4.0',
    removedIn: '1.4.0',
    replacement: 'security.istio.io/v1beta1',
    source: ISTIO_SOURCE,
  }),
  ...entries('karpenter.sh/v1alpha5', ['Provisioner', 'Machine'], {
    component: 'karpenter',
    deprecatedIn: '0.32.0',
    removedIn: '0.33.0',
    replacement: 'karpenter.sh/v1beta1',
    source: KARPENTER_ALPHA_SOURCE,
  }),
  ...entries('karpenter.k8s.aws/v1alpha1', ['AWSNodeTemplate'], {
    component: 'karpenter',
    deprecatedIn: '0.32.0',
    removedIn: '0.33.0',
    replacement: 'karpenter.k8s.aws/v1beta1',
    source: KARPENTER_ALPHA_SOURCE,
  }),
  ...entries('karpenter.sh/v1beta1', ['NodePool', 'NodeClaim'], {
    component: 'karpenter',
    deprecatedIn: '1.0.0',
    removedIn: '1.1.0',
    replacement: 'karpenter.sh/v1',
    source: KARPENTER_BETA_SOURCE,
  }),
  ...entries('karpenter.k8s.aws/v1beta1', ['EC2NodeClass'], {
    component: 'karpenter',
    deprecatedIn: '1.0.0',
    removedIn: '1.1.0',
    replacement: 'karpenter.k8s.aws/v1',
    source: KARPENTER_BETA_SOURCE,
  }),
  ...entries('elbv2.k8s.aws/v1alpha1', ['TargetGroupBinding'], {
    component: 'aws-load-balancer-controller',
    deprecatedIn: '2.0.0',
    replacement: 'elbv2.k8s.aws/v1beta1',
    source: ALB_SOURCE,
  }),
];

/** Numeric comparison of dotted versions ("v1.6.0" vs "1.5.3"); suffixes after '-' are ignored. */
export function compareComponentVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split('-')[0]!
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function findThirdPartyApi(
  table: readonly ThirdPartyApi[],
  apiVersion: string,
  kind: string,
): ThirdPartyApi | undefined {
  return (
    table.find((e) => e.groupVersion === apiVersion && e.kind === kind) ??
    table.find((e) => e.groupVersion === apiVersion && e.kind === '')
  );
}

const PlutoEntrySchema = z.object({
  version: z.string().min(1),
  kind: z.string().default(''),
  'deprecated-in': z.string().optional(),
  'removed-in': z.string().optional(),
  'replacement-api': z.string().optional(),
  'replacement-available-in': z.string().optional(),
  component: z.string().min(1),
});

export const VersionsFileSchema = z.object({
  'deprecated-versions': z.array(PlutoEntrySchema).default([]),
  'target-versions': z.record(z.string(), z.string()).default({}),
});

export interface UserVersions {
  thirdParty: ThirdPartyApi[];
  /** Entries of component `k8s`, as Kubernetes removals. */
  kubernetes: ApiRemoval[];
  /** Add-on versions to check against (pluto's target-versions), e.g. { "cert-manager": "v1.5.3" }. */
  targetVersions: Record<string, string>;
}

/** "v1.16.0" → "1.16" for the Kubernetes entries. */
function kubernetesMinor(version: string | undefined): string | undefined {
  const match = version ? /^v?(\d+)\.(\d+)/.exec(version) : null;
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** A parsed pluto versions file; `source` names the file in every entry and in errors. */
export function parseVersionsFile(value: unknown, source: string): UserVersions {
  const result = VersionsFileSchema.safeParse(value ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(
      `Invalid versions file ${source} (pluto format: deprecated-versions[] with version, kind, deprecated-in, removed-in, replacement-api, component):\n${lines.join('\n')}`,
    );
  }
  const thirdParty: ThirdPartyApi[] = [];
  const kubernetes: ApiRemoval[] = [];
  for (const e of result.data['deprecated-versions']) {
    if (e.component === 'k8s') {
      kubernetes.push({
        groupVersion: e.version,
        kind: e.kind,
        deprecatedIn: kubernetesMinor(e['deprecated-in']),
        removedIn: kubernetesMinor(e['removed-in']),
        replacement: e['replacement-api'],
        replacementAvailableIn: kubernetesMinor(e['replacement-available-in']),
        scope: 'rest',
        stability: e.version.includes('alpha') ? 'alpha' : e.version.includes('beta') ? 'beta' : 'ga',
        note: `from ${source}`,
      });
    } else {
      thirdParty.push({
        groupVersion: e.version,
        kind: e.kind,
        component: e.component,
        deprecatedIn: e['deprecated-in']?.replace(/^v/, ''),
        removedIn: e['removed-in']?.replace(/^v/, ''),
        replacement: e['replacement-api'],
        source,
      });
    }
  }
  return { thirdParty, kubernetes, targetVersions: result.data['target-versions'] };
}
