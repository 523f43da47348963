// Decides which release-note entries matter for an upgrade and why. Deterministic keyword rules, tuned on the
// 1.27–1.33 notes: keep everything in Urgent Upgrade Notes, Known Issues and Deprecation; from API Change keep what
// removes, stops serving, deprecates, changes a default or demands action; from the other sections keep only API
// removals and explicit action-required notes (1.32's flowcontrol v1beta3 and 1.33's v1alpha1
// ValidatingAdmissionPolicy removals sit under "Other (Cleanup or Flake)"). Removed GA feature gates are dropped
// outside Urgent/Deprecation: they are locked on already and EKS users cannot set gates.
import type { ReleaseNoteCategory } from '../evidence';

const ACTION =
  /action required|\bmust be (?:deleted|removed|migrated|updated)\b|\bmust (?:update|migrate|delete|remove)\b|before upgrading|before (?:the |you )?upgrade/i;
const STOP_SERVING =
  /no longer (?:be )?served|stop(?:s|ped)? serving|will not be served|\b(?:is|are|was|were|been) dropped\b/i;
const TOOL_ONLY = /^(?:kubeadm|kubectl|kube-?up|e2e|test)\b/i;
const REMOVED =
  /\b(?:removed|removes|removing|removal of|has been removed|was removed|were removed|no longer (?:available|supported|accepted))\b/i;
/** Removed now (past or present tense), as opposed to "will be removed" (a deprecation). */
const REMOVED_NOW =
  /\b(?:is|are|was|were|has been|have been|is now|are now|got|been fully) removed\b|^(?:fully )?(?:removed|removes|dropped|drop)\b|\bno longer (?:available|supported|supports|accepted|functional)\b/i;
const DEPRECATED = /\bdeprecat/i;
const DEFAULT_CHANGE =
  /\b(?:(?:now |are |is )?(?:enabled|disabled|on|off|switched off|turned off) by default|defaults? (?:to|value|behavio(?:u)?r)|the default (?:is|was|has|for)|by default (?:now|no longer)|now defaults)\b/i;
const API_VERSION = /\b(?:[a-z0-9.-]+\.k8s\.io\/|[a-z]+\/)?v\d+(?:alpha|beta)\d+\b|\bAPI\b|\bapiVersion\b/;
const FEATURE_GATE_ONLY = /feature[- ]?gates?\b/i;

export type KeepDecision = { keep: false } | { keep: true; category: ReleaseNoteCategory };

/** The category of a note's text (removal, action required, deprecation, default change), else `fallback`. */
export function categorize(original: string, fallback: ReleaseNoteCategory): ReleaseNoteCategory {
  // "The API will not be removed" (1.33 v1 Endpoints) is a deprecation, not a removal.
  const text = original.replace(/\b(?:will|would|is|are) not be removed\b|\bwon't be removed\b/gi, '');
  if (STOP_SERVING.test(text) || (REMOVED_NOW.test(text) && API_VERSION.test(text))) return 'removal';
  if (ACTION.test(text)) return 'action-required';
  if (REMOVED_NOW.test(text)) return 'removal';
  if (DEPRECATED.test(text) || REMOVED.test(text)) return 'deprecation'; // "will be removed" announces a removal
  if (DEFAULT_CHANGE.test(text)) return 'default-change';
  return fallback;
}

function isGateHousekeeping(text: string): boolean {
  // "Removed the GA feature gate X", "feature gate … will be removed": noise unless an API goes with it.
  return (
    FEATURE_GATE_ONLY.test(text) &&
    !STOP_SERVING.test(text) &&
    !/\bv\d+(?:alpha|beta)\d+\b/.test(text) &&
    !ACTION.test(text)
  );
}

export function classifyEntry(section: string, text: string): KeepDecision {
  switch (section) {
    case 'Urgent Upgrade Notes':
      return { keep: true, category: categorize(text, 'action-required') };
    case 'Known Issues':
      return { keep: true, category: 'action-required' };
    case 'Deprecation':
      return { keep: true, category: categorize(text, 'deprecation') };
    case 'API Change': {
      if (isGateHousekeeping(text) && !DEFAULT_CHANGE.test(text)) return { keep: false };
      const removesApi = STOP_SERVING.test(text) || (REMOVED.test(text) && API_VERSION.test(text));
      if (removesApi || ACTION.test(text) || DEPRECATED.test(text) || DEFAULT_CHANGE.test(text))
        return { keep: true, category: categorize(text, 'default-change') };
      return { keep: false };
    }
    case 'Feature':
    case 'Bug or Regression':
    case 'Other (Cleanup or Flake)': {
      if (isGateHousekeeping(text)) return { keep: false };
      if (
        STOP_SERVING.test(text) ||
        (REMOVED.test(text) && /\bv\d+(?:alpha|beta)\d+\b/.test(text) && /\bAPI|kinds?\b|\bversion\b/i.test(text))
      )
        return { keep: true, category: 'removal' };
      if (ACTION.test(text)) return { keep: true, category: 'action-required' };
      // Removals and deprecations of behaviour (plugins, flags, in-tree providers) matter; kubeadm/kubectl-only do not on EKS.
      if (
        section !== 'Bug or Regression' &&
        !TOOL_ONLY.test(text) &&
        (DEPRECATED.test(text) || /^(?:removed|removes)\b|\b(?:has|have) been removed\b/i.test(text))
      ) {
        return { keep: true, category: categorize(text, 'deprecation') };
      }
      return { keep: false };
    }
    default:
      return { keep: false };
  }
}
