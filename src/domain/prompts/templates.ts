// The five prompt templates, for tool-forced structured output. A template is data: a system text
// (role and rules), a task text with {{variables}} (trusted context only: cluster name and versions), and the
// output kind whose versioned zod schema the answer must match. Untrusted evidence never goes into the task text:
// it is passed separately and fenced by render.ts. Custom templates (custom.ts) have the same shape.
import type { AnalysisTemplateName } from '../analysis';
import type { OutputKind } from './schemas';

export interface PromptTemplate {
  /** Also the forced tool's name, so it must match [A-Za-z0-9_-]{1,64}. */
  name: string;
  /** Bumped whenever the wording changes; results and cache keys carry it. */
  version: string;
  /** The tool's description, shown to the model. */
  description: string;
  outputKind: OutputKind;
  system: string;
  /** The instruction; may use {{clusterName}}, {{currentVersion}}, {{targetVersion}}. */
  task: string;
  /** 'built-in' or the file it was loaded from. */
  source: string;
}

export const TEMPLATE_VARIABLES = ['clusterName', 'currentVersion', 'targetVersion'] as const;
export type TemplateVariables = Record<(typeof TEMPLATE_VARIABLES)[number], string>;

const ROLE = 'You are a senior Kubernetes platform engineer who specialises in Amazon EKS upgrades.';
const SCORING =
  'Score severity from 0 (harmless) to 10 (certain breakage) and confidence from 0 to 1, lowering confidence when the evidence is thin. ' +
  'Cite the evidence for every finding; never invent resources, versions or facts that the data does not contain.';

export const BUILT_IN_TEMPLATES: Record<AnalysisTemplateName, PromptTemplate> = {
  RELEASE_NOTES_ANALYSIS: {
    name: 'RELEASE_NOTES_ANALYSIS',
    // 2: no cluster name in the task, so one analysis per version pair serves the whole fleet.
    version: '2',
    description:
      'Report the upgrade impact of Kubernetes release notes: breaking changes, removals, deprecations and required actions.',
    outputKind: 'analysis',
    system: `${ROLE} You read Kubernetes release notes and find what breaks or needs action when a cluster is upgraded. ${SCORING}`,
    task:
      'A cluster is being upgraded from Kubernetes {{currentVersion}} to {{targetVersion}}. Analyse the release-notes extract ' +
      'for this upgrade. List breaking changes (removed APIs, removed flags, changed defaults), deprecations that need action soon, ' +
      'and concrete recommendations in the order they should be done.',
    source: 'built-in',
  },
  DEPRECATION_IMPACT_ANALYSIS: {
    name: 'DEPRECATION_IMPACT_ANALYSIS',
    // 2: no cluster name in the task, so clusters with the same scan results share one analysis.
    version: '2',
    description: 'Assess the impact of deprecated and removed Kubernetes APIs found in the cluster and its manifests.',
    outputKind: 'analysis',
    system: `${ROLE} You assess the impact of deprecated and removed Kubernetes API versions on real workloads. ${SCORING}`,
    task:
      'A cluster is being upgraded from Kubernetes {{currentVersion}} to {{targetVersion}}. The scan results list objects that ' +
      'use deprecated or removed API versions. For each affected object say what breaks on {{targetVersion}} and how to migrate it ' +
      '(the replacement apiVersion and any field changes). Objects whose API is removed by the target version are breaking changes.',
    source: 'built-in',
  },
  CLUSTER_READINESS_ASSESSMENT: {
    name: 'CLUSTER_READINESS_ASSESSMENT',
    version: '1',
    description:
      'Assess whether an EKS cluster is ready to be upgraded, from its state and the readiness check results.',
    outputKind: 'analysis',
    system: `${ROLE} You judge whether an EKS cluster is ready for a version upgrade (version skew, add-ons, node groups, capacity, disruption budgets). ${SCORING}`,
    task:
      'Cluster {{clusterName}} is on Kubernetes {{currentVersion}} and the target is {{targetVersion}}. From the cluster snapshot and the ' +
      'readiness findings (codes with remediation levels), explain what must be fixed before the upgrade (required) and what should be ' +
      '(recommended), and how ready the cluster is overall.',
    source: 'built-in',
  },
  UPGRADE_DECISION: {
    name: 'UPGRADE_DECISION',
    version: '1',
    description:
      'Decide GO, GO_WITH_CAUTION or NO_GO for an EKS upgrade, within the bounds set by the deterministic rules.',
    outputKind: 'upgrade-decision',
    system:
      `${ROLE} You make the go/no-go call for an EKS upgrade from the evidence and the earlier analyses. ` +
      'Deterministic rule blockers are binding: if any are listed, the verdict must be NO_GO. ' +
      'Use GO_WITH_CAUTION when the upgrade can proceed but needs named precautions. Give one reason per entry. ' +
      SCORING,
    task:
      'Decide whether cluster {{clusterName}} should be upgraded from Kubernetes {{currentVersion}} to {{targetVersion}} now. ' +
      'Use the evidence summary, the analyses and the rule blockers provided.',
    source: 'built-in',
  },
  ROLLBACK_DECISION: {
    name: 'ROLLBACK_DECISION',
    // 2: the control plane can be rolled back one minor within 7 days (EKS, since 2026-06-30).
    version: '2',
    description: 'Decide ROLLBACK, HOLD or MONITOR after a problem report following an EKS upgrade.',
    outputKind: 'rollback-decision',
    system:
      `${ROLE} You decide, under time pressure, whether to roll back after an EKS upgrade. ` +
      'A rollback reverts node groups and add-ons to their previous versions, then the control plane to the previous minor: EKS ' +
      'allows that within 7 days of the upgrade, once its rollback-readiness insights pass; after that only workloads and nodes ' +
      'can be reverted (for example a blue/green node group swap). ' +
      'ROLLBACK when user impact is ongoing and reverting helps; HOLD to stop further rollout while investigating; MONITOR when the report ' +
      'does not show upgrade-caused impact. ' +
      SCORING,
    task:
      'Cluster {{clusterName}} was upgraded from Kubernetes {{currentVersion}} to {{targetVersion}} and a problem was reported. ' +
      'Decide what to do from the report, the evidence and the upgrade summary provided.',
    source: 'built-in',
  },
};

/** A set of templates by name: the built-ins, possibly overridden or extended by custom ones. */
export type TemplateRegistry = ReadonlyMap<string, PromptTemplate>;

export function builtInTemplateRegistry(): TemplateRegistry {
  return new Map(Object.values(BUILT_IN_TEMPLATES).map((t) => [t.name, t]));
}
