// Splits an extract that is still too large for one prompt into chunks under a token budget. Nothing is dropped:
// entries are packed whole; an entry larger than the budget is cut at line or sentence boundaries, each piece
// marked "(part i/n)". The analyses of the chunks are merged by the caller (the analysis activities).
import type { ReleaseNotesExtract } from '../evidence';
import { extractHeader, renderEntry } from './extract';
import { countTokens } from './tokens';

export interface ExtractChunk {
  index: number;
  total: number;
  text: string;
  tokens: number;
  /** Indexes into extract.entries covered by this chunk (a split entry appears in several chunks). */
  entryIndexes: number[];
}

function splitOversized(text: string, budget: number): string[] {
  const pieces: string[] = [];
  let buffer = '';
  const units = text.split(/(?<=[.;:!?])\s+|\n/);
  for (const unit of units) {
    const candidate = buffer === '' ? unit : `${buffer} ${unit}`;
    if (countTokens(candidate) <= budget) {
      buffer = candidate;
      continue;
    }
    if (buffer !== '') pieces.push(buffer);
    if (countTokens(unit) <= budget) {
      buffer = unit;
      continue;
    }
    // A single sentence over budget: cut by characters (≈3 chars/token), never drop.
    const step = Math.max(16, budget * 3);
    for (let i = 0; i < unit.length; i += step) pieces.push(unit.slice(i, i + step));
    buffer = '';
  }
  if (buffer !== '') pieces.push(buffer);
  return pieces;
}

export function chunkExtract(extract: ReleaseNotesExtract, maxTokensPerChunk: number): ExtractChunk[] {
  const header = extractHeader(extract);
  const headerTokens = countTokens(header) + 16; // room for "(chunk i/n)" and section lines
  const budget = maxTokensPerChunk - headerTokens;
  if (budget < 32)
    throw new Error(
      `maxTokensPerChunk ${maxTokensPerChunk} is too small: the header alone needs ${headerTokens} tokens`,
    );
  const units: Array<{ entryIndex: number; section: string; line: string }> = [];
  extract.entries.forEach((entry, entryIndex) => {
    const line = renderEntry(entry);
    if (countTokens(line) + countTokens(`## ${entry.section}`) <= budget) {
      units.push({ entryIndex, section: entry.section, line });
      return;
    }
    const parts = splitOversized(line, budget - countTokens(`## ${entry.section}`) - 8);
    parts.forEach((part, i) =>
      units.push({ entryIndex, section: entry.section, line: `${part} (part ${i + 1}/${parts.length})` }),
    );
  });
  const groups: Array<typeof units> = [];
  let currentGroup: typeof units = [];
  let used = 0;
  for (const unit of units) {
    const cost =
      countTokens(unit.line) +
      (currentGroup.at(-1)?.section === unit.section ? 0 : countTokens(`## ${unit.section}`) + 1) +
      1;
    if (currentGroup.length > 0 && used + cost > budget) {
      groups.push(currentGroup);
      currentGroup = [];
      used = countTokens(`## ${unit.section}`) + 1;
    }
    currentGroup.push(unit);
    used += cost;
  }
  if (currentGroup.length > 0 || groups.length === 0) groups.push(currentGroup);
  return groups.map((group, index) => {
    const lines = [`${header} (chunk ${index + 1}/${groups.length})`];
    let section: string | undefined;
    for (const unit of group) {
      if (unit.section !== section) {
        section = unit.section;
        lines.push('', `## ${section}`);
      }
      lines.push(unit.line);
    }
    const text = lines.join('\n');
    return {
      index,
      total: groups.length,
      text,
      tokens: countTokens(text),
      entryIndexes: [...new Set(group.map((u) => u.entryIndex))],
    };
  });
}
