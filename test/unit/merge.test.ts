// analysis/merge.ts, report/json-stream.ts, report/json-read.ts and the shard comment of an
// interval log: the fleet check's exact messages, results adding up field by field, series on one
// clock, results found in a noisy stream, and a result surviving JSON and back.
import { describe, expect, it } from 'vitest';
import { alignSeries, checkShards, mergeResults, type ShardClaim } from '../../src/analysis/merge.js';
import { jsonDocuments } from '../../src/report/json-stream.js';
import { resultFromJson } from '../../src/report/json-read.js';
import { toJson } from '../../src/report/json.js';
import { shardOfLog } from '../../src/report/hdr-log.js';
import { judgeCriteria } from '../../src/analysis/criteria.js';
import type { Interval } from '../../src/result/series.js';
import type { Result } from '../../src/result/result.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';
import { root, violations } from '../fixtures/schema.js';

const FP = '0123456789abcdef';
const claim = (source: string, index: number, count = 4, fingerprint = FP): ShardClaim => ({ source, shard: { index, count, fingerprint } });

describe('checkShards', () => {
  it('passes a whole fleet in any order', () => {
    expect(() => checkShards([claim('c', 2), claim('a', 0), claim('d', 3), claim('b', 1)], 4)).not.toThrow();
  });

  it('names a missing shard: "shard 2/4 is missing"', () => {
    expect(() => checkShards([claim('a', 0), claim('b', 1), claim('d', 3)], 4)).toThrow(/^shard 2\/4 is missing$/);
  });

  it('names a duplicated shard with both sources', () => {
    expect(() => checkShards([claim('a.json', 0), claim('b.json', 1), claim('c.json', 1), claim('d.json', 2), claim('e.json', 3)], 4)).toThrow(
      /^shard 1\/4 appears twice \(b\.json, c\.json\)$/,
    );
  });

  it('names the shard whose fingerprint differs from the others', () => {
    expect(() => checkShards([claim('a', 0), claim('b', 1), claim('c', 2), claim('d', 3, 4, 'ffffffffffffffff')], 4)).toThrow(
      /^shard 3\/4 \(d\) has fingerprint ffffffffffffffff, the others 0123456789abcdef \(settings differ: check -R, --stages, --arrival, --seed, -d, -n, the URL and the request mix\)$/,
    );
  });

  it('refuses an input without a shard, and a shard of another fleet size, listing every problem on one line', () => {
    const err = (() => {
      try {
        checkShards([{ source: 'plain.json' }, claim('a', 0, 3), claim('b', 1, 2)], 2);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toBe('plain.json is not a shard\'s result (it was run without --shard); a is shard 0/3, not one of 2; shard 0/2 is missing');
  });
});

/** A run of 1000 req/s for `seconds`, started at `startedAt`, with a series of whole seconds. */
function shardResult(index: number, startedAt: string, overrides: Partial<Result> = {}): Result {
  const intervals: Interval[] = [0, 1, 2].map((s) => ({ startNs: s * 1e9, endNs: (s + 1) * 1e9, due: 100, sent: 100, completed: 100, errors: index, status: { '200': 100 - index, '503': index }, p50Ns: 1e6, p99Ns: 2e6 + index, maxNs: 5e6 * (index + 1) }));
  return syntheticResult({
    startedAt,
    durationNs: 3e9,
    scheduled: 300,
    sent: 300,
    completed: 300,
    status: { 200: 300 - 3 * index, 503: 3 * index },
    non2xx3xx: 3 * index,
    errors: { connect: index, read: 0, write: 0, timeout: 2 * index, parse: 0 },
    errorCodes: index === 1 ? { connect: 'ECONNREFUSED' } : {},
    achievedRate: 100,
    bytesRead: 1000 + index,
    bytesWritten: 500,
    config: { url: 'http://127.0.0.1:8080/', method: 'GET', rate: 200, threads: 1, connections: 4, durationNs: 3e9, timeoutNs: 2e9, batchNs: 100e3, connectTimeoutNs: 2e9, pipeline: 1 },
    corrected: histogramOf([[1_000_000 * (index + 1), 290], [50_000_000, 10]]),
    threads: [{ completed: 300, cpuNs: 1e8, perSecond: [100, 100, 100] }],
    targetPerSecond: [100, 100, 100],
    openedPerSecond: [0, index, 0],
    intervals,
    shard: { index, count: 2, fingerprint: FP },
    ...overrides,
  });
}

describe('mergeResults', () => {
  const a = shardResult(0, '2026-12-01T10:00:00.000Z');
  const b = shardResult(1, '2026-12-01T10:00:00.004Z');
  const merged = mergeResults([{ source: 'a.json', value: a }, { source: 'b.json', value: b }]);

  it('adds counts, bytes, errors and status codes, and keeps the first OS error of each kind', () => {
    expect([merged.scheduled, merged.sent, merged.completed, merged.non2xx3xx]).toEqual([600, 600, 600, 3]);
    expect(merged.status).toEqual({ 200: 597, 503: 3 });
    expect(merged.errors).toEqual({ connect: 1, read: 0, write: 0, timeout: 2, parse: 0 });
    expect(merged.errorCodes).toEqual({ connect: 'ECONNREFUSED' });
    expect([merged.bytesRead, merged.bytesWritten]).toEqual([2001, 1000]);
    expect(merged.achievedRate).toBe(200);
    // Each shard records the fleet's -R (200): the merge keeps it, and adds threads and connections.
    expect([merged.config.rate, merged.config.threads, merged.config.connections]).toEqual([200, 2, 8]);
    expect(merged.threads).toHaveLength(2);
    expect(merged.openedPerSecond).toEqual([0, 1, 0]);
    expect(merged.targetPerSecond).toEqual([200, 200, 200]);
  });

  it('adds the histograms bucket by bucket: the merged percentiles are those of every request', () => {
    const union = histogramOf([[1_000_000, 290], [2_000_000, 290], [50_000_000, 20]]);
    expect(merged.corrected.totalCount).toBe(600);
    for (const p of [50, 90, 96, 99, 99.9, 100]) expect(merged.corrected.getValueAtPercentile(p)).toBe(union.getValueAtPercentile(p));
  });

  it('lines the series up on absolute time and adds each second', () => {
    expect(merged.startedAt).toBe('2026-12-01T10:00:00.000Z');
    expect(merged.intervals!.map((i) => [i.startNs, i.endNs, i.sent, i.errors, i.status['503'], i.maxNs, i.p99Ns])).toEqual([
      [0, 1_004_000_000, 200, 1, 1, 10e6, 2e6 + 1],
      [1e9, 2_004_000_000, 200, 1, 1, 10e6, 2e6 + 1],
      [2e9, 3_004_000_000, 200, 1, 1, 10e6, 2e6 + 1],
    ]);
    const sent = merged.intervals!.reduce((t, i) => t + i.sent, 0);
    expect(sent).toBe(merged.sent);
  });

  it('puts a run that started 2 s later two seconds along', () => {
    const late = shardResult(1, '2026-12-01T10:00:02.000Z');
    const m = mergeResults([{ source: 'a', value: a }, { source: 'late', value: late }]);
    expect(m.intervals!.map((i) => [i.startNs / 1e9, i.sent])).toEqual([[0, 100], [1, 100], [2, 200], [3, 100], [4, 100]]);
    expect(m.targetPerSecond).toEqual([100, 100, 200, 100, 100]);
    expect(m.shards!.startSkewNs).toBe(2e9);
  });

  it('records each input in a shards section, and writes JSON the schema accepts', () => {
    expect(merged.shards).toEqual({
      count: 2,
      fingerprint: FP,
      startSkewNs: 4e6,
      inputs: [
        { source: 'a.json', startedAt: a.startedAt, shard: a.shard, sent: 300, completed: 300, errors: 0, achievedRate: 100, p99Ns: a.corrected.getValueAtPercentile(99) },
        { source: 'b.json', startedAt: b.startedAt, shard: b.shard, sent: 300, completed: 300, errors: 3, achievedRate: 100, p99Ns: b.corrected.getValueAtPercentile(99) },
      ],
    });
    expect(violations(toJson(merged), root)).toEqual([]);
  });

  it('merges per-request figures by name', () => {
    const req = (name: string, n: number) => ({ name, weight: 1, sent: n, completed: n, errors: 0, status: { 200: n }, non2xx3xx: 0, corrected: histogramOf([[1e6, n]]) });
    const m = mergeResults([
      { source: 'a', value: shardResult(0, a.startedAt, { requests: [req('home', 10), req('cart', 5)] }) },
      { source: 'b', value: shardResult(1, a.startedAt, { requests: [req('cart', 7), req('home', 1)] }) },
    ]);
    expect(m.requests!.map((r) => [r.name, r.sent, r.status[200], r.corrected.totalCount])).toEqual([['home', 11, 11, 11], ['cart', 12, 12, 12]]);
  });

  it('judges a threshold on the whole: rate against the fleet\'s rate, p99 of every request', () => {
    const outcomes = judgeCriteria(merged, ['rate>=99%', 'p99<10ms', 'non2xx<1%']);
    expect(outcomes.map((o) => [o.criterion.text, o.passed])).toEqual([['rate>=99%', true], ['p99<10ms', false], ['non2xx<1%', true]]);
  });

  it('refuses nothing to merge', () => {
    expect(() => mergeResults([])).toThrow('merge: no results to merge');
  });
});

describe('alignSeries', () => {
  it('keeps every interval of a lone input, and their sum', () => {
    const intervals: Interval[] = [{ startNs: 0, endNs: 1.2e9, due: 3, sent: 3, completed: 2, errors: 0, status: { '200': 2 }, p50Ns: 1, p99Ns: 2, maxNs: 3 }];
    expect(alignSeries([{ offsetNs: 0, intervals }])).toEqual(intervals);
  });
});

describe('jsonDocuments', () => {
  const doc = (n: number) => JSON.stringify({ schema: 'ratetest/result/v1', n, text: 'a } brace and a "quote" {' }, null, 2);

  it('finds concatenated documents among other lines, and a prefix kubectl logs --prefix adds', () => {
    const prefixed = doc(2).split('\n').map((line) => `[pod/ratetest-1-x7k2p/ratetest] ${line}`).join('\n');
    const text = `Running 10s test @ http://x/\n  {not json\n${doc(1)}\nThresholds failed:\n${prefixed}\n{"level":"info"}\n`;
    const { documents, unparsed } = jsonDocuments(text);
    expect(documents.map((d) => (d as { n?: number }).n ?? (d as { level: string }).level)).toEqual([1, 2, 'info']);
    expect(unparsed).toBe(0);
  });

  it('skips a document cut short and still finds the next', () => {
    const cut = doc(1).slice(0, 40);
    const { documents, unparsed } = jsonDocuments(`${cut}\n${doc(2)}\n`);
    expect(documents).toEqual([JSON.parse(doc(2))]);
    expect(unparsed).toBe(1);
  });
});

describe('resultFromJson', () => {
  it('reads a result back to the same JSON', () => {
    const json = toJson(shardResult(1, '2026-12-01T10:00:00.000Z'));
    expect(toJson(resultFromJson(JSON.parse(JSON.stringify(json))))).toEqual(json);
  });
});

describe('shardOfLog', () => {
  it('reads the shard comment of a log header', () => {
    const log = '#ratetest GET http://x/ at 100 req/s\n#[Shard: 2/4 fingerprint=0123456789abcdef startAt=2026-12-01T10:00:00.000Z]\n#[Histogram log format version 1.3]\n';
    expect(shardOfLog(log)).toEqual({ index: 2, count: 4, fingerprint: FP, startAt: '2026-12-01T10:00:00.000Z' });
    expect(shardOfLog('#[Histogram log format version 1.3]\n')).toBeUndefined();
  });
});
