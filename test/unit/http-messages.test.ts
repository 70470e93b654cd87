// The script layer's HTTP framing: several requests returned by one request() call are cut
// apart (bodies by Content-Length); a tapped raw response is split into headers and body, and
// a chunked body de-chunked, as wrk hands them to response().
import { describe, expect, it } from 'vitest';
import { splitRequests, splitResponse } from '../../src/script/http-messages.js';

describe('splitRequests', () => {
  it('cuts pipelined requests apart, bodies included', () => {
    const a = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n';
    const b = 'POST /b HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\n\r\nhello';
    const c = 'GET /c HTTP/1.1\r\n\r\n';
    expect(splitRequests(Buffer.from(a + b + c))).toEqual([a.length, b.length, c.length]);
  });

  it('refuses what is not whole requests', () => {
    expect(splitRequests(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n'))).toBeNull();
    expect(splitRequests(Buffer.from('hello world\r\n\r\n'))).toBeNull();
    expect(splitRequests(Buffer.from('POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort'))).toBeNull();
    expect(splitRequests(Buffer.alloc(0))).toBeNull();
  });
});

describe('splitResponse', () => {
  it('gives the headers as sent and the body as bytes', () => {
    const body = Buffer.from([0, 1, 2, 255]);
    const raw = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nX-Token: abc\r\nContent-Length: 4\r\n\r\n'), body]);
    const { headers, body: got } = splitResponse(raw);
    expect(headers).toEqual([
      ['X-Token', 'abc'],
      ['Content-Length', '4'],
    ]);
    expect(got.equals(body)).toBe(true);
  });

  it('de-chunks a chunked body, ignoring extensions and trailers', () => {
    const raw = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n');
    expect(splitResponse(raw).body.toString()).toBe('hello world');
  });

  it('copes with a response cut short (the capture limit)', () => {
    expect(splitResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le')).body).toHaveLength(0);
  });
});
