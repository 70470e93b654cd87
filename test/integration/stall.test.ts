// The coordinated-omission test: the server pauses for 500 ms. Requests due during the pause
// wait for it, and the corrected latencies must show that wait; the uncorrected ones (what a
// closed-loop tool reports) see it only on the few requests already written.
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iterateRecorded } from '../../src/histogram.js';
import { expectAccounted, skipIfBusy, untilPaced } from './pace.js';
import { ENGINE_BUILT, pctMs, runJson } from './run-cli.js';
import { stalling, type TestServer } from './servers.js';

const RATE = 2000;
const CONNECTIONS = 50;
const STALL_MS = 500;

/** How many values of a JSON result's encoded histogram lie above `aboveMs`. */
function countAbove(encoded: string, aboveMs: number): number {
  let count = 0;
  for (const bucket of iterateRecorded(decodeFromCompressedBase64(encoded))) {
    if (bucket.value > aboveMs * 1e6) count += bucket.count;
  }
  return count;
}

describe.skipIf(!ENGINE_BUILT)(`a server that stalls for ${STALL_MS} ms (-R ${RATE} -d 6s -c ${CONNECTIONS} -t 2)`, () => {
  let server: TestServer & { held: () => number };
  let run: Awaited<ReturnType<typeof untilPaced<Awaited<ReturnType<typeof runJson>>>>>;
  beforeAll(async () => {
    // One stall, 2 s into the run (the second would come 5 s later, after the run's end). The
    // figures below are the truth only of a run the machine let keep pace: up to 3 tries.
    run = await untilPaced(async () => {
      await server?.close();
      server = await stalling({ firstStallAfterMs: 2000, periodMs: 5000, stallMs: STALL_MS });
      return runJson(['-R', String(RATE), '-d', '6s', '-c', String(CONNECTIONS), '-t', '2', server.url]);
    });
  }, 400_000);
  afterAll(() => server?.close());

  it('met the stall and still accounted for every request', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(server.held()).toBeGreaterThan(0);
    expectAccounted(run.json, 12_000);
  });

  it('names the stall the server\'s (connections held busy), not the generator\'s', (ctx) => {
    skipIfBusy(ctx, run);
    expect(run.json.selfCheck.verdict).toBe('too-few-connections');
    expect(run.json.completed).toBeGreaterThanOrEqual(11_880);
  });

  it('puts the stall in the corrected p99: about 500 ms less the 1% tail, 300-550 ms', (ctx) => {
    skipIfBusy(ctx, run);
    // 1000 requests fall due in the stall and wait 500..0 ms for it; the top 1% (120 of 12000)
    // are the earliest of them, which waited ~440-500 ms.
    const corrected = pctMs(run.json, 'corrected', '99');
    expect(corrected).toBeGreaterThan(300);
    expect(corrected).toBeLessThan(550);
  });

  it('shows a corrected p99 over 5x the uncorrected p99', (ctx) => {
    skipIfBusy(ctx, run);
    // Only requests already written when the stall began (one per connection, <= 50 of 12000)
    // wait for it uncorrected: far fewer than 1%.
    expect(pctMs(run.json, 'corrected', '99')).toBeGreaterThan(5 * pctMs(run.json, 'uncorrected', '99'));
  });

  it('counts about half the stalled requests above 250 ms corrected, but at most one per connection uncorrected', (ctx) => {
    skipIfBusy(ctx, run);
    // Due in the stall's first 250 ms: 500 requests, each waiting > 250 ms (more if the backlog
    // took a while to clear after the stall).
    const corrected = countAbove(run.json.latency.corrected.histogram, 250);
    expect(corrected).toBeGreaterThan(400);
    expect(corrected).toBeLessThan(900);
    const uncorrected = countAbove(run.json.latency.uncorrected.histogram, 250);
    expect(uncorrected).toBeLessThanOrEqual(CONNECTIONS);
  });

  it('leaves the median untouched by a stall that covers 8% of the run', (ctx) => {
    skipIfBusy(ctx, run);
    expect(pctMs(run.json, 'corrected', '50')).toBeLessThan(100);
  });
});
