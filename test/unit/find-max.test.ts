import { describe, expect, it } from 'vitest';
import { findMax, judgeStep, SEARCH_DEFAULTS, type SearchOptions } from '../../src/analysis/find-max.js';
import type { Result } from '../../src/result/result.js';
import { parseCriterion } from '../../src/analysis/criteria.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

/** A fake server: p99 1 ms up to `capacity`, 500 ms above it. `cpuBoundFrom`: the generator starves from there. */
function fakeServer(capacity: number, cpuBoundFrom = Infinity, stallAt?: { rate: number; times: number }) {
  const rates: number[] = [];
  const probe = async (rate: number): Promise<Result> => {
    rates.push(rate);
    const slow = rate > capacity;
    const starved = rate >= cpuBoundFrom;
    // A stalled machine: the schedule slips with the pump's core mostly idle.
    const stalled = stallAt !== undefined && rate === stallAt.rate && stallAt.times-- > 0;
    return syntheticResult({
      config: { ...syntheticResult().config, rate },
      achievedRate: starved ? rate * 0.7 : rate,
      corrected: histogramOf([[slow || starved || stalled ? 500e6 : 1e6, 1000]]),
      // A starved pump sends late and burns its core.
      sendLag: histogramOf([[starved || stalled ? 20e6 : 20e3, 1000]]),
      threads: [{ completed: 1000, cpuNs: starved ? 9.9e9 : 1e9, perSecond: [] }],
    });
  };
  return { rates, probe };
}

const options = (over: Partial<SearchOptions> = {}): SearchOptions => ({ ...SEARCH_DEFAULTS, slos: [parseCriterion('p99<50ms', '--slo')], from: 1000, to: 100_000, ...over });

describe('find-max search', () => {
  it('ramps geometrically, bisects to the precision, and confirms the answer', async () => {
    const server = fakeServer(5000);
    const search = await findMax(options(), { probe: server.probe });
    expect(server.rates.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(search.answer.maxRate).toBeLessThanOrEqual(5000);
    expect(search.answer.maxRate).toBeGreaterThanOrEqual(5000 / 1.05);
    expect(search.answer.lowestFail).toBeGreaterThan(5000);
    expect(search.answer.bracket).toBeLessThanOrEqual(0.05);
    expect(search.answer.confirmed).toBe(true);
    expect(search.steps.at(-1)).toMatchObject({ kind: 'confirm', rate: search.answer.maxRate, outcome: 'pass' });
  });

  it('tries --to itself last and says the limit lies higher when every step passes', async () => {
    const server = fakeServer(1e9);
    const search = await findMax(options({ to: 10_000 }), { probe: server.probe });
    expect(server.rates).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(search.answer).toMatchObject({ maxRate: 10_000, lowestFail: undefined, reachedTo: true, confirmed: true });
  });

  it('answers nothing when --from already fails', async () => {
    const search = await findMax(options(), { probe: fakeServer(500).probe });
    expect(search.steps).toHaveLength(1);
    expect(search.answer).toMatchObject({ maxRate: undefined, lowestFail: 1000, confirmed: undefined });
  });

  it('re-runs a step once when the schedule slipped with CPU to spare (a stalled machine)', async () => {
    const once = fakeServer(5000, Infinity, { rate: 2000, times: 1 });
    const search = await findMax(options(), { probe: once.probe });
    expect(once.rates.slice(0, 4)).toEqual([1000, 2000, 2000, 4000]);
    expect(search.steps[1]).toMatchObject({ rate: 2000, outcome: 'generator', selfCheck: { cause: 'unknown' } });
    expect(search.steps[2]).toMatchObject({ rate: 2000, outcome: 'pass' });
    expect(search.answer.maxRate).toBeGreaterThanOrEqual(5000 / 1.05);

    // Stalled again: the ramp ends there, as generator-limited, after one retry.
    const twice = fakeServer(5000, Infinity, { rate: 2000, times: 2 });
    const limited = await findMax(options(), { probe: twice.probe });
    expect(twice.rates.slice(0, 3)).toEqual([1000, 2000, 2000]);
    expect(twice.rates[3]).toBeLessThan(2000);
    expect(limited.answer.generatorLimitedAt).toBe(2000);
  });

  it('does not count a generator-limited step as the server failing', async () => {
    const server = fakeServer(1e9, 6000);
    const search = await findMax(options(), { probe: server.probe });
    expect(search.steps.find((s) => s.rate === 8000)?.outcome).toBe('generator');
    expect(search.answer.lowestFail).toBeUndefined();
    expect(search.answer.generatorLimitedAt).toBeGreaterThanOrEqual(6000);
    expect(search.answer.maxRate).toBeLessThan(6000);
  });

  it('reports an answer that did not hold on its re-run as unconfirmed', async () => {
    let calls = 0;
    const base = fakeServer(3000);
    // The fourth probe (after 1000, 2000, 4000 and the refinements) — make the confirm fail.
    const search = await findMax(options({ maxRefineSteps: 0 }), {
      probe: async (rate) => (++calls === 4 ? base.probe(1e9) : base.probe(rate)),
    });
    expect(search.steps.map((s) => s.kind)).toEqual(['ramp', 'ramp', 'ramp', 'confirm']);
    expect(search.answer).toMatchObject({ maxRate: 2000, lowestFail: 4000, confirmed: false });
  });

  it('stops between steps when asked, keeping what it has', async () => {
    const server = fakeServer(5000);
    const search = await findMax(options(), { probe: server.probe, stopped: () => server.rates.length >= 2 });
    expect(search.steps).toHaveLength(2);
    expect(search.answer).toMatchObject({ maxRate: 2000, interrupted: true, confirmed: undefined });
  });
});

describe('find-max output', () => {
  it('prints a generator-limited row with the self-check advice under it, and the answer with its limit', async () => {
    const { formatAnswer, tableRow } = await import('../../src/cli/find-max.js');
    const search = await findMax(options(), { probe: fakeServer(1e9, 6000).probe });
    const starved = search.steps.find((s) => s.outcome === 'generator')!;
    const row = tableRow(starved);
    expect(row).toMatch(/^    ramp      8000 +5600\.0 .* generator-limited \(generator-cpu\): not counted against the server\n/);
    expect(row).toContain('The generator, not the server, limited this run');
    const answer = formatAnswer(search, options());
    expect(answer).toContain(`Highest rate meeting p99<50ms: ${search.answer.maxRate} req/s`);
    expect(answer).toMatch(/The generator could not produce \d+\/s on this machine: the server may sustain more/);
  });

  it('prints a failed step with each missed SLO in its own unit, errors as a share of requests scheduled', async () => {
    const { tableRow } = await import('../../src/cli/find-max.js');
    const slos = ['p99<50ms', 'errors<1%', 'rate>=95%', 'non2xx=0'].map((s) => parseCriterion(s, '--slo'));
    // 10,000 scheduled: 9,900 answered, 150 of them 503, and 100 timed out: 250 failed, 2.5%.
    const result = syntheticResult({
      completed: 9900,
      non2xx3xx: 150,
      achievedRate: 990,
      errors: { connect: 0, read: 0, write: 0, timeout: 100, parse: 0 },
      corrected: histogramOf([[60e6, 9900]]),
    });
    const row = tableRow(judgeStep('ramp', 1000, result, slos));
    expect(row).toMatch(/ 2\.50% FAIL p99 60\.03ms \(p99<50ms\), errors 2\.50% \(errors<1%\), non2xx 150 \(non2xx=0\)\n$/);
  });

  it('reads its flags, and refuses the ones it sets itself', async () => {
    const { parseFindMaxArgs } = await import('../../src/cli/find-max.js');
    const argv = (...args: string[]) => ['node', 'ratetest', ...args, 'http://127.0.0.1:8080/'];
    const request = parseFindMaxArgs(argv('--slo', 'p99<50ms', '--slo', 'errors<1%', '--from', '1k', '--to', '20k', '--step-duration', '3s', '-c', '50', '--precision', '2%'));
    expect(request.search).toMatchObject({ from: 1000, to: 20_000, precision: 0.02 });
    expect(request.search.slos.map((s) => s.text)).toEqual(['p99<50ms', 'errors<1%']);
    expect(request.options).toMatchObject({ connections: 50, durationMs: 3000 });
    expect(() => parseFindMaxArgs(argv('--from', '1k', '--to', '2k'))).toThrow(/needs at least one --slo/);
    expect(() => parseFindMaxArgs(argv('--slo', 'p99<50ms', '--from', '1k'))).toThrow(/needs --from and --to/);
    expect(() => parseFindMaxArgs(argv('--slo', 'p99<50ms', '--from', '1k', '--to', '2k', '-d', '5s'))).toThrow(/instead of --duration/);
    expect(() => parseFindMaxArgs(argv('--slo', 'p99<50ms', '--from', '1k', '--to', '2k', '--step-duration', '500ms'))).toThrow(/at least 1s/);
    expect(() => parseFindMaxArgs(argv('--slo', 'p99 50ms', '--from', '1k', '--to', '2k'))).toThrow(/--slo must look like/);
  });
});

describe('find-max --html', () => {
  it('plots p50/p99/p99.9 against rate, one point per step, passes filled, and marks the answer', async () => {
    const { findMaxHtml } = await import('../../src/report/find-max-html.js');
    const { parseFindMaxArgs } = await import('../../src/cli/find-max.js');
    const search = await findMax(options(), { probe: fakeServer(5000).probe });
    const request = parseFindMaxArgs(['node', 'ratetest', '--slo', 'p99<50ms', '--from', '1k', '--to', '100k', 'http://127.0.0.1:8080/']);
    expect(parseFindMaxArgs(['node', 'ratetest', '--slo', 'p99<50ms', '--from', '1k', '--to', '2k', '--html', 'knee.html', 'http://127.0.0.1:8080/']).html).toBe('knee.html');
    const html = findMaxHtml(search, request);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<circle /g)).toHaveLength(3 * search.steps.length);
    expect(html.match(/<polyline /g)).toHaveLength(3);
    expect(html).toContain(`Answer: ${search.answer.maxRate} req/s (failed at ${search.answer.lowestFail} req/s)`);
    expect(html).toContain('SLOs: p99&lt;50ms.');
    expect(html).toContain(`<title>8000/s fail: p99 500.`);
  });
});
