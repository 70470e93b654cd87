// Coordinated omission over HTTP/2, checked against the server's own truth: a Node http2 server
// that queues its answers for 1 s every 4 s logs, per /t/{{seq}}, when request k arrived and when
// it was answered. The true corrected latency of k is answered_k - (T0 + (k-1)/R), with T0 the
// smallest arrival_k - (k-1)/R (a generator never sends early). ratetest's corrected p50..p99.9
// must match the truth's within 2% + 1 ms: multiplexing changes nothing in what "corrected" means.
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyMachine } from './pace.js';
import { ENGINE_BUILT, accountedFor, runJson } from './run-cli.js';
import { startStallServer, truthHistogram, type StallLog } from './stall-server.js';

const RATE = 200;
const PERCENTILES = ['50', '90', '99', '99.9'] as const;

describe.skipIf(!ENGINE_BUILT)(`h2c, a server that stalls 1 s every 4 s (-R ${RATE} -d 8s --streams 32 -c 8 -t 1)`, () => {
  let log: StallLog;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    // Stalls at 1-2 s and 5-6 s after the first request: two of them inside the 8 s run.
    const server = await startStallServer('h2-stall-server.mjs', 1000, 4000, 1000);
    try {
      // 32 streams on each of 8 connections hold the 200 requests one stall queues.
      run = await runJson(['--http2', '--streams', '32', '-R', String(RATE), '-d', '8s', '-c', '8', '-t', '1', `${server.url}/t/{{seq}}`], 60_000);
    } finally {
      log = await server.stop();
    }
  }, 70_000);

  it('answered every request it sent, each logged once by the server', (ctx) => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.sent + run.json.notSent).toBe(run.json.scheduled);
    expect(accountedFor(run.json)).toBe(run.json.sent);
    expect(run.json.errors).toMatchObject({ connect: 0, read: 0, write: 0, parse: 0 });
    // Every answer in, and in time, before the run ended is pace: a busy machine leaves some in
    // flight or past their timeout.
    const busy = busyMachine(run.json);
    if (busy !== undefined) ctx.skip(`machine too busy to judge pace: ${busy}`);
    expect(run.json.errors.timeout).toBe(0);
    expect(run.json.completed).toBe(run.json.sent);
    expect(new Set(log.map(([k]) => k)).size).toBe(run.json.completed);
  });

  it.for(PERCENTILES)('corrected p%s matches the server-side truth within 2%% + 1 ms', (p, ctx) => {
    // The truth assumes requests went out on schedule: judged when the machine let the run keep it.
    const busy = busyMachine(run.json);
    if (busy !== undefined) ctx.skip(`machine too busy to judge pace: ${busy}`);
    const truth = truthHistogram(log, RATE).getValueAtPercentile(Number(p));
    const tool = decodeFromCompressedBase64(run.json.latency.corrected.histogram).getValueAtPercentile(Number(p));
    expect(Math.abs(tool - truth), `ratetest ${tool / 1e6} ms, truth ${truth / 1e6} ms`).toBeLessThanOrEqual(0.02 * truth + 1e6);
  });

  it('the stalls show in the corrected p99: above 800 ms', () => {
    const tool = decodeFromCompressedBase64(run.json.latency.corrected.histogram).getValueAtPercentile(99);
    expect(tool).toBeGreaterThan(800e6);
  });
});
