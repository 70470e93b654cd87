// Load shapes against real local servers: the server's own counts against what ratetest reports
// for --warmup, -n, -R max, --max-connections and --stages.
import { afterEach, describe, expect, it } from 'vitest';
import { skipIfBusy } from './pace.js';
import { ENGINE_BUILT, SANITIZED, accountedFor, runJson } from './run-cli.js';
import { delayed, plain, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('load shapes', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('--warmup: the warm-up is reported apart and left out of the results', async () => {
    server = await plain();
    const run = await runJson(['-R', '200', '-d', '1s', '--warmup', '1s', '-c', '4', '-t', '2', server.url]);
    expect(run.code, run.stderr).toBe(0);
    const { json } = run;
    expect(json.warmup).toBeDefined();
    expect(json.warmup!.durationNs).toBe(1e9);
    expect(json.warmup!.scheduled).toBe(200);
    expect(json.scheduled).toBe(200);
    expect(json.durationNs).toBe(1e9);
    // The server saw both parts; the results hold only the measured one.
    expect(server.stats.requests).toBe(json.sent + json.warmup!.sent);
    expect(json.warmup!.completed).toBe(json.warmup!.sent);
    expect(json.latency.corrected.count).toBe(json.completed);
    expect(json.completed).toBe(json.sent);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    expect(run.stderr).toMatch(/Warm-up \(excluded\): 1\.00s, 200 scheduled/);
    // The series is the measured part too: it starts where the warm-up ends and adds up to the totals.
    const series = json.series!;
    expect(series[0]!.startNs).toBe(1e9);
    expect(series.reduce((sum, i) => sum + i.due, 0)).toBe(json.scheduled);
    expect(series.reduce((sum, i) => sum + i.sent, 0)).toBe(json.sent);
    expect(series.reduce((sum, i) => sum + i.completed, 0)).toBe(json.completed);
  });

  // Under the sanitizers, -R max below stops at -n too; the arrival shapes (stages, Poisson) are
  // schedule arithmetic, which schedule-shapes checks against the addon there.
  it.skipIf(SANITIZED)('-n: sends exactly that many requests, then stops', async () => {
    server = await plain();
    const run = await runJson(['-R', '1000', '-n', '777', '-c', '5', '-t', '2', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.scheduled).toBe(777);
    expect(run.json.sent).toBe(777);
    expect(run.json.completed).toBe(777);
    expect(server.stats.requests).toBe(777);
    expect(run.json.config.requestCount).toBe(777);
    // 777 requests at 1000/s take 0.78 s (longer on a busy machine), not the 10 s default duration.
    expect(run.json.durationNs).toBeLessThan(10e9);
  });

  it('-R max with -n and -c (hey -n 2000 -c 20): closed loop, exact count, uncorrected latency', async () => {
    server = await plain();
    const run = await runJson(['-R', 'max', '-n', '2000', '-c', '20', '-t', '2', server.url]);
    expect(run.code, run.stderr).toBe(0);
    const { json } = run;
    expect(json.config.closedLoop).toBe(true);
    expect(json.sent).toBe(2000);
    expect(json.completed).toBe(2000);
    expect(server.stats.requests).toBe(2000);
    expect(server.stats.connections).toBe(20);
    expect(accountedFor(json)).toBe(json.sent);
    // Sent the moment a connection is free: no schedule, so no send lag and corrected = uncorrected.
    expect(json.latency.sendLag.maxNs).toBe(0);
    expect(json.latency.corrected.percentilesNs['99']).toBe(json.latency.uncorrected.percentilesNs['99']);
    expect(run.stderr).toMatch(/Latency is uncorrected: with -R max/);
  });

  it('--max-connections: a slow server makes it open more connections, never above the cap', async (ctx) => {
    // 100 ms per response at 200/s needs ~20 connections; -c 2 has too few.
    server = await delayed(100);
    const run = await runJson(['-R', '200', '-d', '2s', '-c', '2', '-t', '2', '--max-connections', '12', server.url]);
    expect(run.code, run.stderr).toBe(0);
    const { json } = run;
    expect(json.connectionsOpened).toBe(10);
    expect(server.stats.connections).toBe(12);
    expect(json.openedPerSecond.reduce((a, b) => a + b, 0)).toBe(10);
    expect(json.openedPerSecond[0]).toBe(10);
    expect(json.queued).toBeGreaterThan(0);

    await server.close();
    server = await delayed(100);
    const roomy = await runJson(['-R', '200', '-d', '2s', '-c', '2', '-t', '2', '--max-connections', '100', server.url]);
    expect(roomy.code, roomy.stderr).toBe(0);
    expect(roomy.json.connectionsOpened).toBeGreaterThan(10);
    expect(roomy.json.connectionsOpened).toBeLessThanOrEqual(98);
    expect(server.stats.connections).toBe(roomy.json.connectionsOpened + 2);
    expect(roomy.json.sent + roomy.json.notSent).toBe(roomy.json.scheduled);
    expect(accountedFor(roomy.json)).toBe(roomy.json.sent);
    // With enough connections the run keeps its rate (pace: judged when the machine let it).
    skipIfBusy(ctx, roomy);
    expect(Math.abs(roomy.json.sent - 400)).toBeLessThanOrEqual(4);
  });

  it.skipIf(SANITIZED)('--stages: sends the integral of the ramps (0->400 over 1 s, 1 s at 400, 400->0 over 1 s = 800)', async (ctx) => {
    server = await plain();
    const run = await runJson(['--stages', '1s:400,1s:400,1s:0', '-c', '8', '-t', '2', server.url]);
    expect(run.code, run.stderr).toBe(0);
    const { json } = run;
    expect(json.durationNs).toBe(3e9);
    expect(Math.abs(json.scheduled - 800)).toBeLessThanOrEqual(1);
    expect(server.stats.requests).toBe(json.sent);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    expect(json.targetPerSecond!.map(Math.round)).toEqual([200, 400, 200]);
    expect(json.config.stages).toEqual([
      { durationNs: 1e9, fromRate: 0, toRate: 400 },
      { durationNs: 1e9, fromRate: 400, toRate: 400 },
      { durationNs: 1e9, fromRate: 400, toRate: 0 },
    ]);
    expect(run.stderr).toMatch(/Per second, target\/achieved:\n {4}1s 200\/\d+, 2s 400\/\d+, 3s 200\/\d+\n/);
    // Following the target is pace: judged when the machine let it.
    skipIfBusy(ctx, run);
    expect(Math.abs(json.sent - 800)).toBeLessThanOrEqual(8);
    // The achieved per-second counts follow the target (within scheduling noise at the edges).
    const achieved = [0, 1, 2].map((s) => json.threads.reduce((sum, t) => sum + (t.perSecond[s] ?? 0), 0));
    expect(Math.abs(achieved[1]! - 400)).toBeLessThanOrEqual(10);
  });

  it.skipIf(SANITIZED)('--arrival poisson --seed: the same seed schedules the same count', async () => {
    server = await plain();
    const args = ['-R', '300', '-d', '1s', '--arrival', 'poisson', '--seed', '11', '-c', '4', '-t', '2', server.url];
    const a = await runJson(args);
    const b = await runJson(args);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json.scheduled).toBe(b.json.scheduled);
    expect(Math.abs(a.json.scheduled - 300)).toBeLessThan(70);
    expect(a.json.config.arrival).toBe('poisson');
  });
});
