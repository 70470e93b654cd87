// Too few connections for the rate: 2 connections to a server that takes 100 ms can carry only
// 20 of the 100 req/s asked for. Requests wait for a connection with their latency clock running
// (so the corrected latencies grow), the rest are never sent, and the self-check says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, accountedFor, pctMs, runJson } from './run-cli.js';
import { delayed, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('too few connections (-R 100 -d 2s -c 2 against a 100 ms server)', () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    server = await delayed(100);
    run = await runJson(['-R', '100', '-d', '2s', '-c', '2', '-t', '1', server.url]);
  });
  afterAll(() => server?.close());

  it('sends what 2 connections can carry and counts the rest as not sent', () => {
    const { json } = run;
    expect(run.code, run.stderr).toBe(0);
    expect(json.scheduled).toBe(200);
    // At most one request per connection per 100 ms, plus the two in flight at the end.
    expect(json.sent).toBeLessThanOrEqual(2 * 20 + 2);
    expect(json.sent).toBeGreaterThan(0);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    expect(json.queued).toBeGreaterThan(0);
    expect(json.queued).toBeLessThanOrEqual(json.scheduled);
    expect(accountedFor(json)).toBe(json.sent);
  });

  it('charges the wait for a connection to the corrected latency, not the uncorrected', () => {
    // Request k goes out ~k/20 s in but was due at k/100 s: by the end it waited ~1.6 s.
    expect(pctMs(run.json, 'corrected', '50')).toBeGreaterThan(3 * pctMs(run.json, 'uncorrected', '99'));
    expect(pctMs(run.json, 'corrected', '100')).toBeGreaterThan(1000);
    expect(pctMs(run.json, 'sendLag', '100')).toBeGreaterThan(1000);
  });

  it('blames the connections, and every share it quotes is at most 100%', () => {
    const check = run.json.selfCheck;
    expect(check).toMatchObject({ ok: false, verdict: 'too-few-connections' });
    expect(run.stderr).toContain('\nWARNING: requests waited for a free connection, the server slow to free one (self-check: too-few-connections)');
    const text = check.messages.join('\n');
    expect(text).toMatch(/connections/);
    // "x% of requests ...": a share of the requests cannot exceed all of them.
    const shares = [...text.matchAll(/(\d+(?:\.\d+)?)%/g)].map((m) => Number(m[1]));
    expect(shares.length, text).toBeGreaterThan(0);
    for (const share of shares) expect(share, text).toBeLessThanOrEqual(100);
    expect(run.stderr).toContain('\nWARNING: ');
  });
});
