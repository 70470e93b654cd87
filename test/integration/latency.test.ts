import { afterAll, describe, expect, it } from 'vitest';
import { ms, runJson } from './run-cli.js';
import { delayed, stalling, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('latency against known server delays', () => {
  it('reports percentiles near a fixed 20 ms server delay', async () => {
    const server = await delayed(20);
    servers.push(server);
    const { json } = await runJson(['-R', '200', '-d', '3s', '-c', '20', '-t', '1', server.url]);
    expect(json.completed).toBeGreaterThanOrEqual(590);
    const corrected = json.latency.corrected.percentilesNs;
    expect(ms(corrected['50']!)).toBeGreaterThanOrEqual(19.9);
    expect(ms(corrected['50']!)).toBeLessThan(30);
    expect(ms(json.latency.uncorrected.percentilesNs['50']!)).toBeGreaterThanOrEqual(19.9);
  });

  it('shows a 500 ms stall in the corrected tail that the uncorrected tail hides', async () => {
    // The server stalls for the last 500 ms of every 5 s; a 6 s run at 2000 req/s meets one stall.
    // ~1000 of 12000 requests fall due in it, waiting 0-500 ms: corrected p99 ~ 440 ms, while only
    // the 50 requests in flight at the stall's start see it uncorrected.
    const server = await stalling(5000, 500);
    servers.push(server);
    const { json } = await runJson(['-R', '2000', '-d', '6s', '-c', '50', '-t', '2', server.url], 40_000);
    const corrected = ms(json.latency.corrected.percentilesNs['99']!);
    const uncorrected = ms(json.latency.uncorrected.percentilesNs['99']!);
    expect(corrected).toBeGreaterThan(300);
    expect(corrected).toBeLessThan(550);
    expect(corrected).toBeGreaterThan(5 * uncorrected);
    expect(ms(json.latency.corrected.percentilesNs['50']!)).toBeLessThan(20);
  });
});
