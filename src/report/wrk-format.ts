// wrk-format.ts: wrk2's number formats (src/units.c, print_units in src/wrk.c) and the printf
// rounding they rely on, reproduced exactly so scripts that parse wrk2's output parse ratetest's.
import { atLeast, divide, fromNumber, toFixed as ldFixed, type LongDouble } from './long-double.js';

interface Units {
  scale: number;
  base: string;
  units: string[];
}

const TIME_US: Units = { scale: 1000, base: 'us', units: ['ms', 's'] };
const TIME_S: Units = { scale: 60, base: 's', units: ['m', 'h'] };
const BINARY: Units = { scale: 1024, base: '', units: ['K', 'M', 'G', 'T', 'P'] };
const METRIC: Units = { scale: 1000, base: '', units: ['k', 'M', 'G', 'T', 'P'] };

/**
 * C's printf("%.*f", digits, x) for a double: the exact value rounded half to even, where
 * JavaScript's toFixed rounds a tie away from zero (1,179,648 bytes is 1.125 MB: wrk2 prints
 * "1.12MB", toFixed "1.13"). Infinity prints "inf", as in the last line of a percentile spectrum.
 */
export function printfFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return (x < 0 ? '-' : '') + ldFixed(fromNumber(Math.abs(x)), digits);
}

// format_units, in long double as wrk2 computes it: moves to the next unit at 85% of it
// (850us -> 0.85ms) and never to the last unit listed (time_us tops out at ms; format_time_us
// switches to the seconds table itself).
function formatUnits(n: LongDouble, m: Units, precision: number): string {
  let amount = n;
  let unit = m.base;
  const threshold = m.scale * 0.85; // a double in C too: int * 0.85
  for (let i = 0; i + 1 < m.units.length && atLeast(amount, threshold); i++) {
    amount = divide(amount, m.scale);
    unit = m.units[i]!;
  }
  return `${ldFixed(amount, precision)}${unit}`;
}


// Values reach the formats as doubles or, where wrk2 computed them in long double, as LongDouble.
// A negative or non-finite double (never expected) prints as a plain number instead of throwing.
const ld = (n: number | LongDouble): LongDouble => (typeof n === 'number' ? fromNumber(n) : n);

/** format_binary: 1024-based, "677.46K" (wrk2 appends the "B" itself). */
export function formatBinary(n: number | LongDouble): string {
  return typeof n === 'number' && !(n >= 0 && n < Infinity) ? printfFixed(n, 2) : formatUnits(ld(n), BINARY, 2);
}

/** format_metric: 1000-based, "1.05k". */
export function formatMetric(n: number | LongDouble): string {
  return typeof n === 'number' && !(n >= 0 && n < Infinity) ? printfFixed(n, 2) : formatUnits(ld(n), METRIC, 2);
}

/** format_time_us: microseconds in, "520.10us" / "1.22ms" / "2.00s" / "1.50m" out. */
export function formatTimeUs(us: number | LongDouble): string {
  if (typeof us === 'number' && !(us >= 0 && us < Infinity)) return `${printfFixed(us, 2)}us`;
  const n = ld(us);
  if (atLeast(n, 1_000_000)) return formatUnits(divide(n, 1_000_000), TIME_S, 2);
  return formatUnits(n, TIME_US, 2);
}

/** format_time_s, for "Running 10s test": whole seconds, minutes or hours. */
export function formatTimeS(seconds: number): string {
  if (!(seconds >= 0 && seconds < Infinity)) return `${printfFixed(seconds, 0)}s`;
  return formatUnits(ld(seconds), TIME_S, 0);
}

/**
 * print_units: printf("%*.*s%.*s", width - pad, width - pad, text, pad, "  "), where pad is 2 less
 * one for each of the last two characters that is a letter, so "500.00", "1.05k" and "1.22ms" end in
 * the same column.
 */
export function padUnits(text: string, width: number): string {
  const isAlpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
  let pad = 2;
  if (isAlpha(text[text.length - 1])) pad--;
  if (isAlpha(text[text.length - 2])) pad--;
  const w = width - pad;
  return text.slice(0, w).padStart(w) + '  '.slice(0, pad);
}

/** print_stats: printf("    %-10s", name), mean, stdev and max through print_units (widths 8, 10, 9), then "%8.2Lf%%". */
export function statsRow(
  name: string,
  row: { mean: LongDouble; stdev: LongDouble; max: LongDouble; within: LongDouble },
  format: (n: LongDouble) => string,
): string {
  const cells = padUnits(format(row.mean), 8) + padUnits(format(row.stdev), 10) + padUnits(format(row.max), 9);
  return `    ${name.padEnd(10)}${cells}${ldFixed(row.within, 2).padStart(8)}%`;
}
