// wrk-format.ts: wrk2's number formats (src/units.c and print_units in src/wrk.c), reproduced
// exactly so scripts that parse wrk2's output parse ratetest's.

interface Units {
  scale: number;
  base: string;
  units: string[];
}

const TIME_US: Units = { scale: 1000, base: 'us', units: ['ms', 's'] };
const TIME_S: Units = { scale: 60, base: 's', units: ['m', 'h'] };
const BINARY: Units = { scale: 1024, base: '', units: ['K', 'M', 'G', 'T', 'P'] };
const METRIC: Units = { scale: 1000, base: '', units: ['k', 'M', 'G', 'T', 'P'] };

// wrk moves to the next unit at 85% of it (850us -> 0.85ms) and never to the last unit listed.
function formatUnits(n: number, m: Units, precision: number): string {
  let amount = n;
  let unit = m.base;
  const threshold = m.scale * 0.85;
  for (let i = 0; i + 1 < m.units.length && amount >= threshold; i++) {
    amount /= m.scale;
    unit = m.units[i]!;
  }
  return `${amount.toFixed(precision)}${unit}`;
}

export function formatBinary(n: number): string {
  return formatUnits(n, BINARY, 2);
}

export function formatMetric(n: number): string {
  return formatUnits(n, METRIC, 2);
}

/** wrk's format_time_us: microseconds in, "520.10us" / "1.22ms" / "2.00s" / "1.50m" out. */
export function formatTimeUs(us: number): string {
  if (us >= 1_000_000) return formatUnits(us / 1_000_000, TIME_S, 2);
  return formatUnits(us, TIME_US, 2);
}

/** wrk's format_time_s, for "Running 10s test": whole seconds, minutes or hours. */
export function formatTimeS(seconds: number): string {
  return formatUnits(seconds, TIME_S, 0);
}

/** wrk's print_units: right-aligns in `width`, padding unit-less numbers so columns line up. */
export function padUnits(text: string, width: number): string {
  const isAlpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
  let pad = 2;
  if (isAlpha(text[text.length - 1])) pad--;
  if (isAlpha(text[text.length - 2])) pad--;
  const w = width - pad;
  return text.slice(0, w).padStart(w) + '  '.slice(0, pad);
}
