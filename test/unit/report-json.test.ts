import { readFileSync } from 'node:fs';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { iterateRecorded } from '../../src/result/histogram.js';
import { JSON_SCHEMA_ID, toJson } from '../../src/report/json.js';
import { histogramOf, spreadHistogram, syntheticResult } from '../fixtures/result.js';
import { root, violations } from '../fixtures/schema.js';

const docs = readFileSync(new URL('../../docs/json.md', import.meta.url), 'utf8');

/** What a consumer sees: the JSON text parsed back. */
const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

/** A run that failed its self-check with every optional field present. */
const troubled = () =>
  syntheticResult({
    notSent: 80,
    errors: { connect: 9, read: 1, write: 0, timeout: 2, parse: 3 },
    errorCodes: { connect: 'ECONNREFUSED', read: 'ECONNRESET' },
    status: { 200: 9900, 503: 15 },
    non2xx3xx: 15,
    sendLag: histogramOf([[0, 5000], [3_000_000, 5000]]),
    interrupted: true,
  });

describe('JSON result', () => {
  it('validates against schema/result.schema.json: a healthy run and a troubled one', () => {
    expect(violations(roundTrip(toJson(syntheticResult())), root)).toEqual([]);
    expect(violations(roundTrip(toJson(troubled())), root)).toEqual([]);
  });

  it('validates an https run: the tls section with its handshake histogram, and a unix socket in config', () => {
    const tls = { handshakes: 3, resumed: 2, errors: { handshake: 0, verify: 4 }, firstError: 'certificate verify failed: certificate has expired', handshake: histogramOf([[900_000, 3]]) };
    const result = syntheticResult({ tls, config: { ...syntheticResult().config, pipeline: 4, unixSocket: '/run/app.sock' } });
    const json = roundTrip(toJson(result));
    expect(violations(json, root)).toEqual([]);
    expect((json.tls as { handshake: { count: number } }).handshake.count).toBe(3);
    expect((json.tls as { errors: unknown }).errors).toEqual({ handshake: 0, verify: 4 });
  });

  it('the schema check catches a wrong document', () => {
    const json = roundTrip(toJson(syntheticResult()));
    json.completed = 'many';
    delete json.errors;
    json.extra = 1;
    (json.latency as { corrected: { percentilesNs: Record<string, unknown> } }).corrected.percentilesNs['99'] = 1.5;
    (json.selfCheck as Record<string, unknown>).verdict = 'gremlins';
    expect(violations(json, root).sort()).toEqual(
      [
        '$.errors: missing',
        '$.completed: not integer',
        '$.extra: not allowed',
        '$.latency.corrected.percentilesNs.99: not integer',
        '$.selfCheck.verdict: not one of ["kept-schedule","small-send-lag","slow-server","dead-server","connect-errors","script-fell-behind","connection-resets","too-few-connections","generator-cpu-bound","machine-stalled"]',
      ].sort(),
    );
  });

  it('is versioned', () => {
    expect(toJson(syntheticResult()).schema).toBe('ratetest/result/v1');
    expect(JSON_SCHEMA_ID).toBe(root.$id);
  });

  it('gives each latency series in nanoseconds, named with their unit', () => {
    const { corrected } = toJson(syntheticResult()).latency;
    expect({ ...corrected, histogram: '…' }).toEqual({
      count: 10_000,
      minNs: 999_936, // 1 ms's bucket: 999,936 to 1,000,447
      maxNs: 10_002_431, // 10 ms's bucket: 9,994,240 to 10,002,431
      meanNs: 1_180_190.72, // from each bucket's middle value, as HdrHistogram computes it
      stdevNs: expect.closeTo(931_289.954, 3) as number,
      percentilesNs: { '50': 1_000_447, '75': 1_000_447, '90': 1_000_447, '99': 2_000_895, '99.9': 10_002_431, '99.99': 10_002_431, '99.999': 10_002_431, '100': 10_002_431 },
      histogram: '…',
    });
  });

  it('keeps a minimum of 0 (a request written exactly on time)', () => {
    const { sendLag } = toJson(troubled()).latency;
    expect(sendLag.minNs).toBe(0);
    expect(sendLag.maxNs).toBe(sendLag.percentilesNs['100']);
  });

  it('summarises an empty series as zeros', () => {
    const empty = histogramOf([]);
    const { corrected } = toJson(syntheticResult({ corrected: empty })).latency;
    expect({ ...corrected, histogram: typeof corrected.histogram }).toEqual({
      count: 0,
      minNs: 0,
      maxNs: 0,
      meanNs: 0,
      stdevNs: 0,
      percentilesNs: { '50': 0, '75': 0, '90': 0, '99': 0, '99.9': 0, '99.99': 0, '99.999': 0, '100': 0 },
      histogram: 'string',
    });
    expect(decodeFromCompressedBase64(corrected.histogram).totalCount).toBe(0);
  });

  it('carries each histogram whole: it decodes to the same count, buckets and percentiles', () => {
    const result = syntheticResult({ corrected: spreadHistogram() });
    const json = roundTrip(toJson(result)) as unknown as ReturnType<typeof toJson>;
    for (const series of ['corrected', 'uncorrected', 'sendLag'] as const) {
      const decoded = decodeFromCompressedBase64(json.latency[series].histogram);
      expect(decoded.totalCount, series).toBe(result[series].totalCount);
      expect([...iterateRecorded(decoded)], series).toEqual([...iterateRecorded(result[series])]);
      for (const [p, ns] of Object.entries(json.latency[series].percentilesNs)) expect(decoded.getValueAtPercentile(Number(p)), `${series} p${p}`).toBe(ns);
    }
  });

  it('carries the self-check verdict with its figures', () => {
    const check = toJson(troubled()).selfCheck;
    expect(check).toMatchObject({ ok: false, verdict: 'connect-errors', notSentPercent: 0.8, queuedPercent: 0, sendLagP99Ns: 3_000_319, maxThreadCpuPercent: 12 });
    expect(check.messages[0]).toBe('80 of 10000 requests were never sent: 9 connection attempts failed: ECONNREFUSED (nothing is listening at that address and port).');
  });

  it('gives status codes as string keys and copies the counts', () => {
    const json = roundTrip(toJson(troubled()));
    expect(json.status).toEqual({ '200': 9900, '503': 15 });
    expect(json.errorCodes).toEqual({ connect: 'ECONNREFUSED', read: 'ECONNRESET' });
    expect(json).toMatchObject({ requestedRate: 1000, achievedRate: 1000, scheduled: 10_000, notSent: 80, interrupted: true, non2xx3xx: 15 });
  });

  it('documents every field of the schema in docs/json.md', () => {
    const documented = (name: string) => docs.includes(`\`${name}\``) || docs.includes(`\`${name}.`);
    const names = [
      ...Object.keys(root.properties!),
      ...Object.keys(root.$defs!.latency!.properties!),
      ...Object.keys(root.properties!.selfCheck!.properties!),
    ];
    expect(names.filter((name) => !documented(name))).toEqual([]);
  });
});
