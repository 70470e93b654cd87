// mix.ts: which request of a weighted mix each request number sends. The pump reads
// mix[k % mix.length] for global request k, so the mix is exact over every mix.length requests
// across all threads, with no shared counter and no randomness to wait out.
import { UsageError } from '../common/errors.js';

/** Longest mix table: weights whose ratio needs more slots than this are refused. */
export const MAX_MIX = 100_000;

/** Weights as the smallest whole numbers with the same ratios (up to 3 decimals: 0.9 and 0.1 -> 9 and 1). */
export function wholeWeights(weights: number[]): number[] {
  for (let scale = 1; scale <= 1000; scale *= 10) {
    const scaled = weights.map((w) => w * scale);
    if (scaled.every((w) => Math.abs(w - Math.round(w)) < 1e-9 * Math.max(1, w))) {
      const whole = scaled.map(Math.round);
      const divisor = whole.reduce(gcd);
      return whole.map((w) => w / divisor);
    }
  }
  throw new UsageError(`weights may have at most 3 decimals, got ${weights.join(', ')}`);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Smooth weighted round-robin (as nginx balances upstreams): each turn every request gains its
 * weight and the one with the most credit goes and pays back the total. Weights 3 and 1 give
 * A A B A, never A A A B: the minority is spread evenly through the table.
 */
export function weightedMix(weights: number[]): number[] {
  const whole = wholeWeights(weights);
  const total = whole.reduce((a, b) => a + b, 0);
  if (total > MAX_MIX) {
    throw new UsageError(`the weights ${weights.join(', ')} need a mix of ${total} requests, more than ${MAX_MIX}; use simpler ratios such as 90 and 10`);
  }
  const credit = whole.map(() => 0);
  const mix: number[] = [];
  for (let turn = 0; turn < total; turn++) {
    let best = 0;
    for (let i = 0; i < whole.length; i++) {
      credit[i]! += whole[i]!;
      if (credit[i]! > credit[best]!) best = i;
    }
    credit[best]! -= total;
    mix.push(best);
  }
  return mix;
}
