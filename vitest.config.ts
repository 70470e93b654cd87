import { defineConfig } from 'vitest/config';

/**
 * Integration files whose subject is pace (rates, latency bounds, a knee, a stall's truth, a
 * progress line a second): they run one at a time, after everything else, so that their own
 * runs do not starve each other. Each still reads its run's self-check and skips what a busy
 * machine could not judge (test/integration/pace.ts).
 */
const PACED = [
  'counts-rate',
  'stall',
  'find-max',
  'fixed-delay',
  'too-few-connections',
  'load-shapes',
  'hostile',
  'transports',
  'nginx',
  'never-answers',
  'sigint',
  'progress',
  'prometheus',
  'monitor-pid',
  'scripts',
  'wrk-scripts',
  'self-check',
  'grpc-truth',
].map((name) => `test/integration/${name}.test.ts`);

export default defineConfig({
  test: {
    // Hang guards, not pace: a test that takes seconds on a quiet machine can take ten times as
    // long on a busy one (a CLI run is killed as hung after HANG_MS in test/integration/run-cli.ts).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Most integration files wait on the clock (a 2 s run at 200/s), not on the CPU: two at a
    // time on 2 cores roughly halve their wall time, and what they assert is accounting, which
    // holds however busy the machine.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'accounting', include: ['test/**/*.test.ts'], exclude: PACED, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'paced', include: PACED, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
