// servers.ts: local servers with known behaviour on 127.0.0.1 port 0, for the integration tests.
// Each counts what it received (stats), so a test checks the CLI's figures against the server's
// own. Loopback only; nothing here knows about ratetest.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TruthRequests } from '../../src/analysis/truth.js';

/** One request as the server saw it (recorded when asked for). */
export interface ReceivedRequest {
  method: string;
  url: string;
  /** Node's parsed headers (lower-case names; duplicates of some names dropped or joined). */
  headers: http.IncomingHttpHeaders;
  /** Every header line as sent, [name, value, name, value, ...], duplicates kept. */
  rawHeaders: string[];
  body: Buffer;
}

export interface ServerStats {
  /** Complete request heads received. */
  requests: number;
  /** TCP connections accepted. */
  connections: number;
  /** Responses sent, by status code (HTTP servers; raw servers leave it empty). */
  status: Record<string, number>;
  /** Each request, when the server records (recording()). */
  received: ReceivedRequest[];
  /** performance.now() of the first and last request received; undefined before any. */
  firstRequestAt: number | undefined;
  lastRequestAt: number | undefined;
  /** Bytes received from / sent to clients, over every connection so far (open or closed). */
  readonly bytesReceived: number;
  readonly bytesSent: number;
}

export interface TestServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  stats: ServerStats;
  close(): Promise<void>;
}

function newStats(sockets: Set<net.Socket>): ServerStats {
  return {
    requests: 0,
    connections: 0,
    status: {},
    received: [],
    firstRequestAt: undefined,
    lastRequestAt: undefined,
    get bytesReceived() {
      let total = 0;
      for (const s of sockets) total += s.bytesRead;
      return total;
    },
    get bytesSent() {
      let total = 0;
      for (const s of sockets) total += s.bytesWritten;
      return total;
    },
  };
}

function countRequest(stats: ServerStats): number {
  const now = performance.now();
  stats.firstRequestAt ??= now;
  stats.lastRequestAt = now;
  return stats.requests++;
}

/** Listens on 127.0.0.1:0; every socket is kept (for byte counts) and destroyed on close(). */
async function listen(server: net.Server, allSockets: Set<net.Socket>, stats: ServerStats): Promise<TestServer> {
  const open = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    stats.connections++;
    allSockets.add(socket);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number, stats: ServerStats) => void;

/** An HTTP/1.1 keep-alive server; `handler` gets the request number n (0, 1, 2, ...). */
export async function httpServer(handler: Handler, options: { record?: boolean } = {}): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const stats = newStats(sockets);
  const server = http.createServer((req, res) => {
    const n = countRequest(stats);
    res.on('finish', () => {
      const code = String(res.statusCode);
      stats.status[code] = (stats.status[code] ?? 0) + 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (options.record) {
        stats.received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
        });
      }
      handler(req, res, n, stats);
    });
  });
  // Never let the server's own idle timers close connections mid-test.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  return listen(server, sockets, stats);
}

/** A raw TCP server: `onConnection` sees each connection and writes exact bytes. */
export async function rawServer(onConnection: (socket: net.Socket, stats: ServerStats) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const stats = newStats(sockets);
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket, stats);
  });
  return listen(server, sockets, stats);
}

/**
 * A raw TCP server that splits requests out of each connection's bytes (head up to CRLF CRLF,
 * then Content-Length bytes of body), counts them, and hands them to `onRequest` one at a time.
 */
export function rawRequestServer(onRequest: (socket: net.Socket, head: string, n: number) => void): Promise<TestServer> {
  return rawServer((socket, stats) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.subarray(end + 4 + length);
        onRequest(socket, head, countRequest(stats));
      }
    });
  });
}

/** Body of the plain servers' responses. */
export const BODY = 'hello from the test server\n';

/** 200 with BODY at once, keep-alive. */
export const plain = (): Promise<TestServer> => httpServer((_req, res) => res.end(BODY));

/** Records every request (method, url, headers, body) and answers 200 "ok". */
export const recording = (): Promise<TestServer> => httpServer((_req, res) => res.end('ok'), { record: true });

/**
 * Calls `fn` no earlier than `atMs` (performance.now() time). Node's timers may fire up to a
 * millisecond early against the wall clock (they count from the loop's cached time), so re-arm
 * until the moment has really come: a server that promises 20 ms must never answer in 19.5.
 */
function at(atMs: number, fn: () => void): void {
  const left = atMs - performance.now();
  if (left <= 0) fn();
  else setTimeout(() => at(atMs, fn), Math.ceil(left));
}

/** Answers every request after at least `delayMs`, measured from the request's arrival. */
export const delayed = (delayMs: number): Promise<TestServer> =>
  httpServer((_req, res) => {
    at(performance.now() + delayMs, () => res.end(BODY));
  });

export interface StallOptions {
  /** First stall starts this long after the first request arrives. */
  firstStallAfterMs: number;
  /** Stalls repeat every periodMs. */
  periodMs: number;
  stallMs: number;
}

/**
 * Answers at once, except during a global pause of `stallMs` every `periodMs` (a GC pause, a
 * lock, a stop-the-world flush): a response due in a stall is held until the stall ends, then
 * all held responses go out together. The clock starts at the first request so a run meets its
 * stalls at known offsets whatever the CLI's start-up time. stats.requests counts all; `held`
 * counts responses that were held. Requests to /t/<k> are logged as the built-in target logs them
 * ([k, arrivalNs, answeredNs] on the monotonic clock), so `truth()` is a log the truth computation
 * (src/analysis/truth.ts) reads.
 */
export async function stalling(options: StallOptions): Promise<TestServer & { held: () => number; truth: () => TruthRequests }> {
  let held = 0;
  const log: [number, number, number | null][] = [];
  const server = await httpServer((req, res, _n, stats) => {
    const now = performance.now();
    const k = /^\/t\/(\d+)/.exec(req.url ?? '')?.[1];
    const entry: [number, number, number | null] | undefined = k !== undefined ? [Number(k), Number(process.hrtime.bigint()), null] : undefined;
    if (entry) log.push(entry);
    const answer = () => {
      res.end(BODY);
      if (entry) entry[2] = Number(process.hrtime.bigint());
    };
    const sinceFirst = now - stats.firstRequestAt! - options.firstStallAfterMs;
    const phase = sinceFirst >= 0 ? sinceFirst % options.periodMs : Infinity;
    if (phase < options.stallMs) {
      held++;
      at(now + (options.stallMs - phase), answer);
    } else {
      answer();
    }
  });
  return { ...server, held: () => held, truth: () => ({ requests: log }) };
}

/** Every response carries Connection: close, and the server closes the connection after it. */
export const closing = (): Promise<TestServer> =>
  httpServer((_req, res) => {
    res.setHeader('Connection', 'close');
    res.end(BODY);
  });

/**
 * HTTP/1.1 with neither Content-Length nor chunked: the body runs until the server closes the
 * connection (RFC 9112 6.3, read-until-close). Written in two pieces, then closed.
 */
export const CLOSE_DELIMITED_BODY = 'body until close\n'.repeat(8);

export const closeDelimited = (): Promise<TestServer> =>
  rawRequestServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n' + CLOSE_DELIMITED_BODY.slice(0, 50));
    setTimeout(() => socket.end(CLOSE_DELIMITED_BODY.slice(50)), 2);
  });

/**
 * Keep-alive, but closes (FIN) any connection left idle for `idleMs` after a response, as servers
 * do when their keep-alive timeout passes. Exact bytes; Node's own keepAliveTimeout is too coarse.
 */
export const IDLE_CLOSING_RESPONSE = `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;

export const idleClosing = (idleMs: number): Promise<TestServer> => {
  const timers = new WeakMap<net.Socket, NodeJS.Timeout>();
  return rawRequestServer((socket) => {
    clearTimeout(timers.get(socket));
    socket.write(IDLE_CLOSING_RESPONSE);
    timers.set(socket, setTimeout(() => socket.end(), idleMs));
  });
};

/** 200 with a body of `bytes` bytes (several reads' worth for a large one). */
export const large = (bytes: number): Promise<TestServer> => {
  const body = Buffer.alloc(bytes, 'x');
  return httpServer((_req, res) => res.end(body));
};

/** Transfer-Encoding: chunked, three chunks and a trailer (Node's own encoder). */
export const chunked = (): Promise<TestServer> =>
  httpServer((_req, res) => {
    res.setHeader('Transfer-Encoding', 'chunked');
    res.setHeader('Trailer', 'X-Checksum');
    res.write('hello ');
    res.write('chunked ');
    res.addTrailers({ 'X-Checksum': 'abc' });
    res.end('world\n');
  });

/**
 * Exact chunked bytes, keep-alive, written in pieces that split the chunk-size line, the chunk
 * data, the trailer and the final CRLF (one macrotask apart, so they arrive as separate reads).
 */
export const RAW_CHUNKED_PIECES = [
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n',
  '6',
  '\r\nhello \r\n',
  '8;ext=1\r\nchun',
  'ked \r\n6\r\nworld\n\r\n0\r\nX-Check',
  'sum: abc\r\n',
  '\r',
  '\n',
];

export const rawChunked = (): Promise<TestServer> =>
  rawRequestServer((socket) => {
    const pieces = [...RAW_CHUNKED_PIECES];
    const next = () => {
      const piece = pieces.shift();
      if (piece === undefined || socket.destroyed) return;
      socket.write(piece);
      setTimeout(next, 1);
    };
    next();
  });

/** Status by request number n % 10; any other remainder answers 200. */
export const MIXED_STATUS: Readonly<Record<number, number>> = { 9: 503, 4: 404, 7: 302, 2: 204 };

/**
 * Status by request number n: n % 10 == 9 -> 503, 4 -> 404, 7 -> 302, 2 -> 204 (no body),
 * else 200, unless `codes` says otherwise. stats.status records what was actually sent.
 */
export const mixedStatus = (codes: Readonly<Record<number, number>> = MIXED_STATUS): Promise<TestServer> =>
  httpServer((_req, res, n) => {
    const code = codes[n % 10] ?? 200;
    res.statusCode = code;
    if (code === 302) res.setHeader('Location', '/elsewhere');
    res.end(code === 204 ? undefined : BODY);
  });

/** Accepts connections and reads requests; never answers. */
export const silent = (): Promise<TestServer> => rawRequestServer(() => {});

/** Answers each request with `statusLine` followed by a valid head and a 2-byte body. */
export const malformed = (statusLine: string): Promise<TestServer> =>
  rawRequestServer((socket) => {
    socket.write(`${statusLine}\r\nContent-Length: 2\r\n\r\nok`, 'latin1');
  });

/** A port nothing listens on: bound to learn a free number, then closed. */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
