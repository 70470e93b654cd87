// ratetest target: the ready line, the truth log (bounded, says when full, reset by DELETE), a
// clean stop on Ctrl-C, stalls on schedule as the target's own log shows them, and one line with
// exit 2 for each bad option.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BUILT, ENGINE_BUILT, runCli, STACK_FRAME } from './run-cli.js';
import { startTargetCli, type RunningTarget } from './target-cli.js';
import type { TruthJson } from '../../src/target/truth-log.js';

describe.skipIf(!CLI_BUILT)('ratetest target: bad options are one line and exit 2', () => {
  const cases: [string[], string][] = [
    [['--port', '70000'], 'ratetest target: --port must be a whole number from 0 to 65535, got "70000"'],
    [['--stall', '300ms'], 'ratetest target: --stall must look like 300ms/2s (stall length/period), got "300ms"'],
    [['--stall', '2s/1s'], 'ratetest target: --stall length must be > 0 and shorter than its period, got "2s/1s"'],
    [['--delay', 'soon'], 'ratetest target: --delay must be a duration like 30s, 2m or 500ms, got "soon"'],
    [['--body-size', 'big'], 'ratetest target: --body-size must be a whole number like 100 or 10k, got "big"'],
    [['--body-size', '100m'], 'ratetest target: --body-size must be at most 67108864 bytes (64 MiB), got "100m"'],
    [['--truth-limit', '0'], 'ratetest target: --truth-limit must be from 1 to 100000000, got "0"'],
    [['--bogus'], "ratetest target: unknown option '--bogus'"],
    [['extra'], 'ratetest target: unexpected argument "extra" (ratetest target takes only flags)'],
  ];
  for (const [flags, message] of cases) {
    it(`${flags.join(' ')}: "${message}"`, async () => {
      const run = await runCli(['target', ...flags]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`${message}\n`);
      expect(run.stdout).toBe('');
    });
  }

  it('a port in use: says so and how to choose another', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const run = await runCli(['target', '--port', String(port)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`ratetest target: cannot listen on 127.0.0.1:${port}: the port is in use (choose another with --port, or --port 0 for any free one)\n`);
      expect(run.stderr).not.toMatch(STACK_FRAME);
    } finally {
      holder.close();
    }
  });
});

describe.skipIf(!CLI_BUILT)('ratetest target: the truth log', () => {
  let target: RunningTarget;
  beforeAll(async () => {
    target = await startTargetCli(['--truth-limit', '5', '--body-size', '100']);
  }, 30_000);
  afterAll(() => target?.stop());

  it('prints one ready line', () => {
    expect(target.cli.child.pid).toBeGreaterThan(0);
    expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('answers any path with the body size asked for; logs only /t/<k>', async () => {
    const res = await fetch(`${target.url}anything`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(100);
    expect((await target.truth()).requests).toEqual([]);
  });

  it('keeps at most --truth-limit requests, then says it is full, and DELETE resets it', async () => {
    for (let k = 1; k <= 8; k++) expect((await fetch(`${target.url}t/${k}`)).status).toBe(200);
    const full: TruthJson = await target.truth();
    expect(full).toMatchObject({ schema: 'ratetest/truth/v1', limit: 5, full: true, notRecorded: 3 });
    expect(full.requests.map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
    for (const [, arrival, answered] of full.requests) expect(answered!).toBeGreaterThanOrEqual(arrival);
    const reset = await fetch(`${target.url}__truth`, { method: 'DELETE' });
    expect(reset.status).toBe(204);
    expect(await target.truth()).toMatchObject({ full: false, notRecorded: 0, requests: [] });
    await fetch(`${target.url}t/9`);
    expect((await target.truth()).requests.map((r) => r[0])).toEqual([9]);
  });

  it('stops on Ctrl-C with exit 0, having said once on stderr that the log was full', async () => {
    const run = await target.stop();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ratetest target: listening on http:\/\/127\.0\.0\.1:\d+\/; \/t\/<k> requests logged at http:\/\/127\.0\.0\.1:\d+\/__truth \(up to 5\); Ctrl-C stops\n/);
    expect(run.stdout).toMatch(/\nratetest target: stopped \(1 numbered requests in the truth log\)\n$/);
    expect(run.stderr).toBe('ratetest target: the truth log is full (5 requests); later requests are answered but not logged until DELETE /__truth\n');
  });
});

describe.skipIf(!ENGINE_BUILT)('ratetest target --stall 100ms/1s under -R 1000: stalls on schedule, as its own log shows', () => {
  const LENGTH_NS = 100e6;
  const EVERY_NS = 1e9;
  let truth: TruthJson;
  /**
   * 10 ms, plus however long the target's own event loop was held up by other processes (its
   * log says): a timer cannot fire while the process is not running.
   */
  let slackNs: number;
  beforeAll(async () => {
    const target = await startTargetCli(['--stall', '100ms/1s']);
    try {
      // 200 connections: a stall holds ~100 requests, so none waits in ratetest for a connection.
      const run = await runCli(['-R', '1000', '-d', '4500ms', '-c', '200', '-t', '1', `${target.url}t/{{seq}}`], 40_000);
      expect(run.code, run.stderr).toBe(0);
      truth = await target.truth();
      slackNs = 10e6 + truth.eventLoopDelayMaxNs;
    } finally {
      await target.stop();
    }
  }, 60_000);

  it('stalled every period from the first request, and held every answer due in a stall until its end', () => {
    const origin = truth.stall!.originNs!;
    // Stalls at 1 s, 2 s, 3 s and 4 s into a 4.5 s run; one that met no request leaves no record.
    expect(truth.stalls.length).toBeGreaterThanOrEqual(3);
    for (const [startNs, releasedNs, held] of truth.stalls) {
      expect((startNs - origin) % EVERY_NS).toBe(0);
      expect(startNs - origin).toBeGreaterThanOrEqual(EVERY_NS);
      // Arrival times are the target's own: whatever the client's pace, what arrived in the window was held.
      const inStall = truth.requests.filter(([, arrival]) => arrival >= startNs && arrival < startNs + LENGTH_NS);
      expect(inStall.length).toBe(held);
      // Released at the stall's end: its length, never less, within 10 ms; each held answer then
      // written in that same turn of the target's loop, none before the end.
      expect(releasedNs - startNs - LENGTH_NS).toBeGreaterThanOrEqual(0);
      expect(releasedNs - startNs - LENGTH_NS).toBeLessThan(slackNs);
      for (const [, , answered] of inStall) {
        expect(answered!).toBeGreaterThanOrEqual(startNs + LENGTH_NS);
        expect(answered! - releasedNs).toBeLessThan(slackNs);
      }
    }
  });

  it('answered everything outside the stalls at once (within 10 ms)', () => {
    const inAnyStall = (arrival: number) => truth.stalls.some(([start]) => arrival >= start && arrival < start + LENGTH_NS);
    const outside = truth.requests.filter(([, arrival]) => !inAnyStall(arrival));
    expect(outside.length + truth.stalls.reduce((sum, s) => sum + s[2], 0)).toBe(truth.requests.length);
    const late = outside.filter(([, arrival, answered]) => answered === null || answered - arrival >= slackNs);
    expect(late).toEqual([]);
  });
});

describe.skipIf(!CLI_BUILT)('ratetest target --delay 20ms', () => {
  it('answers no sooner than 20 ms after each arrival, as its own log shows', async () => {
    const target = await startTargetCli(['--delay', '20ms']);
    try {
      for (let k = 1; k <= 5; k++) expect((await fetch(`${target.url}t/${k}`)).status).toBe(200);
      const truth = await target.truth();
      expect(truth.delayNs).toBe(20e6);
      expect(truth.requests.map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
      for (const [, arrival, answered] of truth.requests) expect(answered! - arrival).toBeGreaterThanOrEqual(20e6);
    } finally {
      expect((await target.stop()).code).toBe(0);
    }
  }, 30_000);
});
