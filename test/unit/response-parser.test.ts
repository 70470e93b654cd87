import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTestAddon, type NativeParseEvent } from '../native-test-addon.js';

const { parseResponses } = loadTestAddon();

const crlf = (s: string) => s.replace(/\n/g, '\r\n');
const ok = (status: number, bodyBytes: number, close = false): Partial<NativeParseEvent> => ({ kind: 'response', status, bodyBytes, close });
const err = (message: string): Partial<NativeParseEvent> => ({ kind: 'error', message });

interface Case {
  name: string;
  input: string;
  head?: boolean;
  eof?: boolean;
  bareLf?: boolean;
  events: Partial<NativeParseEvent>[];
}

// One table for this test and the fuzzer's seed corpus (native/fuzz/run.sh).
const table = JSON.parse(readFileSync(new URL('../fixtures/responses.json', import.meta.url), 'utf8')) as { valid: Case[]; malformed: Case[] };
const wire = (c: Case): Case => ({ ...c, input: c.bareLf ? c.input : crlf(c.input) });
const valid = table.valid.map(wire);
const malformed = table.malformed.map(wire);

function parse(c: Case, chunks: Buffer[]) {
  return parseResponses(chunks, c.head ?? false, c.eof ?? false);
}

function describeEvents(events: Partial<NativeParseEvent>[]): string {
  return events
    .map((e) => {
      if (e.kind === 'error') return `error "${e.message}"`;
      if (e.kind === 'need-more') return 'need more';
      return `${e.status} with ${e.bodyBytes} body bytes, ${e.close ? 'then close' : 'kept alive'}`;
    })
    .join('; ');
}

// The property that matters on a socket: where the reads split a response changes nothing.
// Checks the input in two pieces at every byte position, and one byte per piece.
function expectSameEventsAtEverySplit(c: Case) {
  const bytes = Buffer.from(c.input, 'latin1');
  const whole = parse(c, [bytes]);
  for (let at = 1; at < bytes.length; at++) {
    expect(parse(c, [bytes.subarray(0, at), bytes.subarray(at)]), `split at byte ${at}`).toEqual(whole);
  }
  expectSameEventsByteByByte(c, whole);
}

function expectSameEventsByteByByte(c: Case, whole: NativeParseEvent[]) {
  const bytes = Buffer.from(c.input, 'latin1');
  const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  expect(parse(c, pieces), 'one byte per piece').toEqual(whole);
}

describe('HTTP/1.1 response framing', () => {
  describe.each([...valid, ...malformed])('$name', (c) => {
    it(`gives ${describeEvents(c.events)}`, () => {
      const events = parse(c, [Buffer.from(c.input, 'latin1')]);
      expect(events).toHaveLength(c.events.length);
      c.events.forEach((e, i) => expect(events[i]).toMatchObject(e));
    });

    it('gives the same events split at every byte and fed one byte at a time', () => {
      expectSameEventsAtEverySplit(c);
    });
  });
});

describe('header size limit (256 KiB for the status line and headers, and again for trailers)', () => {
  const head = (valueBytes: number) => crlf(`HTTP/1.1 200 OK\nX-Big: ${'x'.repeat(valueBytes)}\nContent-Length: 2\n\n`);
  // Sizes the one big header value so the status line and headers come to exactly `bytes`.
  const headOf = (bytes: number) => head(bytes - head(0).length);

  it('accepts a 100 KB header value, whole and one byte at a time', () => {
    const c: Case = { name: '', input: `${head(100_000)}ok`, events: [] };
    const whole = parse(c, [Buffer.from(c.input, 'latin1')]);
    expect(whole).toMatchObject([ok(200, 2)]);
    expectSameEventsByteByByte(c, whole);
  });

  it('accepts headers of exactly 256 KiB', () => {
    const c: Case = { name: '', input: `${headOf(256 * 1024)}ok`, events: [] };
    const whole = parse(c, [Buffer.from(c.input, 'latin1')]);
    expect(whole).toMatchObject([ok(200, 2)]);
    expectSameEventsByteByByte(c, whole);
  });

  it('rejects headers of 256 KiB + 1 byte: "headers exceed 256 KiB"', () => {
    const c: Case = { name: '', input: `${headOf(256 * 1024 + 1)}ok`, events: [] };
    const whole = parse(c, [Buffer.from(c.input, 'latin1')]);
    expect(whole).toMatchObject([err('headers exceed 256 KiB')]);
    expectSameEventsByteByByte(c, whole);
  });

  it('rejects a 300 KB header value: "headers exceed 256 KiB"', () => {
    const input = `${head(300_000)}ok`;
    expect(parse({ name: '', input, events: [] }, [Buffer.from(input, 'latin1')])).toMatchObject([err('headers exceed 256 KiB')]);
  });

  it('rejects 3000 short header lines over 256 KiB in all: "headers exceed 256 KiB"', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `X-Header-${i}: ${'v'.repeat(80)}\n`).join('');
    const input = crlf(`HTTP/1.1 200 OK\n${lines}Content-Length: 0\n\n`);
    expect(parse({ name: '', input, events: [] }, [Buffer.from(input, 'latin1')])).toMatchObject([err('headers exceed 256 KiB')]);
  });

  it('counts trailers apart from headers: 200 KB of each is fine', () => {
    const input = crlf(`HTTP/1.1 200 OK\nX-Big: ${'h'.repeat(200_000)}\nTransfer-Encoding: chunked\n\n2\nok\n0\nX-Trailer: ${'t'.repeat(200_000)}\n\n`);
    expect(parse({ name: '', input, events: [] }, [Buffer.from(input, 'latin1')])).toMatchObject([ok(200, 2)]);
  });

  it('rejects trailers over 256 KiB: "headers exceed 256 KiB"', () => {
    const input = crlf(`HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\nX-Trailer: ${'t'.repeat(300_000)}\n\n`);
    expect(parse({ name: '', input, events: [] }, [Buffer.from(input, 'latin1')])).toMatchObject([err('headers exceed 256 KiB')]);
  });
});

describe('end of input', () => {
  it('reports nothing for a connection closed before any byte', () => {
    expect(parseResponses([], false, true)).toEqual([]);
  });

  it('reports nothing for empty reads then a close', () => {
    expect(parseResponses([Buffer.alloc(0), Buffer.alloc(0)], false, true)).toEqual([]);
  });

  it('reports nothing when no byte arrived and the connection is still open', () => {
    expect(parseResponses([], false, false)).toEqual([]);
  });

  it('reads a body without length until the close: need more before it, the whole body after it', () => {
    const input = [Buffer.from(crlf('HTTP/1.1 200 OK\n\nfirst ')), Buffer.from('second')];
    expect(parseResponses(input, false, false)).toMatchObject([{ kind: 'need-more' }]);
    expect(parseResponses(input, false, true)).toEqual([{ kind: 'response', status: 200, bodyBytes: 12, close: true, message: '' }]);
  });
});
