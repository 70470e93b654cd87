// Bad load-shape flags: exit 2, one line naming the flag and the accepted form, no load sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BUILT, STACK_FRAME, runCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

describe.skipIf(!CLI_BUILT)('load-shape usage errors', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await plain();
    url = server.url;
  });
  afterAll(() => server?.close());

  const form = `like '30s:1k,2m:20k,10s:0' (duration:target rate, comma-separated)`;
  const cases: [string, () => string[], string][] = [
    ['--stages without a colon', () => ['--stages', '30s', url], `--stages must look ${form}, got "30s" in "30s"`],
    ['--stages with an empty stage', () => ['--stages', '1s:10,,1s:0', url], `--stages must look ${form}, got "1s:10,,1s:0"`],
    ['--stages with a bad rate', () => ['--stages', '1s:fast', url], '--stages rate "1s:fast" must be a number like 2000, 20k or 1.5m, got "fast"'],
    ['--stages with a zero duration', () => ['--stages', '0s:10', url], '--stages durations must be > 0, got "0s:10"'],
    ['--stages all at rate 0', () => ['--stages', '1s:0,2s:0', url], '--stages must reach a rate above 0 somewhere'],
    ['--stages with -R', () => ['-R', '10', '--stages', '1s:10', url], 'use either -R/--rate or --stages, not both: the stages set the rate'],
    ['--stages with -d', () => ['--stages', '1s:10', '-d', '5s', url], '--stages sets the duration; leave out -d/--duration'],
    ['--arrival unknown', () => ['-R', '10', '--arrival', 'bursty', url], '--arrival must be constant or poisson, got "bursty"'],
    ['--seed not a number', () => ['-R', '10', '--arrival', 'poisson', '--seed', 'abc', url], '--seed must be a whole number from 0 to 9007199254740991, got "abc"'],
    ['--arrival poisson with -R max', () => ['-R', 'max', '--arrival', 'poisson', url], '--arrival poisson needs a rate: -R max has no schedule to shape'],
    ['--warmup not a duration', () => ['-R', '10', '--warmup', 'later', url], '--warmup must be a duration like 30s, 2m or 500ms, got "later"'],
    ['--warmup with -n', () => ['-R', '10', '--warmup', '1s', '-n', '10', url], '--warmup cannot be combined with -n/--requests: give the measured part a duration with -d'],
    ['-n 0', () => ['-R', '10', '-n', '0', url], '--requests must be a whole number from 1 to 9007199254740991, got 0'],
    ['-n not a count', () => ['-R', '10', '-n', 'lots', url], '--requests must be a whole number like 100 or 10k, got "lots"'],
    ['--max-connections below -c', () => ['-R', '10', '-c', '10', '--max-connections', '5', url], '--max-connections must be a whole number from --connections (10) to 1000000, got 5'],
    ['--max-connections with -R max', () => ['-R', 'max', '--max-connections', '50', url], '--max-connections needs a rate: with -R max every connection is always busy, so more would only be opened forever'],
    ['--shard past the end', () => ['-R', '10', '--shard', '4/4', url], '--shard must look like I/N with 0 <= I < N, e.g. 0/4, got "4/4"'],
    ['--shard not a fraction', () => ['-R', '10', '--shard', 'x', url], '--shard must look like I/N with 0 <= I < N, e.g. 0/4, got "x"'],
    ['--shard of 0', () => ['-R', '10', '--shard', '0/0', url], '--shard must look like I/N with 0 <= I < N, e.g. 0/4, got "0/0"'],
    ['--start-at not a time', () => ['-R', '10', '--start-at', 'soon', url], '--start-at must be an ISO-8601 time with its zone (2026-01-02T15:04:05Z) or unix milliseconds, got "soon"'],
    ['--start-at without a zone', () => ['-R', '10', '--start-at', '2026-01-02T15:04:05', url], '--start-at must be an ISO-8601 time with its zone (2026-01-02T15:04:05Z) or unix milliseconds, got "2026-01-02T15:04:05"'],
    ['--start-at more than -d ago', () => ['-R', '10', '-d', '5s', '--start-at', '2020-01-01T00:00:00Z', url], "--start-at 2020-01-01T00:00:00.000Z passed more than the run's length (5s) ago: this shard would miss its whole schedule; give a later instant"],
  ];

  it.each(cases)('%s: exit 2 and one line', async (_name, args, message) => {
    const run = await runCli(args());
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`ratetest: ${message}\n`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).toBe('');
    expect(server.stats.connections).toBe(0);
  });
});
