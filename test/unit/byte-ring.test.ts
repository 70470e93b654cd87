// native/byte_ring.h through a test-only entry point: records of every size go in and come out
// whole and in order, across wrap-arounds and the skipped tail a record too long for it leaves.
import { describe, expect, it } from 'vitest';
import { loadTestAddon } from '../native-test-addon.js';

const { byteRingForTest } = loadTestAddon();

function records(count: number, size: (i: number) => number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size(i), i % 251));
}

describe('ByteRing', () => {
  it('passes records through unchanged, in order, when they all fit', () => {
    const input = records(10, (i) => i * 7);
    const { records: out, refused } = byteRingForTest(4096, input);
    expect(refused).toBe(0);
    expect(out).toEqual(input);
  });

  it('wraps around many times, skipping the tail of the block when a record would not fit there', () => {
    // Sizes that are not multiples of 8 and do not divide the capacity: every wrap leaves a tail.
    const input = records(2000, (i) => 1 + ((i * 37) % 300));
    const { records: out, refused, queuedAfter } = byteRingForTest(1024, input);
    expect(refused).toBeGreaterThan(500);
    expect(queuedAfter).toBe(0);
    expect(out).toHaveLength(input.length);
    out.forEach((record, i) => expect(record.equals(input[i]!)).toBe(true));
  });

  it('takes an empty record and one of exactly the largest size (half the ring less its header)', () => {
    const input = [Buffer.alloc(0), Buffer.alloc(512 - 8, 1), Buffer.alloc(3, 2)];
    expect(byteRingForTest(1024, input).records).toEqual(input);
  });

  it('refuses a record larger than half the ring', () => {
    expect(() => byteRingForTest(1024, [Buffer.alloc(600)])).toThrow(/larger than the ring/);
  });
});
