// A server that accepts and reads but never answers, with --timeout 500ms: every request times
// out, the timeouts are counted, and the run ends about duration + timeout after it began.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyMachine, expectAccounted } from './pace.js';
import { ENGINE_BUILT, runJson, textFigures } from './run-cli.js';
import { silent, type TestServer } from './servers.js';

const DURATION_MS = 2000;
const TIMEOUT_MS = 500;

describe.skipIf(!ENGINE_BUILT)(`a server that never answers (--timeout ${TIMEOUT_MS}ms, -R 20 -d 2s -c 20)`, () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    server = await silent();
    // 20/s, each holding a connection 500 ms: 10 busy at a time, so 20 connections never run out.
    run = await runJson(['-R', '20', '-d', '2s', '-c', '20', '-t', '1', '--timeout', `${TIMEOUT_MS}ms`, server.url]);
  });
  afterAll(() => server?.close());

  it('exits 0 and reports the timeout it was given', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.config.timeoutNs).toBe(TIMEOUT_MS * 1e6);
  });

  it('sends every request, and every one times out', () => {
    const { json } = run;
    expectAccounted(json, 40, false);
    expect(json.sent).toBeGreaterThan(0);
    expect(server.stats.requests).toBe(json.sent);
    expect(json.completed).toBe(0);
    expect(json.errors.timeout).toBe(json.sent);
    expect(json.errors.connect + json.errors.read + json.errors.write + json.errors.parse).toBe(0);
    expect(textFigures(run.stderr).socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: json.sent });
  });

  it('ends about duration + timeout after the first request: no hang, no early exit', (ctx) => {
    // From the server's first request to the process's exit: the 2 s schedule, whose last
    // request (due at 1.95 s) times out 0.5 s after its write, then exit. So no less than
    // ~2.45 s (a timeout that fired early would end sooner; a busy machine only adds to it).
    const span = run.exitedAt - server.stats.firstRequestAt!;
    expect(span).toBeGreaterThan(DURATION_MS - 50 + TIMEOUT_MS - 100);
    // No more than that, with room for a late wake-up, by the run's own clock: pace, judged when
    // the machine let the run keep it (a run waiting for answers that never come hits the kill).
    const busy = busyMachine(run.json);
    if (busy !== undefined) ctx.skip(`machine too busy to judge pace: ${busy}`);
    expect(run.json.durationNs).toBeLessThan((DURATION_MS + TIMEOUT_MS + 1000) * 1e6);
  });
});
