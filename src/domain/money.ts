// Money in whole micro-dollars (1e-6 USD): the guard's ledger adds and compares integers, so its books never show
// binary noise such as 0.20145600000000002 and a sum of charges equals, to the micro-dollar, what Bedrock bills.

/** An integer number of micro-dollars. */
export type MicroUsd = number;

export const MICROS_PER_USD = 1_000_000;

/** The nearest micro-dollar (for amounts that are known: what a call cost). */
export function usdToMicros(usd: number): MicroUsd {
  return Math.round(usd * MICROS_PER_USD);
}

/** Rounded up to the micro-dollar (for worst cases and limits' headroom: never under-count). */
export function usdToMicrosUp(usd: number): MicroUsd {
  // Binary noise (0.1 + 0.2) must not round a whole number of micros up by one.
  return Math.ceil(Math.round(usd * MICROS_PER_USD * 1_000) / 1_000);
}

/** Micro-dollars back to dollars: the closest double to a number with at most six decimals. */
export function microsToUsd(micros: MicroUsd): number {
  return micros / MICROS_PER_USD;
}

/**
 * `USD 0.0123` (four decimals under one dollar, else two). Never a `$`: Markdown renderers with math support read
 * a pair of dollar signs on one line as inline TeX, which is how the Temporal UI once showed `\(0.0000 spent + \)`.
 */
export function formatMicroUsd(micros: MicroUsd): string {
  const usd = microsToUsd(micros);
  return `USD ${usd.toFixed(usd !== 0 && Math.abs(usd) < 1 ? 4 : 2)}`;
}
