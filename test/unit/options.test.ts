import { describe, expect, it } from 'vitest';
import { DEFAULTS, validate, version } from '../../src/options.js';

const base = { url: 'http://127.0.0.1:8080/api?x=1', rate: 1000 };

describe('validate', () => {
  it('applies the defaults', () => {
    const config = validate(base);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      durationMs: DEFAULTS.durationMs,
      threads: DEFAULTS.threads,
      connections: DEFAULTS.connections,
      timeoutMs: DEFAULTS.timeoutMs,
      method: 'GET',
    });
  });

  it('defaults the port to 80 and the path to /', () => {
    const config = validate({ url: 'http://localhost', rate: 1 });
    expect(config.port).toBe(80);
    expect(config.request.toString()).toMatch(/^GET \/ HTTP\/1\.1\r\nHost: localhost\r\n/);
  });

  it('strips the brackets of an IPv6 literal', () => {
    expect(validate({ url: 'http://[::1]:9000/', rate: 1 }).host).toBe('::1');
  });

  it('rejects rate 0: "--rate must be > 0, got 0"', () => {
    expect(() => validate({ ...base, rate: 0 })).toThrow('--rate must be > 0, got 0');
  });

  it('rejects fewer connections than threads', () => {
    expect(() => validate({ ...base, threads: 4, connections: 2 })).toThrow(
      '--connections (2) must be >= --threads (4): each thread needs a connection',
    );
  });

  it('raises the default connections to the thread count', () => {
    expect(validate({ ...base, threads: 16 }).connections).toBe(16);
  });

  it.each([
    ['ftp://x/', 'URL must start with http://, got "ftp://x/"'],
    ['not a url', 'URL must look like http://host[:port]/path, got "not a url"'],
    ['https://example.test/', 'https:// is not supported yet; use an http:// URL, got "https://example.test/"'],
  ])('rejects URL %s', (url, message) => {
    expect(() => validate({ ...base, url })).toThrow(message);
  });

  it('rejects threads 0: "--threads must be a whole number from 1 to 256, got 0"', () => {
    expect(() => validate({ ...base, threads: 0 })).toThrow('--threads must be a whole number from 1 to 256, got 0');
  });

  it('rejects a header without a colon', () => {
    expect(() => validate({ ...base, headers: ['NoColon'] })).toThrow('--header must look like "Name: value", got "NoColon"');
  });

  it('rejects a header with a line break (request smuggling)', () => {
    expect(() => validate({ ...base, headers: ['X: a\r\nY: b'] })).toThrow(/--header must look like/);
  });
});

describe('request bytes', () => {
  it('builds a GET with Host and User-Agent', () => {
    expect(validate(base).request.toString()).toBe(
      `GET /api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ratetest/${version()}\r\n\r\n`,
    );
  });

  it('makes a request with a body a POST with its Content-Length', () => {
    const request = validate({ ...base, body: '{"a":1}' }).request.toString();
    expect(request).toBe(
      `POST /api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ratetest/${version()}\r\nContent-Length: 7\r\n\r\n{"a":1}`,
    );
  });

  it('lets user headers replace Host and User-Agent', () => {
    const request = validate({ ...base, headers: ['host: example.test', 'User-Agent: me', 'X-Trace:  1 '] }).request.toString();
    expect(request).toBe('GET /api?x=1 HTTP/1.1\r\nhost: example.test\r\nUser-Agent: me\r\nX-Trace: 1\r\n\r\n');
  });

  it('sends Content-Length: 0 on a bodiless PUT', () => {
    expect(validate({ ...base, method: 'put' }).request.toString()).toContain('PUT /api?x=1 HTTP/1.1\r\n');
    expect(validate({ ...base, method: 'put' }).request.toString()).toContain('Content-Length: 0\r\n');
  });
});
