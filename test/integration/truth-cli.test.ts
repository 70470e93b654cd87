// ratetest truth on hand-made logs whose true latencies are known (request k took k ms): exactly
// those percentiles, at a constant rate and on stages; bad input is one line and exit 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BUILT, runCli } from './run-cli.js';
import { constantIntendedNs, handMadeLog, STAGED_COUNT, STAGES, stagedIntendedNs } from '../fixtures/truth-logs.js';
import { emptyHistogram, highestEquivalentValue } from '../../src/result/histogram.js';

/** A percentile as ratetest reports its own: the top of the bucket holding the value. */
const reported = (ns: number) => highestEquivalentValue(emptyHistogram(), ns);
const msText = (ns: number) => (reported(ns) / 1e6).toFixed(3);

describe.skipIf(!CLI_BUILT)('ratetest truth', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ratetest-truth-'));
    writeFileSync(file('constant.json'), JSON.stringify(handMadeLog(1000, constantIntendedNs)));
    writeFileSync(file('staged.json'), JSON.stringify(handMadeLog(STAGED_COUNT, stagedIntendedNs)));
    writeFileSync(file('full.json'), JSON.stringify({ ...handMadeLog(10, constantIntendedNs), limit: 10, full: true, notRecorded: 5 }));
    writeFileSync(file('not-json.json'), 'GET /__truth');
    writeFileSync(file('no-requests.json'), '{"schema": "x"}');
    writeFileSync(file('bad-entry.json'), '{"requests": [[1, 5, 6], [0, 5, 6]]}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('-R 1000 on requests 1..1000 that took k ms: p50 500 ms, p90 900, p99 990, p99.9 999, max 1000 (as text and JSON)', async () => {
    const run = await runCli(['truth', file('constant.json'), '-R', '1000', '--json', '-']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      schema: 'ratetest/truth-percentiles/v1',
      answered: 1000,
      unanswered: 0,
      notRecorded: 0,
      firstK: 1,
      lastK: 1000,
      percentilesNs: { '50': reported(500e6), '90': reported(900e6), '99': reported(990e6), '99.9': reported(999e6) },
      // The maximum is the exact value recorded, as in ratetest's own reports.
      maxNs: 1000e6,
    });
    // With --json - the text goes to stderr.
    expect(run.stderr).toBe(
      `Truth of ${file('constant.json')} at -R 1000: 1000 requests answered (k 1..1000)\n` +
        '  True corrected latency (ms): answered_k - (T0 + intended(k)), T0 = min_k(arrival_k - intended(k))\n' +
        `  p50     ${msText(500e6).padStart(12)} ms\n` +
        `  p90     ${msText(900e6).padStart(12)} ms\n` +
        `  p99     ${msText(990e6).padStart(12)} ms\n` +
        `  p99.9   ${msText(999e6).padStart(12)} ms\n` +
        `  max         1000.000 ms\n`,
    );
  });

  it(`--stages '${STAGES}' on requests 1..150 that took k ms: p50 75 ms, p90 135, p99 149, p99.9 150`, async () => {
    const run = await runCli(['truth', file('staged.json'), '--stages', STAGES, '--json', '-']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).percentilesNs).toEqual({ '50': reported(75e6), '90': reported(135e6), '99': reported(149e6), '99.9': reported(150e6) });
  });

  it('says when the log was full, and that the figures cover only the logged requests', async () => {
    const run = await runCli(['truth', file('full.json'), '-R', '1000']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[2]).toBe(
      '  The log was full: 5 later requests were answered but not logged, so these figures cover only the logged ones (raise the target\'s --truth-limit).',
    );
  });

  const cases: [string[], string][] = [
    [['truth', 'FILE:constant.json'], 'ratetest truth: give the schedule the requests were sent on: -R <rate> or --stages <list> (one of them)'],
    [['truth', 'FILE:constant.json', '-R', '1k', '--stages', STAGES], 'ratetest truth: give the schedule the requests were sent on: -R <rate> or --stages <list> (one of them)'],
    [['truth', 'FILE:constant.json', '-R', 'fast'], 'ratetest truth: -R/--rate must be a number like 2000, 20k or 1.5m, got "fast"'],
    [['truth', 'FILE:constant.json', '-R', '0'], 'ratetest truth: -R/--rate must be > 0, got "0"'],
    [['truth', 'FILE:constant.json', '--stages', '10s'], `ratetest truth: --stages must look like '30s:1k,2m:20k,10s:0' (duration:target rate, comma-separated), got "10s" in "10s"`],
    [['truth', '-R', '1k'], "ratetest truth: missing required argument 'truth.json'"],
    [['truth', 'FILE:missing.json', '-R', '1k'], 'ratetest truth: cannot read FILE:missing.json: ENOENT'],
    [['truth', 'FILE:not-json.json', '-R', '1k'], 'ratetest truth: FILE:not-json.json: not valid JSON ('],
    [['truth', 'FILE:no-requests.json', '-R', '1k'], 'ratetest truth: FILE:no-requests.json: not a truth log (expected {"requests": [[k, arrivalNs, answeredNs], ...]}, as GET /__truth returns)'],
    [['truth', 'FILE:bad-entry.json', '-R', '1k'], 'ratetest truth: FILE:bad-entry.json: requests[1] must be [k >= 1, arrivalNs, answeredNs or null], got [0,5,6]'],
    [['truth', 'FILE:constant.json', '--stages', '1s:100'], 'ratetest truth: FILE:constant.json: request k=1000 lies beyond the schedule, which holds 50 requests'],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')}: one line, exit 2`, async () => {
      const run = await runCli(args.map((a) => (a.startsWith('FILE:') ? file(a.slice(5)) : a)));
      expect(run.code).toBe(2);
      const expected = message.replace(/FILE:(\S+?)(:|$)/g, (_m, name: string, end: string) => file(name) + end);
      if (expected.endsWith('(')) expect(run.stderr.startsWith(expected) && run.stderr.split('\n').length === 2).toBe(true);
      else expect(run.stderr).toBe(`${expected}\n`);
    });
  }
});
