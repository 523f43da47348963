// From release-note Markdown to the upgrade-relevant extract the RELEASE_NOTES_ANALYSIS prompt sees, with token
// counts of both. Removals the facts table knows for the target but the notes do not state (the 1.29 CHANGELOG's
// flowcontrol v1beta2 note is only a PR-template comment) are added as entries marked as coming from the facts.
import type { ReleaseNoteEntry, ReleaseNotesExtract } from '../evidence';
import { removalsIn, type ApiRemoval } from '../api-removals';
import { classifyEntry } from './classify';
import { extractEksVersionNotes } from './eks-notes';
import { entryParts, parseReleaseNotes, selectMinorReleaseSection } from './parse';
import { countTokens } from './tokens';

export const FACTS_SECTION = 'API removal facts (not stated in these notes)';

/** True when an entry's text names this removal (group/version, "Group.version" shorthand, or alpha kind name). */
export function mentionsRemoval(text: string, removal: ApiRemoval): boolean {
  const lower = text.toLowerCase();
  if (lower.includes(removal.groupVersion.toLowerCase())) return true;
  const [group = '', version = ''] = removal.groupVersion.split('/');
  const shortGroup = group.split('.')[0] ?? group;
  if (lower.includes(`${shortGroup}.${version}`.toLowerCase())) return true; // "Coordination.v1alpha1 API is dropped"
  if (lower.includes(version.toLowerCase()) && lower.includes(removal.kind.toLowerCase())) return true; // "v1alpha1 ValidatingAdmissionPolicy"
  return /alpha/.test(version) && new RegExp(`\\b${removal.kind}\\b`).test(text) && /remov|drop/i.test(text); // "Removed the networking alpha API ClusterCIDR"
}

/** One entry per group/version for the facts-table removals that no note mentions. */
function factEntries(noteEntries: ReleaseNoteEntry[], targetVersion: string): ReleaseNoteEntry[] {
  const missing = removalsIn(targetVersion).filter(
    (removal) => !noteEntries.some((e) => mentionsRemoval(e.text, removal)),
  );
  const byGroupVersion = new Map<string, ApiRemoval[]>();
  for (const removal of missing)
    byGroupVersion.set(removal.groupVersion, [...(byGroupVersion.get(removal.groupVersion) ?? []), removal]);
  return [...byGroupVersion].map(([groupVersion, removals]) => {
    const advice = new Map<string, string[]>();
    for (const r of removals) {
      const text = `${r.replacement ? `migrate to ${r.replacement}${r.replacementAvailableIn ? ` (served since ${r.replacementAvailableIn})` : ''}` : 'no replacement API'}${r.note ? `; ${r.note}` : ''}`;
      advice.set(text, [...(advice.get(text) ?? []), r.kind]);
    }
    const kinds = removals.map((r) => r.kind).join(', ');
    const how = [...advice]
      .map(([text, forKinds]) =>
        advice.size > 1 ? `${forKinds.join(', ')}: ${text}.` : `${text.charAt(0).toUpperCase()}${text.slice(1)}.`,
      )
      .join(' ');
    return {
      category: 'removal' as const,
      section: FACTS_SECTION,
      text: `${groupVersion} ${kinds}: no longer served in ${targetVersion}. ${how}`,
      sigs: [],
    };
  });
}

export interface ExtractOptions {
  targetVersion: string;
  source: string;
  /** Add facts-table removals the notes do not mention (default true). */
  includeFacts?: boolean;
  /** The EKS user guide's version notes (kubernetes-versions-*.adoc), added under "EKS version notes". */
  eksNotesAdoc?: string;
}

export function extractReleaseNotes(markdown: string, options: ExtractOptions): ReleaseNotesExtract {
  const selected = selectMinorReleaseSection(markdown, options.targetVersion);
  const entries: ReleaseNoteEntry[] = [];
  for (const raw of parseReleaseNotes(selected)) {
    const parts = entryParts(raw.markdown);
    if (raw.templateOnly || parts.text === '') {
      // Keep it visible: the note exists, its text does not; the PR link lets a person read it.
      entries.push({
        category: 'action-required',
        section: raw.section,
        text: `(release-note text missing: the entry is only a PR-template comment; read ${parts.prUrl ?? 'the PR'})`,
        sigs: parts.sigs,
        prUrl: parts.prUrl,
      });
      continue;
    }
    const decision = classifyEntry(raw.section, parts.text);
    if (!decision.keep) continue;
    entries.push({
      category: decision.category,
      section: raw.section,
      text: parts.text,
      sigs: parts.sigs,
      prUrl: parts.prUrl,
    });
  }
  if (options.eksNotesAdoc !== undefined)
    entries.push(...extractEksVersionNotes(options.eksNotesAdoc, options.targetVersion));
  if (options.includeFacts ?? true) entries.push(...factEntries(entries, options.targetVersion));
  const extract: ReleaseNotesExtract = {
    targetVersion: options.targetVersion,
    source: options.source,
    entries,
    fullTokens: countTokens(selected),
    extractTokens: 0,
  };
  extract.extractTokens = countTokens(renderExtract(extract));
  return extract;
}

function prRef(entry: ReleaseNoteEntry): string {
  const number = entry.prUrl ? /\/pull\/(\d+)/.exec(entry.prUrl)?.[1] : undefined;
  const parts = [
    number ? `#${number}` : undefined,
    entry.sigs.length > 0 ? `SIG ${entry.sigs.join(', ')}` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

export function renderEntry(entry: ReleaseNoteEntry): string {
  return `- [${entry.category}] ${entry.text.replace(/\n\s*/g, ' ')}${prRef(entry)}`;
}

export function extractHeader(extract: Pick<ReleaseNotesExtract, 'targetVersion' | 'source'>): string {
  return `Kubernetes ${extract.targetVersion} release notes, upgrade-relevant entries only (source: ${extract.source}). #N = kubernetes/kubernetes pull request.`;
}

/** The extract as prompt text, grouped by section in the order the entries were found. */
export function renderExtract(extract: ReleaseNotesExtract): string {
  const lines = [extractHeader(extract)];
  let section: string | undefined;
  for (const entry of extract.entries) {
    if (entry.section !== section) {
      section = entry.section;
      lines.push('', `## ${section}`);
    }
    lines.push(renderEntry(entry));
  }
  return lines.join('\n');
}
