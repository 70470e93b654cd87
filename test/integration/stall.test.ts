// The coordinated-omission test: the server pauses for 500 ms. Requests due during the pause
// wait for it, and the corrected latencies must show that wait; the uncorrected ones (what a
// closed-loop tool reports) see it only on the few requests already written. The server logs when
// each numbered request arrived and was answered, so the corrected percentiles are also checked
// against the truth it computes from its own clock.
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iterateRecorded } from '../../src/result/histogram.js';
import { ENGINE_BUILT, pctMs, runJson } from './run-cli.js';
import { computeTruth } from '../../src/analysis/truth.js';
import { checkAgainstTruth } from '../../src/analysis/truth-check.js';
import { stalling } from './servers.js';

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
  let server: Awaited<ReturnType<typeof stalling>>;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    // One stall, 2 s into the run (the second would come 5 s later, after the run's end).
    server = await stalling({ firstStallAfterMs: 2000, periodMs: 5000, stallMs: STALL_MS });
    run = await runJson(['-R', String(RATE), '-d', '6s', '-c', String(CONNECTIONS), '-t', '2', `${server.url}t/{{seq}}`], 40_000);
  }, 50_000);
  afterAll(() => server?.close());

  it('met the stall and still completed the run', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(server.held()).toBeGreaterThan(0);
    expect(run.json.scheduled).toBe(12_000);
    expect(run.json.completed).toBeGreaterThanOrEqual(11_880);
  });

  it('puts the stall in the corrected p99: about 500 ms less the 1% tail, 300-550 ms', () => {
    // 1000 requests fall due in the stall and wait 500..0 ms for it; the top 1% (120 of 12000)
    // are the earliest of them, which waited ~440-500 ms.
    const corrected = pctMs(run.json, 'corrected', '99');
    expect(corrected).toBeGreaterThan(300);
    expect(corrected).toBeLessThan(550);
  });

  it('shows a corrected p99 over 5x the uncorrected p99', () => {
    // Only requests already written when the stall began (one per connection, <= 50 of 12000)
    // wait for it uncorrected: far fewer than 1%.
    expect(pctMs(run.json, 'corrected', '99')).toBeGreaterThan(5 * pctMs(run.json, 'uncorrected', '99'));
  });

  it('counts about half the stalled requests above 250 ms corrected, but at most one per connection uncorrected', () => {
    // Due in the stall's first 250 ms: 500 requests, each waiting > 250 ms (more if the backlog
    // took a while to clear after the stall).
    const corrected = countAbove(run.json.latency.corrected.histogram, 250);
    expect(corrected).toBeGreaterThan(400);
    expect(corrected).toBeLessThan(900);
    const uncorrected = countAbove(run.json.latency.uncorrected.histogram, 250);
    expect(uncorrected).toBeLessThanOrEqual(CONNECTIONS);
  });

  it("matches the server's own truth within 2% + 1 ms at p50, p90, p99 and p99.9", () => {
    const truth = computeTruth(server.truth(), { rate: RATE });
    const corrected = decodeFromCompressedBase64(run.json.latency.corrected.histogram);
    const uncorrected = decodeFromCompressedBase64(run.json.latency.uncorrected.histogram);
    const check = checkAgainstTruth(truth.latency, corrected, uncorrected);
    expect(check.agrees, JSON.stringify(check.rows)).toBe(true);
    // Both count the same requests, give or take those in flight when the run ended.
    expect(Math.abs(truth.answered - run.json.completed)).toBeLessThanOrEqual(CONNECTIONS);
  });

  it('leaves the median untouched by a stall that covers 8% of the run', () => {
    expect(pctMs(run.json, 'corrected', '50')).toBeLessThan(100);
  });
});
