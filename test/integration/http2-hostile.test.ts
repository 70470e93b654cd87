// --http2 against servers that misbehave: GOAWAY mid-run, RST_STREAM on every 10th stream, a
// flow-control window that never opens, HEADERS larger than the frame size, garbage after the
// preface. Each is counted, the run ends on time (the CLI's hard deadline fails a hang), and
// nothing crashes (exit 0 with a JSON result).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_BUILT, SANITIZED, accountedFor, runJson } from './run-cli.js';
import { h2Server, headersFrame, rawH2Server } from './h2-servers.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe.skipIf(!ENGINE_BUILT)('--http2 against hostile servers', () => {
  it('GOAWAY after every 20 answers: connections replaced, refused streams sent again, every request accounted for', async () => {
    const server = await h2Server({ goawayAfter: 20, delayMs: 10 });
    close = server.close;
    const { json, stderr, code } = await runJson(['--http2', '--streams', '4', '-R', '200', '-d', '2s', '-c', '2', '-t', '1', server.url]);
    expect(code, stderr).toBe(0);
    // The server tells each session to go once (its close() may send a second GOAWAY, which the
    // client does not count again). A GOAWAY sent after a connection's last answer of the run may
    // still be unread when the client, with nothing left in flight, ends: at most one per connection.
    expect(json.http2!.goaways).toBeLessThanOrEqual(server.stats.goaways);
    expect(json.http2!.goaways).toBeGreaterThanOrEqual(server.stats.goaways - 2);
    expect(json.http2!.goaways).toBeGreaterThan(0);
    expect(server.stats.sessions).toBeGreaterThan(2);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    // A refused stream is sent again, not lost: each written request is answered, failed, or in flight.
    expect(accountedFor(json)).toBe(json.sent);
    expect(json.completed).toBe(server.stats.answered);
    expect(stderr).toMatch(/^  GOAWAYs: \d+ \(connections replaced; \d+ streams sent again\)$/m);
  });

  it('RST_STREAM (INTERNAL_ERROR) on every 10th stream: counted by code, each a read error', async () => {
    const server = await h2Server({ resetEvery: 10 });
    close = server.close;
    const { json, stderr, code } = await runJson(['--http2', '--streams', '2', '-R', '100', '-d', '2s', '-c', '1', '-t', '1', server.url]);
    expect(code, stderr).toBe(0);
    expect(json.http2!.resets).toEqual({ INTERNAL_ERROR: server.stats.reset });
    expect(server.stats.reset).toBe(Math.floor(server.stats.streams / 10));
    expect(json.errors.read).toBe(server.stats.reset);
    expect(json.completed).toBe(server.stats.answered);
    expect(accountedFor(json)).toBe(json.sent);
    expect(stderr).toContain(`  RST_STREAMs: INTERNAL_ERROR ${server.stats.reset}\n`);
  });

  it('a server that never answers every 7th stream: each such stream times out alone (RST_STREAM CANCEL), the connection goes on serving the rest', async () => {
    const server = await h2Server({ neverAnswerEvery: 7 });
    close = server.close;
    // 200 streams, the last unanswered one (196) followed by answered ones, so every unanswered
    // stream is overdue while the connection is plainly alive.
    const { json, stderr, code } = await runJson(['--http2', '--streams', '16', '-R', '200', '-d', '1s', '--timeout', '300ms', '-c', '1', '-t', '1', server.url]);
    expect(code, stderr).toBe(0);
    expect(server.stats.unanswered).toBeGreaterThan(0);
    expect(json.errors.timeout).toBe(server.stats.unanswered);
    expect(json.completed).toBe(server.stats.answered);
    expect(json.status['200']).toBe(server.stats.answered);
    expect(server.stats.sessions).toBe(1);
    expect(accountedFor(json)).toBe(json.sent);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    await vi.waitFor(() => expect(server.stats.cancelled).toBe(server.stats.unanswered), { timeout: 2000 });
  });

  it('a zero flow-control window: request bodies stall, counted; the requests time out', async () => {
    const server = await h2Server({ initialWindowSize: 0 });
    close = server.close;
    const { json, stderr, code } = await runJson(['--http2', '-R', '20', '-d', '1s', '--timeout', '300ms', '-c', '1', '-t', '1', '-b', 'a body that cannot go', server.url]);
    expect(code, stderr).toBe(0);
    expect(json.completed).toBe(0);
    expect(json.http2!.stalledWindows).toBeGreaterThan(0);
    expect(json.errors.timeout).toBeGreaterThan(0);
    expect(accountedFor(json)).toBe(json.sent);
    expect(stderr).toMatch(/^  Stalled windows: \d+ \(request bodies waited on the server's flow-control window\)$/m);
  });

  // A protocol error from the bytes a server sends: under the sanitizers the HTTP/2 fuzzer feeds the
  // glue arbitrary frames, and GOAWAY above drives the connection's replacement.
  it.skipIf(SANITIZED)('HEADERS larger than SETTINGS_MAX_FRAME_SIZE: a protocol error per connection, each a parse error', async () => {
    const server = await rawH2Server({ afterRequest: headersFrame(20_000) });
    close = server.close;
    const { json, stderr, code } = await runJson(['--http2', '-R', '20', '-d', '1s', '-c', '1', '-t', '1', server.url]);
    expect(code, stderr).toBe(0);
    expect(json.completed).toBe(0);
    expect(json.http2!.protocolErrors).toBeGreaterThan(0);
    expect(json.errors.parse).toBeGreaterThan(0);
    expect(accountedFor(json)).toBe(json.sent);
    expect(stderr).toMatch(/^  HTTP\/2 protocol errors: \d+$/m);
  });

  it.skipIf(SANITIZED)('garbage after the server preface: one protocol (parse) error per connection, reopened after a back-off', async () => {
    const server = await rawH2Server({ afterPreface: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') });
    close = server.close;
    const { json, stderr, code } = await runJson(['--http2', '-R', '20', '-d', '1s', '-c', '1', '-t', '1', server.url]);
    expect(code, stderr).toBe(0);
    expect(json.completed).toBe(0);
    expect(json.http2!.protocolErrors).toBeGreaterThan(0);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    // Every connection fails: one parse error each, with or without a request on it (the last
    // one may still be opening, its garbage unread, when the run ends).
    expect(json.errors.parse).toBeLessThanOrEqual(server.connections());
    expect(json.errors.parse).toBeGreaterThanOrEqual(server.connections() - 1);
    expect(json.errors.parse).toBe(json.http2!.protocolErrors);
    // Never a busy loop. A connection that fails carrying requests is reopened at once (they were
    // its errors); one that carried none waits out a 50 ms back-off first. So each connection but
    // the first carried a request or followed a back-off (-c 1: one at a time, from the first
    // accept to the last).
    const accepted = server.acceptedAtMs();
    const backOffs = Math.ceil((accepted.at(-1)! - accepted[0]!) / 50);
    expect(server.connections()).toBeLessThanOrEqual(1 + json.sent + backOffs);
  });
});
