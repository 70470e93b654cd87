// units.ts: durations, rates and counts as people type them ("30s", "2m", "20k"), and back.
// Parsers take the flag name so every message names what the user typed.
import { UsageError } from './errors.js';

const DURATION_UNITS_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)$/;

/** "500ms", "30s", "2m", "1h", "1.5s"; a bare number is seconds (as in wrk). Returns nanoseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ns|us|ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} must be a duration like 30s, 2m or 500ms, got "${text}"`);
  const ns = Math.round(Number(match[1]) * DURATION_UNITS_NS[match[2] ?? 's']!);
  return ns;
}

const RATE_MULTIPLIERS: Record<string, number> = { '': 1, k: 1e3, m: 1e6 };

/** "20000", "20k", "1.5k", "1m" (million). Returns a number per second. */
export function parseRate(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)([kKmM]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} must be a number like 2000, 20k or 1.5m, got "${text}"`);
  return Number(match[1]) * RATE_MULTIPLIERS[match[2]!.toLowerCase()]!;
}

/** A whole number, with an optional k/m multiplier: "100", "10k". */
export function parseCount(text: string, flag: string): number {
  const value = NUMBER.test(text.trim()) || /^\d+(?:\.\d+)?[kKmM]$/.test(text.trim()) ? parseRate(text, flag) : NaN;
  if (!Number.isInteger(value)) throw new UsageError(`${flag} must be a whole number like 100 or 10k, got "${text}"`);
  return value;
}

/** The shortest form parseDuration reads back as the same value ("10s", "2m", "100us"), for help text. */
export function formatDurationShort(ns: number): string {
  // Largest unit that divides exactly, so 90s stays "90s" rather than becoming "1.5m".
  for (const unit of ['h', 'm', 's', 'ms', 'us'] as const) {
    const size = DURATION_UNITS_NS[unit]!;
    if (ns !== 0 && ns % size === 0) return `${ns / size}${unit}`;
  }
  return `${ns}ns`;
}
