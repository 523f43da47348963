// The EKS per-version notes (the user guide's kubernetes-versions-standard.adoc / -extended.adoc, AsciiDoc): the
// "== Kubernetes 1.NN" section's bullets and "=== …" subsections become entries, so EKS-specific changes (AL2 end,
// anonymous-auth limits, beta APIs EKS enables) reach the analysis beside the upstream notes.
import type { ReleaseNoteEntry } from '../evidence';
import { categorize } from './classify';

export const EKS_NOTES_SECTION = 'EKS version notes';

/** Plain text from AsciiDoc inline markup: links, cross references, attributes, emphasis. */
function plain(text: string): string {
  return text
    .replace(/link:[^[\s]+\["?([^"\]]+)"?[^\]]*\]/g, '$1')
    .replace(/https?:\/\/[^[\s]+\[([^\]]*)\]/g, '$1')
    .replace(/<<([^,>]+)(?:,([^>]+))?>>/g, (_m, id: string, label?: string) => label ?? id)
    .replace(/\{aws\}/g, 'AWS')
    .replace(/\[\.noloc\]/g, '')
    .replace(/(^|\s)[*_]{1,2}([^*_]+)[*_]{1,2}/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The section for one minor, or undefined when the file does not cover it. */
export function eksVersionSection(adoc: string, version: string): string | undefined {
  const lines = adoc.split('\n');
  const heading = new RegExp(`^==\\s+(?:\\[\\.noloc\\])?\`?Kubernetes\`?\\s+${version.replace('.', '\\.')}\\s*$`);
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return undefined;
  let end = lines.findIndex((l, i) => i > start && /^==\s/.test(l));
  if (end < 0) end = lines.length;
  // Drop the next section's anchor line ("[#kubernetes-1-31]") that precedes its heading.
  return lines
    .slice(start + 1, end)
    .filter((l) => !/^\[#[^\]]+\]\s*$/.test(l))
    .join('\n');
}

export function extractEksVersionNotes(adoc: string, version: string): ReleaseNoteEntry[] {
  const section = eksVersionSection(adoc, version);
  if (section === undefined) return [];
  const entries: string[] = [];
  let current: string[] | undefined;
  let subsection: string | undefined;
  const flush = () => {
    if (current && current.length > 0) entries.push(plain(current.join(' ')));
    current = undefined;
  };
  for (const line of section.split('\n')) {
    const trimmed = line.trim();
    if (/^===\s/.test(trimmed)) {
      flush();
      subsection = trimmed.replace(/^===\s+/, '');
      current = [`${subsection}:`];
      continue;
    }
    if (/^\*\s/.test(trimmed)) {
      if (!(subsection && current)) flush();
      current = [...(current ?? []), trimmed.replace(/^\*\s+/, '')];
      continue;
    }
    if (/^\*\*\s/.test(trimmed)) {
      current?.push(trimmed.replace(/^\*\*\s+/, ''));
      continue;
    }
    if (trimmed === '' || /^(={4}|\[[A-Z]+\]|\[\[.*\]\]$|NOTE:|For the complete)/.test(trimmed)) {
      if (trimmed === '' && !subsection) flush();
      continue;
    }
    if (subsection && current)
      current.push(trimmed); // subsection prose
    else if (!/is now available in Amazon EKS/.test(trimmed)) {
      flush();
      current = [trimmed];
    }
  }
  flush();
  // Every EKS note is upgrade-relevant; without a stronger signal it is a change of behaviour.
  return entries
    .filter((t) => t.length > 0 && !/^[^:]+:$/.test(t) && !/^For the complete/.test(t))
    .map((text) => ({ category: categorize(text, 'default-change'), section: EKS_NOTES_SECTION, text, sigs: [] }));
}
