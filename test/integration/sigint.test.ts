// Ctrl-C during a 30 s run: the process stops at once, prints the report of what it gathered,
// and exits 130. Every request written before the stop is accounted for.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { skipIfBusy } from './pace.js';
import { ENGINE_BUILT, STACK_FRAME, accountedFor, mustHaveExited, parseJson, sleep, startCli, textFigures, waitFor } from './run-cli.js';
import { delayed, plain, type TestServer } from './servers.js';

const servers: TestServer[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ratetest-sigint-'));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a 30 s run, interrupts it ~1.5 s after its first request reached the server. */
async function interrupted(server: TestServer, args: string[]) {
  const started = startCli([...args, server.url], 30_000);
  // Signal only once the run is under way: before the CLI installs its handler, SIGINT would
  // simply kill it, which tests nothing.
  await waitFor(() => server.stats.requests > 0, 'the first request');
  await sleep(1500);
  const signalledAt = performance.now();
  started.child.kill('SIGINT');
  const run = mustHaveExited(await started.done);
  return { run, exitMs: run.exitedAt - signalledAt };
}

describe.skipIf(!ENGINE_BUILT)('SIGINT during a 30 s run', () => {
  it('exits 130 within seconds, printing the report of the requests made so far', async (ctx) => {
    const server = await plain();
    servers.push(server);
    const out = join(dir, 'report.json');
    const { run, exitMs } = await interrupted(server, ['-R', '200', '-d', '30s', '-c', '4', '-t', '1', '--json', out]);
    expect(run.code, run.stderr).toBe(130);
    expect(run.signal).toBeNull();
    // 28 s of schedule were left; stopping must not wait for them (nor for a 2 s timeout twice over).
    expect(exitMs).toBeLessThan(10_000);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    const text = textFigures(run.stdout);
    expect(text.requests).toBeGreaterThan(0);
    expect(text.seconds).toBeGreaterThanOrEqual(1.4);
    expect(text.seconds).toBeLessThan(25);
    // A healthy server answered nearly everything due in the time the run lasted.
    expect(text.requests).toBeLessThanOrEqual(Math.ceil(200 * text.seconds) + 1);
    expect(text.requests).toBeLessThanOrEqual(server.stats.requests);
    expect(run.stdout).toMatch(/^  Run interrupted after \d+\.\d\ds$/m);
    // The text report is the JSON one's figures.
    const json = JSON.parse(readFileSync(out, 'utf8')) as ResultJson;
    expect(json.interrupted).toBe(true);
    expect(json.completed).toBe(text.requests);
    // A healthy server answered nearly everything due in the time the run lasted: pace, judged
    // when the machine let the run keep it.
    skipIfBusy(ctx, { json });
    expect(text.requests).toBeGreaterThanOrEqual(Math.floor(0.9 * 200 * text.seconds));
  });

  it('with --json -: interrupted, the shortened duration, and every written request accounted for', async () => {
    // 100/s answered after 200 ms: ~20 requests are in flight at any moment, so some are
    // certainly unanswered when the run stops.
    const server = await delayed(200);
    servers.push(server);
    const { run, exitMs } = await interrupted(server, ['-R', '100', '-d', '30s', '-c', '50', '-t', '1', '--json', '-']);
    expect(run.code, run.stderr).toBe(130);
    expect(exitMs).toBeLessThan(10_000);
    const json = parseJson(run);
    expect(json.interrupted).toBe(true);
    expect(json.config.durationNs).toBe(30e9);
    expect(json.durationNs).toBeGreaterThanOrEqual(1.4e9);
    expect(json.durationNs).toBeLessThan(25e9);
    // Scheduled: what fell due in the time the run lasted, not 30 s worth.
    expect(Math.abs(json.scheduled - (100 * json.durationNs) / 1e9)).toBeLessThanOrEqual(2);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    expect(json.completed).toBeGreaterThan(0);
    await waitFor(() => server.stats.requests >= json.sent, 'the server to see every request sent', 5000);
    expect(server.stats.requests).toBe(json.sent);
    // Answered, failed, or in flight when the run stopped: the ones still waiting for their 200 ms
    // must show up as inFlight, not vanish.
    expect(accountedFor(json), `sent ${json.sent}, completed ${json.completed}, inFlight ${json.inFlight}, errors ${JSON.stringify(json.errors)}`).toBe(json.sent);
    expect(textFigures(run.stderr).requests).toBe(json.completed);
  });
});
