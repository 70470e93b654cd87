// --metrics-port is scraped during a real run (counters grow between two scrapes), closes with
// the run, and a port in use fails before the run; --prom-file holds the final values, which
// equal the JSON result's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runCli, sleep, startCli, waitFor } from './run-cli.js';
import { mixedStatus, type TestServer } from './servers.js';

function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(sample + ' ') || l.startsWith(sample.replace(/}$/, ',')));
  if (!line) throw new Error(`no sample ${sample} in:\n${text}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.skipIf(!ENGINE_BUILT)('Prometheus metrics', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await mixedStatus();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-prom-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics during the run, counters growing, and writes the final values to --prom-file', async () => {
    const prom = join(dir, 'final.prom');
    const json = join(dir, 'run.json');
    const started = startCli(['-R', '300', '-d', '3s', '-c', '4', '-t', '1', '--metrics-port', '0', '--prom-file', prom, '--json', json, server.url]);
    let stderr = '';
    started.child.stderr!.on('data', (d: Buffer) => (stderr += d));
    await waitFor(() => /Metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/.test(stderr), 'the metrics address');
    const url = /Metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr)![1]!;
    await sleep(1300);
    const first = await (await fetch(url)).text();
    await sleep(1000);
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const second = await response.text();
    const sent = (t: string) => value(t, 'ratetest_requests_sent_total{url="' + server.url + '"}');
    expect(sent(first)).toBeGreaterThan(0);
    expect(sent(second)).toBeGreaterThan(sent(first));
    expect(value(second, 'ratetest_target_rate{url="' + server.url + '"}')).toBeGreaterThan(250);
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);

    const run = await started.done;
    expect(run.code, run.stderr).toBe(0);
    // Closed with the run.
    await expect(fetch(url)).rejects.toThrow();

    const result = JSON.parse(readFileSync(json, 'utf8'));
    const text = readFileSync(prom, 'utf8');
    const label = `url="${server.url}"`;
    expect(value(text, `ratetest_requests_sent_total{${label}}`)).toBe(result.sent);
    for (const [code, count] of Object.entries(result.status)) expect(value(text, `ratetest_responses_total{code="${code}",${label}}`)).toBe(count);
    expect(value(text, `ratetest_latency_seconds_count{${label}}`)).toBe(result.completed);
    expect(value(text, `ratetest_latency_seconds_bucket{le="+Inf",${label}}`)).toBe(result.completed);
    expect(value(text, `ratetest_errors_total{kind="timeout",${label}}`)).toBe(result.errors.timeout);
  });

  it('a --metrics-port in use: one line, exit 2, no request sent', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const before = server.stats.requests;
    try {
      const run = await runCli(['-R', '100', '-d', '1s', '--metrics-port', String(port), server.url]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([`ratetest: --metrics-port ${port} cannot listen on 127.0.0.1: the port is in use`]);
      expect(server.stats.requests).toBe(before);
    } finally {
      blocker.close();
    }
    const bad = await runCli(['-R', '100', '--metrics-port', 'http', server.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metrics-port must be a port number');
  });
});
