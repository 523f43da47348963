// Exit codes and usage errors shared by every command (PRODUCT.md: 0 success, 1 failure, 2 bad usage or input;
// `scan` adds 3 for a removed API in use).

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad usage or input: exit 2 with a message naming the flag and what would be accepted. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly flag?: string,
  ) {
    super(flag && !message.includes(flag) ? `${flag}: ${message}` : message);
  }
}

export const OUTPUT_FORMATS = ['text', 'json', 'md'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Checks a --format value against what the command supports. */
export function parseFormat(
  value: string | undefined,
  allowed: readonly OutputFormat[] = OUTPUT_FORMATS,
  flag = '--format',
): OutputFormat {
  const format = (value ?? allowed[0] ?? 'text').toLowerCase();
  if (!(allowed as readonly string[]).includes(format)) {
    throw new UsageError(`'${value}' is not a supported format; use one of ${allowed.join(', ')}`, flag);
  }
  return format as OutputFormat;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `30m`, `1h`, `7d`, `1500ms` (or a bare number of milliseconds) to milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match?.[1])
    throw new UsageError(`'${value}' is not a duration; use e.g. 90s, 30m, 1h, 7d or a number of milliseconds`, flag);
  const unit = (match[2] ?? 'ms').toLowerCase();
  return Math.round(Number(match[1]) * (DURATION_UNITS[unit] ?? 1));
}

/** A short human form of a duration in ms: 45s, 30m, 1h30m, 2d. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
