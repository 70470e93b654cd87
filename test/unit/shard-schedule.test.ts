// Shards of one schedule, on a fake clock (native scheduleForTest takes a lane: stride, offset).
// Shard I of N with T threads runs lanes (N*T, I + N*i); the union over every shard's lanes is the
// unsharded schedule, request for request and nanosecond for nanosecond, whatever the split.
import { describe, expect, it } from 'vitest';
import { loadTestAddon } from '../native-test-addon.js';
import { loadAddon } from '../../src/addon/native.js';
import { rampsOf } from '../../src/config/stages.js';
import { parseShard } from '../../src/config/shape.js';

const addon = loadTestAddon();
const production = loadAddon();
type Shape = Parameters<typeof addon.scheduleForTest>[4];

/** [global k, intended ns] of every request of the lanes, stopping where the shape ends. */
function lanes(rate: number, list: { stride: number; offset: number }[], count: number, shape: Shape): [number, number][] {
  const out: [number, number][] = [];
  for (const { stride, offset } of list) {
    const { intendedNs } = addon.scheduleForTest(rate, stride, offset, count, shape);
    intendedNs.forEach((t, n) => {
      if (t >= 0) out.push([n * stride + offset, t]);
    });
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The lanes of a fleet of shards, shard I with threads[I] threads. */
function fleet(threads: number[]): { stride: number; offset: number }[] {
  const n = threads.length;
  return threads.flatMap((t, shard) => Array.from({ length: t }, (_, i) => ({ stride: n * t, offset: shard + n * i })));
}

const unsharded = (threads: number) => Array.from({ length: threads }, (_, i) => ({ stride: threads, offset: i }));

describe('--shard I/N: the union over shards is the unsharded schedule', () => {
  const cases: [string, number, Shape][] = [
    ['a constant rate', 1000, undefined],
    ['stages', 1, { stages: rampsOf([{ durationMs: 1000, rate: 2000 }, { durationMs: 500, rate: 500 }]) }],
    ['Poisson arrivals', 5000, { poisson: true, seed: 11 }],
    ['Poisson over stages', 1, { poisson: true, seed: 4, stages: rampsOf([{ durationMs: 1000, rate: 3000 }]) }],
  ];
  for (const [name, rate, shape] of cases) {
    it(`${name}: 4 shards of 1, 2, 3 and 1 threads send every global k once, each at the unsharded time`, () => {
      const count = 400;
      const whole = lanes(rate, unsharded(2), count * 4, shape);
      const split = lanes(rate, fleet([1, 2, 3, 1]), count * 3, shape);
      const upTo = Math.min(whole.length, split.length, 1000);
      expect(upTo).toBeGreaterThan(500);
      // Every k from 0 appears once, at the same intended time as without shards.
      expect(split.slice(0, upTo).map(([k]) => k)).toEqual(Array.from({ length: upTo }, (_, k) => k));
      expect(split.slice(0, upTo)).toEqual(whole.slice(0, upTo));
    });
  }

  it('shard I keeps exactly the k = I (mod N); thread i of T the k = I + N*i (mod N*T)', () => {
    for (const [shard, t] of [[0, 1], [2, 3]] as const) {
      for (let i = 0; i < t; i++) {
        const own = lanes(1000, [{ stride: 4 * t, offset: shard + 4 * i }], 50, undefined).map(([k]) => k);
        expect(own.every((k) => k % 4 === shard && k % (4 * t) === shard + 4 * i)).toBe(true);
        expect(own).toHaveLength(50);
      }
    }
  });

  it('-n: the shards\' shares of the request limit add up to it, and a shard past it sends none', () => {
    const plan = { rate: 1000, durationNs: 365 * 24 * 3600e9, maxRequests: 10 };
    const shares = [0, 1, 2, 3].map((i) => production.scheduleFigures({ ...plan, shardIndex: i, shardCount: 4 }, new Float64Array(0)).totalDue);
    expect(shares).toEqual([3, 3, 2, 2]);
    const tiny = [0, 1, 2, 3].map((i) => production.scheduleFigures({ ...plan, maxRequests: 2, shardIndex: i, shardCount: 4 }, new Float64Array(0)).totalDue);
    expect(tiny).toEqual([1, 1, 0, 0]);
  });

  it('each shard is scheduled 1/N of the fleet\'s target at every time', () => {
    const plan = { rate: 1, durationNs: 2e9, stages: rampsOf([{ durationMs: 2000, rate: 1000 }]) };
    const times = Float64Array.from([0.5e9, 1e9, 2e9]);
    const whole = production.scheduleFigures(plan, times).dueAt;
    const sum = [0, 1, 2].map((i) => production.scheduleFigures({ ...plan, shardIndex: i, shardCount: 3 }, times).dueAt);
    times.forEach((_, q) => expect(sum.reduce((a, d) => a + d[q]!, 0)).toBeCloseTo(whole[q]!, 6));
  });
});

describe('--shard parsing', () => {
  it('takes I/N, 0-based', () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
  });
  for (const bad of ['4/4', 'x', '1/0', '-1/4', '1/', '2']) {
    it(`refuses "${bad}": --shard must look like I/N with 0 <= I < N, e.g. 0/4, got "${bad}"`, () => {
      expect(() => parseShard(bad)).toThrow(`--shard must look like I/N with 0 <= I < N, e.g. 0/4, got "${bad}"`);
    });
  }
});
