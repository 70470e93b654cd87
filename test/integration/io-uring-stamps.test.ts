// --io-engine io_uring keeps the kernel's receive timestamps: multishot recvmsg hands each
// read's SO_TIMESTAMPNS cmsg over with its bytes. With the widest send window a response read
// at the window's end instead of stamped on arrival would be recorded up to 10 ms late; this
// file judges that (pace) only when the run's self-check says the machine let it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RING, ringRefused } from './io-engine.js';
import { expectAccounted, skipIfBusy, untilPaced } from './pace.js';
import { ENGINE_BUILT, pctMs, runJson } from './run-cli.js';
import { delayed, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('--io-engine io_uring: kernel receive timestamps', () => {
  const DELAY_MS = 20;
  const FLOOR_MS = DELAY_MS * 0.999;  // 3 significant digits
  let server: TestServer;
  let refused: string | undefined;
  let run: Awaited<ReturnType<typeof untilPaced<Awaited<ReturnType<typeof runJson>>>>> | undefined;
  beforeAll(async () => {
    server = await delayed(DELAY_MS);
    refused = await ringRefused(server.url);
    if (refused) return;
    // The widest window: a response read at the window's end rather than stamped on arrival
    // would be recorded up to 10 ms late. At -R 100 each request goes out on a wake-up and the
    // wake-ups fall every 10 ms, so a 20 ms answer arrives just after one and waits almost a
    // whole window: read, not stamped, the p50 is ~30 ms (measured 30.0), stamped ~20.
    run = await untilPaced(async () => {
      await server.close();
      server = await delayed(DELAY_MS);
      return runJson([...RING, '-R', '100', '-d', '1s', '-c', '10', '-t', '1', '--batch', '10ms', server.url]);
    });
  }, 400_000);
  afterAll(() => server?.close());

  it(`never records a response below the server's ${DELAY_MS} ms`, (ctx) => {
    if (refused || !run) return ctx.skip(refused);
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.json, 100);
    expect(server.stats.requests).toBe(100);
    expect(run.json.latency.corrected.minNs / 1e6).toBeGreaterThanOrEqual(FLOOR_MS);
    expect(run.json.latency.uncorrected.minNs / 1e6).toBeGreaterThanOrEqual(FLOOR_MS);
  });

  it('times each response by its kernel stamp, not by the window it was read in', (ctx) => {
    if (refused || !run) return ctx.skip(refused);
    skipIfBusy(ctx, run);
    // Halfway: a server whose timers run a few ms late on a busy machine still passes.
    expect(pctMs(run.json, 'uncorrected', '50')).toBeLessThan(DELAY_MS + 5);
  });
});
