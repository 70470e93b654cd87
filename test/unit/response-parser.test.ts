import { describe, expect, it } from 'vitest';
import { loadAddon, type NativeParseEvent } from '../../src/native.js';

const { parseResponses } = loadAddon();

const crlf = (s: string) => s.replace(/\n/g, '\r\n');
const ok = (status: number, bodyBytes: number, close = false): Partial<NativeParseEvent> => ({ kind: 'response', status, bodyBytes, close });
const err = (message: string): Partial<NativeParseEvent> => ({ kind: 'error', message });

interface Case {
  name: string;
  input: string;
  head?: boolean;
  eof?: boolean;
  events: Partial<NativeParseEvent>[];
}

// Valid framings, each also fed split at every byte and one byte at a time (below).
const valid: Case[] = [
  { name: '200 with Content-Length', input: crlf('HTTP/1.1 200 OK\nContent-Length: 5\n\nhello'), events: [ok(200, 5)] },
  { name: 'Content-Length 0', input: crlf('HTTP/1.1 200 OK\nContent-Length: 0\n\n'), events: [ok(200, 0)] },
  { name: 'HEAD: no body whatever Content-Length says', input: crlf('HTTP/1.1 200 OK\nContent-Length: 1234\n\n'), head: true, events: [ok(200, 0)] },
  { name: '204 without body', input: crlf('HTTP/1.1 204 No Content\n\n'), events: [ok(204, 0)] },
  { name: '304 without body despite Content-Length', input: crlf('HTTP/1.1 304 Not Modified\nContent-Length: 99\n\n'), events: [ok(304, 0)] },
  { name: '100 Continue then the final response: one event', input: crlf('HTTP/1.1 100 Continue\n\nHTTP/1.1 201 Created\nContent-Length: 2\n\nok'), events: [ok(201, 2)] },
  { name: 'chunked, several chunks', input: crlf('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\n1\n \n5\nworld\n0\n\n'), events: [ok(200, 11)] },
  { name: 'chunked with extensions and trailers', input: crlf('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3;name=v\nabc\n0\nX-Checksum: 1\nX-Other: 2\n\n'), events: [ok(200, 3)] },
  { name: 'chunked upper-case hex', input: crlf('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nA\n0123456789\n0\n\n'), events: [ok(200, 10)] },
  { name: 'Transfer-Encoding: gzip, chunked is chunked', input: crlf('HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\n\n2\nhi\n0\n\n'), events: [ok(200, 2)] },
  { name: 'chunked overrides Content-Length', input: crlf('HTTP/1.1 200 OK\nContent-Length: 100\nTransfer-Encoding: chunked\n\n2\nhi\n0\n\n'), events: [ok(200, 2)] },
  { name: 'Connection: close', input: crlf('HTTP/1.1 200 OK\nConnection: close\nContent-Length: 2\n\nok'), events: [ok(200, 2, true)] },
  { name: 'Connection: Keep-Alive, Close (any token)', input: crlf('HTTP/1.1 200 OK\nConnection: Keep-Alive, Close\nContent-Length: 0\n\n'), events: [ok(200, 0, true)] },
  { name: 'HTTP/1.0 closes by default', input: crlf('HTTP/1.0 200 OK\nContent-Length: 2\n\nok'), events: [ok(200, 2, true)] },
  { name: 'HTTP/1.0 with keep-alive stays open', input: crlf('HTTP/1.0 200 OK\nConnection: keep-alive\nContent-Length: 2\n\nok'), events: [ok(200, 2, false)] },
  { name: 'header names are case-insensitive', input: crlf('HTTP/1.1 200 OK\nCONTENT-length: 3\n\nabc'), events: [ok(200, 3)] },
  { name: 'bare LF line ends', input: 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok', events: [ok(200, 2)] },
  { name: 'no reason phrase', input: crlf('HTTP/1.1 404\nContent-Length: 0\n\n'), events: [ok(404, 0)] },
  { name: 'two pipelined responses', input: crlf('HTTP/1.1 200 OK\nContent-Length: 1\n\naHTTP/1.1 503 Busy\nContent-Length: 2\n\nbb'), events: [ok(200, 1), ok(503, 2)] },
  { name: 'read until close: body ends at EOF', input: crlf('HTTP/1.1 200 OK\n\nstreamed body'), eof: true, events: [ok(200, 13, true)] },
  { name: 'read until close without EOF yet', input: crlf('HTTP/1.1 200 OK\n\nstreamed'), events: [{ kind: 'need-more' }] },
  { name: 'incomplete body', input: crlf('HTTP/1.1 200 OK\nContent-Length: 10\n\nabc'), events: [{ kind: 'need-more' }] },
];

const malformed: Case[] = [
  { name: 'HTTP/2.0 status line', input: 'HTTP/2.0 200 OK\r\n\r\n', events: [err('malformed status line')] },
  { name: 'HTTX/1.1', input: 'HTTX/1.1 200 OK\r\n\r\n', events: [err('malformed status line')] },
  { name: 'two-digit status', input: 'HTTP/1.1 20 OK\r\n\r\n', events: [err('malformed status line')] },
  { name: 'garbage', input: '\x00\x01garbage', events: [err('malformed status line')] },
  { name: 'Content-Length: abc', input: crlf('HTTP/1.1 200 OK\nContent-Length: abc\n\n'), events: [err('invalid Content-Length')] },
  { name: 'conflicting Content-Lengths', input: crlf('HTTP/1.1 200 OK\nContent-Length: 2\nContent-Length: 3\n\nabc'), events: [err('invalid Content-Length')] },
  { name: 'chunk size zz', input: crlf('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nzz\n'), events: [err('invalid chunk size')] },
  { name: 'chunk data longer than its size', input: crlf('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nabc\n0\n\n'), events: [err('chunk data longer than its size')] },
  { name: 'huge chunk size', input: crlf('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nFFFFFFFFFFFFFFFFFF\n'), events: [err('invalid chunk size')] },
  { name: '101 Switching Protocols', input: crlf('HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n'), events: [err('unsupported response (101 Switching Protocols)')] },
  { name: 'status below 100', input: crlf('HTTP/1.1 099 Odd\n\n'), events: [err('status code below 100')] },
  { name: 'space before the colon', input: crlf('HTTP/1.1 200 OK\nContent-Length : 2\n\nok'), events: [err('malformed header name')] },
  { name: 'EOF mid-body', input: crlf('HTTP/1.1 200 OK\nContent-Length: 10\n\nabc'), eof: true, events: [err('connection closed mid-response')] },
];

function parse(c: Case, chunks: string[]) {
  return parseResponses(chunks.map((s) => Buffer.from(s, 'latin1')), c.head ?? false, c.eof ?? false);
}

describe('HTTP/1.1 response framing', () => {
  describe.each([...valid, ...malformed])('$name', (c) => {
    it('in one piece', () => {
      const events = parse(c, [c.input]);
      expect(events).toHaveLength(c.events.length);
      c.events.forEach((e, i) => expect(events[i]).toMatchObject(e));
    });

    it('split at every byte gives the same events', () => {
      const whole = parse(c, [c.input]);
      for (let at = 1; at < c.input.length; at++) {
        expect(parse(c, [c.input.slice(0, at), c.input.slice(at)])).toEqual(whole);
      }
    });

    it('one byte at a time gives the same events', () => {
      expect(parse(c, [...c.input])).toEqual(parse(c, [c.input]));
    });
  });

  it('accepts a 100 KB header value', () => {
    const input = crlf(`HTTP/1.1 200 OK\nX-Big: ${'x'.repeat(100_000)}\nContent-Length: 2\n\nok`);
    expect(parse({ name: '', input, events: [] }, [input])).toMatchObject([ok(200, 2)]);
  });

  it('rejects headers over 256 KiB: "headers exceed 256 KiB"', () => {
    const input = crlf(`HTTP/1.1 200 OK\nX-Big: ${'x'.repeat(300_000)}\nContent-Length: 2\n\nok`);
    expect(parse({ name: '', input, events: [] }, [input])).toMatchObject([err('headers exceed 256 KiB')]);
  });

  it('reports nothing for a connection closed before any byte', () => {
    expect(parseResponses([], false, true)).toEqual([]);
  });
});
