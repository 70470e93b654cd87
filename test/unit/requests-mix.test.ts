import { describe, expect, it } from 'vitest';
import { MAX_MIX, weightedMix, wholeWeights } from '../../src/requests/mix.js';

const counts = (mix: number[]) => mix.reduce<Record<number, number>>((c, i) => ({ ...c, [i]: (c[i] ?? 0) + 1 }), {});

describe('weightedMix', () => {
  it('gives each request exactly its share of every mix-length run of requests', () => {
    expect(counts(weightedMix([90, 10]))).toEqual({ 0: 9, 1: 1 });
    expect(counts(weightedMix([5, 3, 2]))).toEqual({ 0: 5, 1: 3, 2: 2 });
  });

  it('spreads the minority evenly (smooth round-robin), never bunched at the end', () => {
    expect(weightedMix([3, 1])).toEqual([0, 0, 1, 0]);
    const mix = weightedMix([1, 1, 2]);
    expect(mix).toEqual([2, 0, 1, 2]);
  });

  it('reduces weights to whole numbers with the same ratios', () => {
    expect(wholeWeights([0.9, 0.1])).toEqual([9, 1]);
    expect(wholeWeights([50, 25, 25])).toEqual([2, 1, 1]);
    expect(wholeWeights([7])).toEqual([1]);
  });

  it('refuses weights with more than 3 decimals, and mixes longer than the cap', () => {
    expect(() => wholeWeights([0.0001, 1])).toThrow('weights may have at most 3 decimals, got 0.0001, 1');
    expect(() => weightedMix([MAX_MIX, 1])).toThrow(`the weights ${MAX_MIX}, 1 need a mix of ${MAX_MIX + 1} requests, more than ${MAX_MIX}; use simpler ratios such as 90 and 10`);
  });
});
