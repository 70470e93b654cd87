import { describe, expect, it } from 'vitest';
import { DEFAULTS, validate, version } from '../../src/config/options.js';
import { UsageError } from '../../src/common/errors.js';

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
    ['ftp://x/', 'URL must start with http:// or https://, got "ftp://x/"'],
    ['not a url', 'URL must look like http://host[:port]/path, got "not a url"'],
  ])('rejects URL %s', (url, message) => {
    expect(() => validate({ ...base, url })).toThrow(message);
  });

  it('takes https: port 443 by default, verification on, the host as the TLS server name', () => {
    const config = validate({ url: 'https://example.test/a', rate: 1 });
    expect(config.port).toBe(443);
    expect(config.tls).toEqual({ serverName: 'example.test', verify: true, caFile: undefined, certFile: undefined, keyFile: undefined });
    expect(config.request.toString()).toMatch(/^GET \/a HTTP\/1\.1\r\nHost: example\.test\r\n/);
  });

  it('https with an IPv6 literal: the server name without brackets, Host with them', () => {
    const config = validate({ url: 'https://[::1]:8443/', rate: 1, insecure: true });
    expect(config.tls).toMatchObject({ serverName: '::1', verify: false });
    expect(config.request.toString()).toContain('\r\nHost: [::1]:8443\r\n');
  });

  it('http has no TLS settings, and rejects TLS flags', () => {
    expect(validate(base).tls).toBeUndefined();
    expect(() => validate({ ...base, caFile: '/etc/hostname' })).toThrow('--ca applies to https:// URLs only, got "http://127.0.0.1:8080/api?x=1"');
  });

  it('--cert needs --key', () => {
    expect(() => validate({ url: 'https://x/', rate: 1, keyFile: '/etc/hostname' })).toThrow('--cert and --key go together');
  });

  it('defaults: pipeline 1, connect timeout separate from the request timeout', () => {
    const config = validate({ ...base, timeoutMs: 5000 });
    expect(config.pipeline).toBe(1);
    expect(config.connectTimeoutMs).toBe(DEFAULTS.connectTimeoutMs);
    expect(validate({ ...base, connectTimeoutMs: 250, pipeline: 8 })).toMatchObject({ connectTimeoutMs: 250, pipeline: 8 });
  });

  it('rejects --pipeline beyond 1024 and an empty --unix-socket', () => {
    expect(() => validate({ ...base, pipeline: 2000 })).toThrow('--pipeline must be a whole number from 1 to 1024, got 2000');
    expect(() => validate({ ...base, unixSocket: '' })).toThrow('--unix-socket must be a socket path of 1 to 103 bytes, got ""');
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

describe('validate: --io-engine', () => {
  const only = '--io-engine io_uring carries plain HTTP/1.1 only (http:// without --http2)';

  it('defaults to epoll', () => {
    expect(validate(base).ioEngine).toBe('epoll');
  });

  it.skipIf(process.platform !== 'linux')('takes io_uring for plain HTTP/1.1, pipelined or not', () => {
    expect(validate({ ...base, ioEngine: 'io_uring', pipeline: 4 }).ioEngine).toBe('io_uring');
  });

  it.skipIf(process.platform !== 'linux')('rejects io_uring with https, --http2 and gRPC, and an engine it does not know', () => {
    expect(() => validate({ ...base, url: 'https://127.0.0.1/', ioEngine: 'io_uring' })).toThrow(`${only}, got "https://127.0.0.1/"`);
    expect(() => validate({ ...base, http2: true, ioEngine: 'io_uring' })).toThrow(`${only}, got --http2`);
    expect(() => validate({ ...base, http2: true, grpc: true, ioEngine: 'io_uring' })).toThrow(`${only}, got a gRPC run`);
    expect(() => validate({ ...base, ioEngine: 'kqueue' as 'epoll' })).toThrow('--io-engine must be epoll or io_uring, got "kqueue"');
  });
});

describe('validate: messages', () => {
  it.each([
    [{ rate: -5 }, '--rate must be > 0, got -5'],
    [{ rate: Number.NaN }, '--rate must be > 0, got NaN'],
    [{ durationMs: 0 }, '--duration must be > 0, got 0ms'],
    [{ durationMs: 99_999 * 3_600_000 }, '--duration must be at most a year (8760h), got 99999h'],
    [{ timeoutMs: -1 }, '--timeout must be > 0, got -1ms'],
    [{ batchUs: 3_600_000_000 }, '--batch must be from 0 to 10ms, got 1h'],
    [{ threads: 257 }, '--threads must be a whole number from 1 to 256, got 257'],
    [{ threads: 1.5 }, '--threads must be a whole number from 1 to 256, got 1.5'],
    [{ connections: 0 }, '--connections must be a whole number from 1 to 1000000, got 0'],
    [{ connections: 1_000_001 }, '--connections must be a whole number from 1 to 1000000, got 1000001'],
    [{ threads: 40, connections: 20 }, '--connections (20) must be >= --threads (40): each thread needs a connection'],
    [{ headers: [': no name'] }, '--header must look like "Name: value", got ": no name"'],
    [{ headers: ['Bad Name: x'] }, '--header must look like "Name: value", got "Bad Name: x"'],
    [{ method: 'GE T' }, '--method must be an HTTP method like GET or POST, got "GE T"'],
    [{ url: 'http://:80/' }, 'URL must look like http://host[:port]/path, got "http://:80/"'],
  ])('rejects %j: %s', (overrides, message) => {
    const attempt = () => validate({ ...base, ...overrides });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('rejects a header with a NUL byte', () => {
    expect(() => validate({ ...base, headers: ['X: a\0b'] })).toThrow('--header must look like "Name: value", got "X: a\0b"');
  });

  it('accepts the limits: 1 and 256 threads, 1 000 000 connections', () => {
    expect(validate({ ...base, threads: 1, connections: 1 }).threads).toBe(1);
    expect(validate({ ...base, threads: 256 }).connections).toBe(256);
    expect(validate({ ...base, connections: 1_000_000 }).connections).toBe(1_000_000);
  });
});

describe('validate: the parsed URL', () => {
  it('keeps path and query for the request line, without the fragment', () => {
    expect(validate({ ...base, url: 'http://h/a/b?c=d&e#frag' }).pathAndQuery).toBe('/a/b?c=d&e');
  });

  it('marks HEAD requests so the pump expects no body', () => {
    expect(validate({ ...base, method: 'head' })).toMatchObject({ method: 'HEAD', headRequest: true });
    expect(validate(base).headRequest).toBe(false);
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

  it('turns credentials in the URL into Basic authentication', () => {
    const request = validate({ url: 'http://al%20ice:s3cr%3At@127.0.0.1:8080/', rate: 1 }).request.toString();
    expect(request).toContain(`Authorization: Basic ${Buffer.from('al ice:s3cr:t').toString('base64')}\r\n`);
  });

  it('keeps a user-given Authorization over URL credentials', () => {
    const request = validate({ url: 'http://u:p@127.0.0.1/', rate: 1, headers: ['Authorization: Bearer x'] }).request.toString();
    expect(request).toContain('Authorization: Bearer x\r\n');
    expect(request).not.toContain('Basic');
  });

  it('sends Content-Length: 0 on a bodiless PUT', () => {
    expect(validate({ ...base, method: 'put' }).request.toString()).toContain('PUT /api?x=1 HTTP/1.1\r\n');
    expect(validate({ ...base, method: 'put' }).request.toString()).toContain('Content-Length: 0\r\n');
  });

  it('leaves the default port 80 out of Host and keeps an IPv6 literal bracketed', () => {
    expect(validate({ url: 'http://example.test:80/', rate: 1 }).request.toString()).toContain('\r\nHost: example.test\r\n');
    expect(validate({ url: 'http://[::1]:9000/', rate: 1 }).request.toString()).toContain('\r\nHost: [::1]:9000\r\n');
  });

  it('keeps a user-set Content-Length instead of adding one', () => {
    const request = validate({ ...base, method: 'POST', headers: ['content-length: 3'], body: 'abc' }).request.toString();
    expect(request).toBe(`POST /api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\ncontent-length: 3\r\nUser-Agent: ratetest/${version()}\r\n\r\nabc`);
  });

  it('sends a HEAD request without Content-Length', () => {
    expect(validate({ ...base, method: 'HEAD' }).request.toString()).toBe(
      `HEAD /api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ratetest/${version()}\r\n\r\n`,
    );
  });

  it('sends a Buffer body byte for byte', () => {
    const body = Buffer.from([0, 1, 254, 255]);
    const request = validate({ ...base, body }).request;
    expect(request.subarray(request.length - 4)).toEqual(body);
    expect(request.toString('latin1')).toContain('Content-Length: 4\r\n\r\n');
  });

  it('encodes header values as UTF-8, as curl does', () => {
    const request = validate({ ...base, headers: ['X-Name: 日本'] }).request;
    expect(request.includes(Buffer.from('X-Name: 日本\r\n', 'utf8'))).toBe(true);
  });
});
