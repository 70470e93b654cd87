// A healthy server at a modest rate: the run sends rate x duration requests, and every count the
// CLI reports (requests, statuses, bytes) matches what the server itself counted. The counts hold
// on any machine; that the rate was held is judged only when the run says the machine let it be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccounted, skipIfBusy, untilPaced } from './pace.js';
import { ENGINE_BUILT, runJson, textFigures } from './run-cli.js';
import { BODY, plain, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('counts and rate against a healthy server (-R 1000 -d 3s -c 10 -t 2)', () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof untilPaced<Awaited<ReturnType<typeof runJson>>>>>;
  beforeAll(async () => {
    // A fresh server for each try, so its counts are of the run judged.
    run = await untilPaced(async () => {
      await server?.close();
      server = await plain();
      return runJson(['-R', '1000', '-d', '3s', '-c', '10', '-t', '2', server.url]);
    });
  }, 400_000);
  afterAll(() => server?.close());

  it('exits 0 with no errors', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(run.json.interrupted).toBe(false);
  });

  it('schedules exactly 3000 requests, each one sent or counted unsent, each sent one completed', () => {
    const { json } = run;
    expect(json.durationNs).toBe(3e9);
    expectAccounted(json, 3000);
  });

  it('sends and completes them (within 1%) when the machine let it', (ctx) => {
    skipIfBusy(ctx, run);
    expect(Math.abs(run.json.sent - 3000)).toBeLessThanOrEqual(30);
    expect(Math.abs(run.json.completed - 3000)).toBeLessThanOrEqual(30);
  });

  it('agrees with the server: every request sent arrived, every response counted', () => {
    const { json } = run;
    expect(server.stats.requests).toBe(json.sent);
    expect(json.status).toEqual({ '200': json.completed });
    expect(server.stats.status).toEqual({ '200': json.completed });
    expect(json.non2xx3xx).toBe(0);
  });

  it('reports the achieved rate as completed / duration, near the 1000/s asked for', (ctx) => {
    const { json } = run;
    expect(json.requestedRate).toBe(1000);
    expect(json.achievedRate).toBeCloseTo(json.completed / 3, 6);
    skipIfBusy(ctx, run);
    expect(json.achievedRate).toBeGreaterThanOrEqual(990);
    expect(json.achievedRate).toBeLessThanOrEqual(1010);
  });

  it('counts bytes exactly as the server does, and the body is in them', () => {
    const { json } = run;
    expect(json.bytesRead).toBe(server.stats.bytesSent);
    expect(json.bytesWritten).toBe(server.stats.bytesReceived);
    // Every response is the same size: a head plus BODY.
    expect(json.bytesRead % json.completed).toBe(0);
    const perResponse = json.bytesRead / json.completed;
    expect(perResponse).toBeGreaterThan(BODY.length + 'HTTP/1.1 200 OK\r\n\r\n'.length);
    expect(perResponse).toBeLessThan(BODY.length + 400);
    expect(json.bytesWritten % json.sent).toBe(0);
  });

  it('records one latency per response and one send lag per request', () => {
    const { json } = run;
    expect(json.latency.corrected.count).toBe(json.completed);
    expect(json.latency.uncorrected.count).toBe(json.completed);
    expect(json.latency.sendLag.count).toBe(json.sent);
  });

  it('splits the work over 2 threads whose per-second counts add up', (ctx) => {
    const { json } = run;
    expect(json.threads).toHaveLength(2);
    expect(json.threads.reduce((a, t) => a + t.completed, 0)).toBe(json.completed);
    for (const thread of json.threads) {
      expect(thread.perSecond).toHaveLength(3);
      expect(thread.perSecond.reduce((a, b) => a + b, 0)).toBe(thread.completed);
    }
    skipIfBusy(ctx, run);
    // Half the rate each (open loop: the schedule, not the server, sets the pace).
    for (const thread of json.threads) expect(Math.abs(thread.completed - 1500)).toBeLessThanOrEqual(30);
  });

  it('prints the same figures in wrk2\'s summary lines', () => {
    const { json, stderr } = run;
    const text = textFigures(stderr);
    expect(text.requests).toBe(json.completed);
    expect(text.seconds).toBe(3);
    expect(text.requestsPerSec).toBeCloseTo(json.completed / 3, 2);
    expect(text.socketErrors).toBeUndefined();
    expect(text.non2xx3xx).toBeUndefined();
    expect(stderr).toMatch(/^Running 3s test @ http:\/\/127\.0\.0\.1:\d+\/\n  2 threads and 10 connections\n/);
  });
});
