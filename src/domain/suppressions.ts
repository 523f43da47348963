// `.eks-upgrade.yaml`: suppression rules, per-check knobs and extra API versions (docs/suppressions.md). A rule names a check code, an
// optional resource glob ("Deployment/kube-system/*"), an optional target version, a mandatory reason and an
// optional expiry. Suppressed findings stay in the report, marked with the rule; a blocker (required finding, or an
// API removed by the target) can only be waved through by a rule that expires, so nothing is hidden for ever.
import { z } from 'zod';
import type { ApiRemovalFinding, ApiScanResult, ReadinessFinding, ReadinessReport, Suppression } from './evidence';
import { VersionsFileSchema } from './third-party-apis';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date such as 2026-06-30' })
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), { error: 'not a calendar date' });

export const SuppressionRuleSchema = z.strictObject({
  /** A check code (K8S002, API001, …). */
  code: z.string().regex(/^[A-Z][A-Z0-9]{2}\d{3}$/, { error: 'expected a check code such as K8S002 or API001' }),
  /** Glob over Kind/namespace/name (cluster-scoped: Kind/name; `*` stops at `/`, `**` does not). Absent: any. */
  resource: z.string().min(1).optional(),
  /** Only when upgrading to this minor. */
  version: z
    .string()
    .regex(/^1\.\d{1,2}$/, { error: 'expected a Kubernetes minor such as 1.32' })
    .optional(),
  reason: z.string().trim().min(1, { error: 'say why the finding is suppressed' }),
  /** Last day (UTC) the rule applies; required to suppress a blocker. */
  expires: isoDate.optional(),
});

const resourceRef = z.strictObject({ name: z.string().min(1), namespace: z.string().min(1).optional() });

export const CheckSettingsSchema = z.strictObject({
  K8S002: z
    .strictObject({
      minReplicas: z.number().int().min(1).optional(),
      overrides: z.array(resourceRef.extend({ minReplicas: z.number().int().min(1) })).optional(),
    })
    .optional(),
});

export const UpgradeConfigSchema = z.strictObject({
  suppressions: z.array(SuppressionRuleSchema).default([]),
  checks: CheckSettingsSchema.default({}),
  /** Extra deprecated APIs in pluto's versions-file format (deprecated-versions, target-versions). */
  additionalVersions: VersionsFileSchema.optional(),
});

export type SuppressionRule = z.infer<typeof SuppressionRuleSchema>;
export type CheckSettings = z.infer<typeof CheckSettingsSchema>;
export type UpgradeConfig = z.infer<typeof UpgradeConfigSchema>;

/** Validates a parsed .eks-upgrade.yaml; the error names every bad field. */
export function parseUpgradeConfig(value: unknown, source = '.eks-upgrade.yaml'): UpgradeConfig {
  const result = UpgradeConfigSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new Error(`Invalid configuration in ${source}:\n${lines.join('\n')}\nSee docs/suppressions.md.`);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

/** "Deployment shop/web" (readiness) → "Deployment/shop/web"; "nodegroup/ng-1" stays. */
export function readinessResourcePath(resource: string | undefined): string {
  if (!resource) return '';
  const space = resource.indexOf(' ');
  return space > 0 ? `${resource.slice(0, space)}/${resource.slice(space + 1)}` : resource;
}

export function apiResourcePath(f: Pick<ApiRemovalFinding, 'kind' | 'namespace' | 'name'>): string {
  return f.namespace ? `${f.kind}/${f.namespace}/${f.name}` : `${f.kind}/${f.name}`;
}

function describeRule(rule: SuppressionRule, index: number): string {
  return `suppressions[${index}] (${rule.code}${rule.resource ? ` ${rule.resource}` : ''}${rule.version ? ` for ${rule.version}` : ''})`;
}

function expired(rule: SuppressionRule, now: Date): boolean {
  return rule.expires !== undefined && Date.parse(`${rule.expires}T23:59:59.999Z`) < now.getTime();
}

interface Candidate {
  code: string;
  path: string;
  blocker: boolean;
}

/** Applies the rules to findings of readiness and the API scan; returns copies with `suppressed` set, and warnings. */
export function applySuppressions<R extends ReadinessReport | undefined, A extends ApiScanResult | undefined>(input: {
  config: UpgradeConfig | undefined;
  targetVersion: string;
  now: Date;
  readiness?: R;
  apiScan?: A;
}): { readiness: R; apiScan: A; warnings: string[] } {
  const rules = input.config?.suppressions ?? [];
  const warnings: string[] = [];
  const active = rules
    .map((rule, index) => ({ rule, index, pattern: rule.resource ? globToRegExp(rule.resource) : undefined }))
    .filter(({ rule, index }) => {
      if (rule.version !== undefined && rule.version !== input.targetVersion) return false;
      if (expired(rule, input.now)) {
        warnings.push(`${describeRule(rule, index)} expired on ${rule.expires}: it no longer suppresses anything.`);
        return false;
      }
      return true;
    });
  const refusedBlockers = new Set<number>();
  const match = (candidate: Candidate): Suppression | undefined => {
    for (const { rule, index, pattern } of active) {
      if (rule.code !== candidate.code || (pattern && !pattern.test(candidate.path))) continue;
      if (candidate.blocker && rule.expires === undefined) {
        refusedBlockers.add(index);
        continue;
      }
      return {
        rule: describeRule(rule, index),
        reason: rule.reason,
        ...(rule.expires ? { expires: rule.expires } : {}),
      };
    }
    return undefined;
  };
  const mark = <F extends ReadinessFinding | ApiRemovalFinding>(f: F, candidate: Candidate): F => {
    const suppressed = match(candidate);
    return suppressed ? { ...f, suppressed } : f;
  };
  const readiness = input.readiness
    ? {
        ...input.readiness,
        findings: input.readiness.findings.map((f) =>
          mark(f, { code: f.code, path: readinessResourcePath(f.resource), blocker: f.level === 'required' }),
        ),
      }
    : input.readiness;
  const apiScan = input.apiScan
    ? {
        ...input.apiScan,
        findings: input.apiScan.findings.map((f) =>
          mark(f, {
            code: f.code ?? '',
            path: apiResourcePath(f),
            blocker: f.removedByTarget && f.confidence !== 'low',
          }),
        ),
      }
    : input.apiScan;
  for (const index of refusedBlockers) {
    const rule = rules[index];
    if (rule)
      warnings.push(
        `${describeRule(rule, index)} matches a blocker but has no expiry, so it was not applied: a blocker can be suppressed only until a date (add expires: YYYY-MM-DD).`,
      );
  }
  return { readiness: readiness as R, apiScan: apiScan as A, warnings };
}
