// h2-servers.ts: HTTP/2 servers on 127.0.0.1 port 0 for the integration tests: Node's http2
// module (h2c, and h2 over TLS with the test CA), hostile variants (GOAWAY, RST_STREAM, a stream
// limit of one, a shut flow-control window), and raw sockets that break the protocol. Each counts
// what it saw, so a test checks ratetest's figures against the server's own.
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface H2Stats {
  /** Streams (requests) received. */
  streams: number;
  /** Answered with a response (not reset). */
  answered: number;
  /** Reset by the server on purpose. */
  reset: number;
  /** Left unanswered on purpose (neverAnswerEvery). */
  unanswered: number;
  /** Streams the client reset with CANCEL. */
  cancelled: number;
  /** Sessions (connections) opened. */
  sessions: number;
  /** Sessions told to go (session.goaway(); the close() after it may send a second GOAWAY). */
  goaways: number;
  /** The most streams open on one session at once. */
  maxConcurrent: number;
  /** Every :path, in arrival order. */
  paths: string[];
  /** Headers of the first request, as received. */
  firstHeaders: http2.IncomingHttpHeaders | undefined;
  /** Request bodies received, concatenated. */
  body: string;
}

export interface H2Server {
  url: string;
  port: number;
  stats: H2Stats;
  close(): Promise<void>;
}

export interface H2Options {
  /** TLS with the test CA's leaf: h2 by ALPN (the URL is https://127.0.0.1). */
  tls?: { cert: string; key: string };
  /** SETTINGS_MAX_CONCURRENT_STREAMS. */
  maxConcurrentStreams?: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE: 0 shuts every request body out. */
  initialWindowSize?: number;
  /** Each session sends GOAWAY (NO_ERROR) after answering this many streams, then closes. */
  goawayAfter?: number;
  /** Every n-th stream is reset with INTERNAL_ERROR instead of answered. */
  resetEvery?: number;
  /** Every n-th stream is never answered (nor reset): only the client can end it. */
  neverAnswerEvery?: number;
  /** The answer to the n-th stream (1-based), instead of 200 "ok". */
  answer?: (n: number) => { status: number; headers: Record<string, string>; body: string };
  /** Hold each response this long (ms), so streams overlap. */
  delayMs?: number;
  /** Arrival and answer time of each /t/<k> request, performance.now() ms, keyed by k: the truth log. */
  answers?: Map<number, { arrivedMs: number; answeredMs: number }>;
  /** Queue answers: from stallFirstAtMs after the first request, every stallPeriodMs, for stallMs. */
  stall?: { firstAtMs: number; periodMs: number; stallMs: number };
}

function newStats(): H2Stats {
  return { streams: 0, answered: 0, reset: 0, unanswered: 0, cancelled: 0, sessions: 0, goaways: 0, maxConcurrent: 0, paths: [], firstHeaders: undefined, body: '' };
}

/** When a stalling server may next answer: now, or the end of the stall now under way. */
function answerAt(nowMs: number, startMs: number, stall: NonNullable<H2Options['stall']>): number {
  const sinceFirst = nowMs - startMs - stall.firstAtMs;
  if (sinceFirst < 0) return nowMs;
  const intoPeriod = sinceFirst % stall.periodMs;
  return intoPeriod < stall.stallMs ? nowMs + (stall.stallMs - intoPeriod) : nowMs;
}

export async function h2Server(options: H2Options = {}): Promise<H2Server> {
  const stats = newStats();
  const settings: http2.Settings = {};
  if (options.maxConcurrentStreams !== undefined) settings.maxConcurrentStreams = options.maxConcurrentStreams;
  if (options.initialWindowSize !== undefined) settings.initialWindowSize = options.initialWindowSize;
  const server = options.tls
    ? http2.createSecureServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key), settings })
    : http2.createServer({ settings });
  let firstMs: number | undefined;
  server.on('session', (session) => {
    stats.sessions++;
    session.on('error', () => {});
    let open = 0;
    let answeredHere = 0;
    session.on('stream', (stream, headers) => {
      const n = ++stats.streams;
      open++;
      stats.maxConcurrent = Math.max(stats.maxConcurrent, open);
      stream.on('close', () => {
        open--;
        if (stream.rstCode === http2.constants.NGHTTP2_CANCEL) stats.cancelled++;
      });
      // A stream reset (by us, or by ratetest closing its connection) is an 'error' event.
      stream.on('error', () => {});
      stats.firstHeaders ??= headers;
      const path = String(headers[':path']);
      stats.paths.push(path);
      const arrivedMs = performance.now();
      firstMs ??= arrivedMs;
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (stats.body += chunk));
      if (options.resetEvery !== undefined && n % options.resetEvery === 0) {
        stats.reset++;
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      if (options.neverAnswerEvery !== undefined && n % options.neverAnswerEvery === 0) {
        stats.unanswered++;
        stream.resume();
        return;
      }
      const respond = () => {
        if (stream.destroyed) return;
        const k = /^\/t\/(\d+)/.exec(path);
        if (options.answers && k) options.answers.set(Number(k[1]), { arrivedMs, answeredMs: performance.now() });
        const answer = options.answer?.(n) ?? { status: 200, headers: {}, body: 'ok' };
        stream.respond({ ':status': answer.status, ...answer.headers });
        stream.end(answer.body);
        stats.answered++;
        answeredHere++;
        if (options.goawayAfter !== undefined && answeredHere === options.goawayAfter) {
          stats.goaways++;
          session.goaway(http2.constants.NGHTTP2_NO_ERROR);
          // Streams the GOAWAY left open are still answered; then the session goes.
          setTimeout(() => session.close(), 50);
        }
      };
      const at = options.stall ? answerAt(arrivedMs, firstMs, options.stall) : arrivedMs + (options.delayMs ?? 0);
      // End of the request first (its body, if any), then the answer.
      const go = () => (at > performance.now() ? setTimeout(respond, at - performance.now()) : respond());
      if (stream.readableEnded) go();
      else stream.on('end', go);
      stream.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Sessions ratetest left open would keep close() waiting.
        setTimeout(resolve, 200).unref();
      }),
  };
}

/** An empty SETTINGS frame: the server's side of the connection preface. */
const SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
const CLIENT_PREFACE_BYTES = 24;

export interface RawH2Server {
  url: string;
  /** Connections accepted. */
  connections: () => number;
  /** When each was accepted, performance.now() ms. */
  acceptedAtMs: () => number[];
  close(): Promise<void>;
}

/**
 * A raw TCP server that speaks just enough HTTP/2 to break it: its preface (SETTINGS), then
 * `afterRequest` when the client's first HEADERS frame arrives, or `afterPreface` at once.
 */
export async function rawH2Server(behaviour: { afterPreface?: Buffer; afterRequest?: Buffer }): Promise<RawH2Server> {
  const acceptedAtMs: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    acceptedAtMs.push(performance.now());
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write(SETTINGS);
    if (behaviour.afterPreface) socket.write(behaviour.afterPreface);
    let received = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered || !behaviour.afterRequest) return;
      received = Buffer.concat([received, chunk]);
      // Frames after the client's 24-byte preface: 3-byte length, type, flags, stream id.
      for (let at = CLIENT_PREFACE_BYTES; at + 9 <= received.length; at += 9 + received.readUIntBE(at, 3)) {
        if (received[at + 3] === 1) {
          answered = true;
          socket.write(behaviour.afterRequest);
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    connections: () => acceptedAtMs.length,
    acceptedAtMs: () => [...acceptedAtMs],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A HEADERS frame on stream 1 of `length` bytes: over the 16384-byte default SETTINGS_MAX_FRAME_SIZE when length is. */
export function headersFrame(length: number): Buffer {
  const frame = Buffer.alloc(9 + length, 0x61);
  frame.writeUIntBE(length, 0, 3);
  frame[3] = 1; // HEADERS
  frame[4] = 0x4; // END_HEADERS
  frame.writeUInt32BE(1, 5);
  return frame;
}
