// A server that answers every request after exactly 20 ms: the latencies must sit at 20 ms, and
// no response can be recorded as faster than the server made it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccounted, skipIfBusy, untilPaced } from './pace.js';
import { ENGINE_BUILT, pctMs, runJson } from './run-cli.js';
import { delayed, type TestServer } from './servers.js';

const DELAY_MS = 20;
// 3 significant digits: a recorded 20 ms may read back as up to 0.1% lower.
const FLOOR_MS = DELAY_MS * 0.999;

describe.skipIf(!ENGINE_BUILT)(`a server that answers after ${DELAY_MS} ms (-R 200 -d 3s -c 20)`, () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof untilPaced<Awaited<ReturnType<typeof runJson>>>>>;
  beforeAll(async () => {
    // 200/s x 20 ms = 4 requests in flight on average: 20 connections never run out.
    run = await untilPaced(async () => {
      await server?.close();
      server = await delayed(DELAY_MS);
      return runJson(['-R', '200', '-d', '3s', '-c', '20', '-t', '1', server.url]);
    });
  }, 400_000);
  afterAll(() => server?.close());

  it('completes every request', () => {
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.json, 600);
    expect(server.stats.requests).toBe(run.json.sent);
  });

  it('reports a corrected p50 between 20 and 30 ms', (ctx) => {
    expect(pctMs(run.json, 'corrected', '50')).toBeGreaterThanOrEqual(FLOOR_MS);
    // How little above 20 ms is pace: a busy machine delays the server's timers and the reads.
    skipIfBusy(ctx, run);
    expect(pctMs(run.json, 'corrected', '50')).toBeLessThan(30);
  });

  it('never records a latency below the server\'s delay, corrected or not', (ctx) => {
    expect(run.json.latency.corrected.minNs / 1e6).toBeGreaterThanOrEqual(FLOOR_MS);
    expect(run.json.latency.uncorrected.minNs / 1e6).toBeGreaterThanOrEqual(FLOOR_MS);
    skipIfBusy(ctx, run);
    expect(pctMs(run.json, 'uncorrected', '50')).toBeLessThan(30);
  });

  it('has every corrected percentile at or above the uncorrected one (intended send <= actual write)', () => {
    const { corrected, uncorrected } = run.json.latency;
    for (const [p, value] of Object.entries(uncorrected.percentilesNs)) {
      expect(corrected.percentilesNs[p], `p${p}`).toBeGreaterThanOrEqual(value);
    }
    expect(corrected.minNs).toBeGreaterThanOrEqual(uncorrected.minNs);
    expect(corrected.maxNs).toBeGreaterThanOrEqual(uncorrected.maxNs);
  });
});
