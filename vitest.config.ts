import { defineConfig } from 'vitest/config';
import { LongFirstSequencer } from './test/sequencer.js';

/**
 * Integration files whose subject is pace (rates, latency bounds, a knee, a stall's truth, a
 * progress line a second): they run one at a time, after everything else, so that their own
 * runs do not starve each other. Each still reads its run's self-check and skips what a busy
 * machine could not judge (test/integration/pace.ts). A file whose tests of pace are a few among
 * many tests of accounting (hostile servers, scripts, transports) runs with the rest: its tests of
 * pace skip on a busy machine, and the suite is not held up by running it alone.
 */
const PACED = [
  'counts-rate',
  'stall',
  'find-max',
  'fixed-delay',
  'too-few-connections',
  'load-shapes',
  'nginx',
  'sigint',
  'progress',
  'prometheus',
  'monitor-pid',
  'self-check',
  'grpc-truth',
  'http2-truth',
  'io-uring-stamps',
].map((name) => `test/integration/${name}.test.ts`);

/**
 * Under the sanitizer pass (scripts/test-sanitized.sh sets RATETEST_ADDON) pace is not the
 * subject and the instrumented pumps are slow anyway: every file runs in the accounting project.
 */
const SERIAL = process.env.RATETEST_ADDON === undefined ? PACED : [];

/** The one file that mocks modules (vi.mock). */
const MOCKING = 'test/unit/run.test.ts';

export default defineConfig({
  test: {
    // Hang guards, not pace: a test that takes seconds on a quiet machine can take ten times as
    // long on a busy one (a CLI run is killed as hung after HANG_MS in test/integration/run-cli.ts).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Most integration files wait on the clock (a 1 s run at 200/s), not on the CPU: a clean-clone
    // CI run kept 2 cores about two-thirds busy with two files at a time, so three fill the idle
    // share, and what they assert is accounting, which holds however busy the machine. The
    // sanitizer pass stays at two: its instrumented pumps are CPU-bound.
    maxWorkers: process.env.RATETEST_ADDON === undefined ? 3 : 2,
    sequence: { sequencer: LongFirstSequencer },
    // The reasons first, so that a failure's report stays the last thing a log shows.
    reporters: ['./test/skip-reasons.ts', 'default'],
    // A file of the unit and accounting projects runs in a worker that ran others before it, and
    // reuses the modules they loaded: a fresh process and fresh imports for each file were 52 s of
    // the suite's ~410 s of CPU (26 s for the 55 unit files, 26 s for the 47 integration files not of pace).
    // Unit files, in-process only, share worker threads; integration files share worker
    // processes, since they spawn and signal CLI runs (each closes its servers and awaits its
    // runs). The files of pace keep a fresh process each, and so does run.test.ts, whose module
    // mocks need a module graph of their own.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: [MOCKING], pool: 'threads', isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'accounting', include: ['test/integration/**/*.test.ts'], exclude: SERIAL, isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'mocks', include: [MOCKING], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'paced', include: SERIAL, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
