// -L and -U: the detailed percentile spectrum (HdrHistogram's standard layout) of the corrected
// latencies, and with -U the uncorrected ones as well; without them, only the summary table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

const ARGS = ['-R', '50', '-d', '1s', '-c', '2', '-t', '1'];
const SPECTRUM = '  Detailed Percentile spectrum:';
const UNCORRECTED = '  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without taking delayed starts into account))';

/** The "Total count" figures of each spectrum's footer. */
const totalCounts = (text: string) => [...text.matchAll(/Total count += +(\d+)\]/g)].map((m) => Number(m[1]));
/** The report's "N requests in" figure: requests completed (how many of the 50 is pace). */
const completed = (text: string) => Number(/^ +(\d+) requests in /m.exec(text)?.[1]);

describe.skipIf(!ENGINE_BUILT)('-L and -U', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await plain();
  });
  afterAll(() => server?.close());

  it('without -L: the distribution summary, no spectrum', async () => {
    const run = await runCli([...ARGS, server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('  Latency Distribution (HdrHistogram - Recorded Latency)\n');
    expect(run.stdout).toMatch(/^ 99\.000% +\d/m);
    expect(run.stdout).not.toContain(SPECTRUM);
    expect(run.stdout).not.toContain(UNCORRECTED);
  });

  it('-L: one spectrum, of every completed request', async () => {
    const run = await runCli([...ARGS, '-L', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split(SPECTRUM)).toHaveLength(2);
    expect(run.stdout).toMatch(/^ +Value +Percentile +TotalCount 1\/\(1-Percentile\)$/m);
    expect(run.stdout).not.toContain(UNCORRECTED);
    expect(completed(run.stdout)).toBeGreaterThan(0);
    expect(totalCounts(run.stdout)).toEqual([completed(run.stdout)]);
  });

  it('-U: the corrected and the uncorrected spectrum', async () => {
    const run = await runCli([...ARGS, '-U', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(UNCORRECTED);
    expect(run.stdout.split(SPECTRUM)).toHaveLength(3);
    expect(completed(run.stdout)).toBeGreaterThan(0);
    expect(totalCounts(run.stdout)).toEqual([completed(run.stdout), completed(run.stdout)]);
  });
});
