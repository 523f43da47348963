// Formatting shared by every renderer (CLI text, Markdown reports, the Web UI's details, log messages), so the
// same amount or table reads the same everywhere.

/** US dollars: four decimals under $1 (a Bedrock call costs fractions of a cent), two from $1 up; zero is $0.00. */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 1 ? 4 : 2)}`;
}

/** One Markdown table cell: pipes escaped and line breaks folded, so a value cannot break the table. */
export function markdownCell(value: string | number | undefined): string {
  return String(value ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table, as lines: header, separator, one line per row. */
export function markdownTable(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>,
): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(markdownCell).join(' | ')} |`),
  ];
}
