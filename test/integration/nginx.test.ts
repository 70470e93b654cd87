import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JS module shared with bench/
import { findNginx, NGINX_BODY, startNginx } from '../../bench/nginx.mjs';
import { expectAccounted, skipIfBusy, untilPaced } from './pace.js';
import { ENGINE_BUILT, ms, runJson } from './run-cli.js';

const binary = findNginx() as string | undefined;

describe.skipIf(!binary || !ENGINE_BUILT)('against nginx', () => {
  let nginx: { url: string; stop(): void };
  beforeAll(async () => {
    nginx = await startNginx(binary);
  });
  afterAll(() => nginx?.stop());

  it('holds 5000 req/s over 200 connections on 2 threads with every response a 200', async (ctx) => {
    const run = await untilPaced(() => runJson(['-R', '5k', '-d', '3s', '-c', '200', '-t', '2', nginx.url]));
    const { json } = run;
    expectAccounted(json, 15_000);
    expect(json.status).toEqual({ '200': json.completed });
    expect(json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    // nginx's response: its headers plus the fixed body, the same size every time.
    expect(json.bytesRead % json.completed).toBe(0);
    expect(json.bytesRead / json.completed).toBeGreaterThan(NGINX_BODY.length);
    // Holding the rate is pace: judged only when the run says the machine let it be.
    skipIfBusy(ctx, run);
    expect(json.sent).toBe(15_000);
    expect(ms(json.latency.uncorrected.percentilesNs['50']!)).toBeLessThan(50);
  });
});

describe.skipIf(!binary || !ENGINE_BUILT)('against nginx over HTTP/2', () => {
  let nginx: { url: string; httpsUrl?: string; h2cUrl?: string; caFile?: string; stop(): void };
  beforeAll(async () => {
    nginx = await startNginx(binary, { tls: true, http2: true });
  });
  afterAll(() => nginx?.stop());

  it.each([
    ['h2c (prior knowledge)', () => [nginx.h2cUrl!], 'h2c'],
    ['h2 (TLS, ALPN)', () => ['--ca', nginx.caFile!, nginx.httpsUrl!], 'h2'],
  ])('%s: 2000 req/s over 4 connections of 10 streams, every response a 200', async (_name, target, protocol) => {
    const { json } = await runJson(['--http2', '--streams', '10', '-R', '2k', '-d', '2s', '-c', '4', '-t', '2', ...target()]);
    expect(json.protocol).toBe(protocol);
    expect(json.scheduled).toBe(4_000);
    expect(json.sent + json.notSent).toBe(4_000);
    expect(json.completed).toBe(json.sent);
    expect(json.status).toEqual({ '200': json.completed });
    expect(json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(json.http2!.goaways).toBe(0);
    expect(json.http2!.protocolErrors).toBe(0);
  });
});
