// Splits Kubernetes release notes (a CHANGELOG file, its "# v1.NN.0" section, or a sig-release draft) into entries
// under their section. Copes with what the real files contain: entries indented by one space, nested lists,
// continuation lines, PR-template HTML comments standing in for the note (1.29 #119495), "### title" + paragraph
// known issues, and a Dependencies section that is not release notes at all.

export interface RawEntry {
  /** Canonical section name, e.g. "Urgent Upgrade Notes", "API Change", "Other (Cleanup or Flake)". */
  section: string;
  /** The entry's Markdown, continuation lines included, HTML comments removed. */
  markdown: string;
  /** True when the note was only a PR-template comment (its text is missing from the notes). */
  templateOnly: boolean;
}

const SECTION_NAMES: Array<[RegExp, string]> = [
  [/^urgent upgrade notes/i, 'Urgent Upgrade Notes'],
  [/^known issues/i, 'Known Issues'],
  [/^deprecation/i, 'Deprecation'],
  [/^api change/i, 'API Change'],
  [/^feature/i, 'Feature'],
  [/^documentation/i, 'Documentation'],
  [/^failing test/i, 'Failing Test'],
  [/^bug or regression/i, 'Bug or Regression'],
  [/^other \(cleanup or flake\)/i, 'Other (Cleanup or Flake)'],
  [/^dependencies/i, 'Dependencies'],
  [/^what's new/i, "What's New"],
  [/^changes by kind/i, 'Changes by Kind'],
  [/^changelog since/i, 'Changelog'],
];

function canonicalSection(title: string): string | undefined {
  return SECTION_NAMES.find(([pattern]) => pattern.test(title.trim()))?.[1];
}

/**
 * From a whole CHANGELOG-1.NN.md, the part describing 1.NN.0 against the previous minor. Text without a
 * "# v1.NN.0" heading (an excerpt or a draft) is returned unchanged.
 */
export function selectMinorReleaseSection(markdown: string, targetVersion: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `# v${targetVersion}.0`);
  if (start < 0) return markdown;
  let end = lines.findIndex((l, i) => i > start && /^# v\d+\.\d+/.test(l));
  if (end < 0) end = lines.length;
  const section = lines.slice(start, end);
  // The minor's section also has "Changelog since v1.NN.0-rc.x": keep only the one against the previous minor.
  const sinceMinor = section.findIndex((l) => /^## Changelog since v\d+\.\d+\.0\s*$/.test(l));
  return (sinceMinor >= 0 ? section.slice(sinceMinor) : section).join('\n');
}

function stripComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!--[\s\S]*$/, '');
}

const HEADING = /^(#{1,4})\s+(.+?)\s*$/;
const ENTRY_START = /^ ?[-*] /;

/** Parses Markdown release notes into raw entries (all sections; classification decides what to keep). */
export function parseReleaseNotes(markdown: string): RawEntry[] {
  const entries: RawEntry[] = [];
  let section: string | undefined;
  let current: string[] | undefined;
  let paragraphTitle: string | undefined;
  let inComment = false;

  const flush = () => {
    if (current && section) {
      const raw = current.join('\n');
      const cleaned = stripComments(raw)
        .replace(/^ ?[-*] /, '')
        .replace(/#### Additional documentation[^\n]*:?/i, '')
        .trim();
      const templateOnly = raw.includes('<!--') && /^\(?\[#\d+\]/.test(cleaned);
      if (cleaned !== '') entries.push({ section, markdown: cleaned, templateOnly });
    }
    current = undefined;
  };

  for (const line of markdown.split('\n')) {
    // Track HTML comments so a "# …" or "- …" line inside one is not taken for structure.
    const opens = (line.match(/<!--/g) ?? []).length;
    const closes = (line.match(/-->/g) ?? []).length;
    const heading = !inComment ? HEADING.exec(line) : null;
    if (heading && heading[1] && heading[2] && heading[1].length <= 3) {
      const name = canonicalSection(heading[2]);
      if (name) {
        flush();
        section = name === 'Changes by Kind' || name === 'Changelog' ? undefined : name;
        paragraphTitle = undefined;
      } else if (/^\(no, really/i.test(heading[2])) {
        flush();
      } else if (heading[1].length === 3 && section === 'Known Issues') {
        flush();
        paragraphTitle = heading[2];
      } else if (heading[1].length <= 2) {
        flush();
        section = undefined; // an unknown top-level section (e.g. "Downloads"): not release notes
      }
      if (opens > closes) inComment = true;
      continue;
    }
    if (!inComment && ENTRY_START.test(line)) {
      flush();
      current = [line];
    } else if (line.trim() === '') {
      if (current && !inComment && paragraphTitle !== undefined) flush();
      else if (current) current.push(line);
    } else if (current) {
      current.push(line);
    } else if (section && !inComment) {
      // A paragraph entry (known issues written as "### title" + text).
      current = paragraphTitle ? [`- ${paragraphTitle}: ${line}`] : [`- ${line}`];
    }
    if (opens > closes) inComment = true;
    else if (closes > opens) inComment = false;
  }
  flush();
  return entries.map((e) => ({ ...e, markdown: e.markdown.replace(/\n{2,}/g, '\n').trimEnd() }));
}

const PR_LINK = /\[#(\d+)\]\((https:\/\/github\.com\/[^)\s]+\/pull\/\d+)\)/;
const SIG_SUFFIX = /\[SIG ([^\]]+)\]\s*$/;

/** PR URL, SIGs and the note text without the author/PR/SIG trailer. */
export function entryParts(markdown: string): { text: string; prUrl?: string; prNumber?: string; sigs: string[] } {
  const pr = PR_LINK.exec(markdown);
  const sig = SIG_SUFFIX.exec(markdown);
  const sigs = sig?.[1]
    ? sig[1]
        .split(/,\s*|\s+and\s+/)
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : [];
  const text = markdown
    .replace(SIG_SUFFIX, '')
    .replace(/\s*\((?:\[#\d+\]\([^)]*\)(?:,\s*)?)+(?:,?\s*\[@[^\]]+\]\([^)]*\))*\)\s*$/, '')
    .replace(/\s*\(\[#\d+\][\s\S]*$/, '')
    .trim();
  return { text, prUrl: pr?.[2], prNumber: pr?.[1], sigs };
}
