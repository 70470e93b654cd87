// Coordinated omission over gRPC, checked against the server's own truth: a grpc-js server that
// queues its answers for 1 s every 3 s logs, per call k (its x-seq metadata, from {{seq}}), when
// the call arrived and when it was answered. The true corrected latency of k is
// answered_k - (T0 + (k-1)/R), with T0 the smallest arrival_k - (k-1)/R (a generator never sends
// early). ratetest's corrected p50..p99.9 must match the truth's within 2% + 2 ms: a call ends at
// its trailers, which grpc-js writes a turn or more after the handler's callback, where the
// server's log takes its time (on a machine at load 20, p50 1.1 ms apart; an HTTP/2 server that
// writes the whole answer at once is held to 1 ms in http2-truth).
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runJson } from './run-cli.js';
import { CALL } from './grpc-servers.js';
import { expectAccounted, skipIfBusy, untilPaced } from './pace.js';
import { startStallServer, truthHistogram } from './stall-server.js';

const RATE = 200;
const DURATION_S = 6;
const PERCENTILES = ['50', '90', '99', '99.9'] as const;

/** One run against a fresh server (its stall clock starts at the run's first call), and its log. */
async function stalledRun() {
  // Stalls at 1-2 s and 4-5 s after the first call: two of them inside the 6 s run.
  const server = await startStallServer('grpc-stall-server.mjs', 1000, 3000, 1000);
  try {
    // 32 streams on each of 8 connections hold the 200 calls one stall queues; a server slowed by
    // other work gets 10 s, not 2, to answer the calls in flight when the run ends.
    const run = await runJson(['grpc', ...CALL, '--data', '{"text":"truth"}', '-H', 'x-seq: {{seq}}', '--streams', '32', '-R', String(RATE), '-d', `${DURATION_S}s`, '-c', '8', '-t', '1', '--timeout', '10s', server.url], 60_000);
    return { ...run, log: await server.stop() };
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw err;
  }
}

describe.skipIf(!ENGINE_BUILT)(`gRPC, a server that stalls 1 s every 3 s (-R ${RATE} -d ${DURATION_S}s --streams 32 -c 8 -t 1)`, () => {
  let run: Awaited<ReturnType<typeof stalledRun>> & { busy?: string };
  beforeAll(async () => {
    run = await untilPaced(stalledRun);
  }, 200_000);

  it('answered every call it sent OK, each logged once by the server', (ctx) => {
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.json, RATE * DURATION_S, false);
    expect(run.json.grpc!.status).toEqual({ OK: run.json.completed });
    // Each call the client saw end was answered by the server; the server may have answered a few
    // more the client had not read when it ended.
    const logged = new Set(run.log.map(([k]) => k)).size;
    expect(logged).toBeGreaterThanOrEqual(run.json.completed);
    expect(logged).toBeLessThanOrEqual(run.json.sent);
    // Every answer in before the run ended is pace: a server slowed by other work leaves some in
    // flight (at load ~20, 11 of 1200 were still out after a 2 s wait).
    skipIfBusy(ctx, run);
    expect(run.json.completed).toBe(run.json.sent);
    expect(logged).toBe(run.json.completed);
  });

  it.for(PERCENTILES)('corrected p%s matches the server-side truth within 2%% + 2 ms', (p, ctx) => {
    skipIfBusy(ctx, run);
    const truth = truthHistogram(run.log, RATE).getValueAtPercentile(Number(p));
    const tool = decodeFromCompressedBase64(run.json.latency.corrected.histogram).getValueAtPercentile(Number(p));
    expect(Math.abs(tool - truth), `ratetest ${tool / 1e6} ms, truth ${truth / 1e6} ms`).toBeLessThanOrEqual(0.02 * truth + 2e6);
  });

  it('the stalls show in the corrected p99: above 800 ms', () => {
    const tool = decodeFromCompressedBase64(run.json.latency.corrected.histogram).getValueAtPercentile(99);
    expect(tool).toBeGreaterThan(800e6);
  });
});
