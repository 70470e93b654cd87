import { readFileSync } from 'node:fs';
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
  bareLf?: boolean;
  events: Partial<NativeParseEvent>[];
}

// One table for this test and the fuzzer's seed corpus (native/fuzz/run.sh).
const table = JSON.parse(readFileSync(new URL('../fixtures/responses.json', import.meta.url), 'utf8')) as { valid: Case[]; malformed: Case[] };
const wire = (c: Case): Case => ({ ...c, input: c.bareLf ? c.input : crlf(c.input) });
const valid = table.valid.map(wire);
const malformed = table.malformed.map(wire);

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
