// Typed search attributes that make upgrades findable in the Temporal Web UI and `eks-upgrade list`.
// They must be registered on the namespace before a workflow upserts them (an unregistered one fails the
// workflow task): the dev server gets them as --search-attribute flags, other servers through
// registerSearchAttributes() in src/worker/search-attributes.ts.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const EKS_CLUSTER = defineSearchAttributeKey('EksCluster', SearchAttributeType.KEYWORD);
export const EKS_TARGET_VERSION = defineSearchAttributeKey('EksTargetVersion', SearchAttributeType.KEYWORD);
export const UPGRADE_PHASE = defineSearchAttributeKey('UpgradePhase', SearchAttributeType.KEYWORD);
export const UPGRADE_DECISION = defineSearchAttributeKey('UpgradeDecision', SearchAttributeType.KEYWORD);

/** On a campaign and on every upgrade it starts: the campaign's workflow id, and the upgrade's wave name. */
export const EKS_CAMPAIGN = defineSearchAttributeKey('EksCampaign', SearchAttributeType.KEYWORD);
export const EKS_WAVE = defineSearchAttributeKey('EksWave', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  EKS_CLUSTER,
  EKS_TARGET_VERSION,
  UPGRADE_PHASE,
  UPGRADE_DECISION,
  EKS_CAMPAIGN,
  EKS_WAVE,
] as const;
