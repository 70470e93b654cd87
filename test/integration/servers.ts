// servers.ts: local servers with known behaviour, on 127.0.0.1 port 0, for the integration tests.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  /** Requests the server has seen (complete request heads). */
  requests: number;
  /** The raw head + body of each request, when `record` was asked for. */
  received: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

export interface HttpServerOptions {
  record?: boolean;
}

export async function httpServer(handler: Handler, options: HttpServerOptions = {}): Promise<TestServer> {
  const state: TestServer = { url: '', port: 0, requests: 0, received: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const n = state.requests++;
    if (options.record) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        state.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        handler(req, res, n);
      });
    } else {
      req.resume();
      handler(req, res, n);
    }
  });
  server.keepAliveTimeout = 60_000;
  return listen(server, state);
}

/** A raw TCP server: `onData` sees each connection's bytes and writes exact replies. */
export async function rawServer(onConnection: (socket: net.Socket, state: TestServer) => void): Promise<TestServer> {
  const state: TestServer = { url: '', port: 0, requests: 0, received: [], close: async () => {} };
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket, state);
  });
  return listen(server, state);
}

async function listen(server: net.Server, state: TestServer): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}/`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

export const BODY = 'hello from the test server\n';

export const plain = (): Promise<TestServer> => httpServer((_req, res) => res.end(BODY));

export const delayed = (delayMs: number): Promise<TestServer> =>
  httpServer((_req, res) => {
    setTimeout(() => res.end(BODY), delayMs);
  });

/**
 * Answers at once, except that every `periodMs` the whole server stalls for `stallMs`: responses
 * due in a stall are held until it ends (a GC pause, a lock, a stop-the-world flush).
 */
export function stalling(periodMs: number, stallMs: number): Promise<TestServer> {
  const start = Date.now();
  return httpServer((_req, res) => {
    const phase = (Date.now() - start) % periodMs;
    const wait = phase >= periodMs - stallMs ? periodMs - phase : 0;
    if (wait > 0) setTimeout(() => res.end(BODY), wait);
    else res.end(BODY);
  });
}

/** The server answers every request with Connection: close. */
export const closing = (): Promise<TestServer> =>
  httpServer((_req, res) => {
    res.setHeader('Connection', 'close');
    res.end(BODY);
  });

/** Chunked responses with a trailer. */
export const chunked = (): Promise<TestServer> =>
  httpServer((_req, res) => {
    res.setHeader('Transfer-Encoding', 'chunked');
    res.setHeader('Trailer', 'X-Checksum');
    res.write('hello ');
    res.write('chunked ');
    res.addTrailers({ 'X-Checksum': 'abc' });
    res.end('world\n');
  });

/** Every 10th request gets a 503. */
export const mixedStatus = (): Promise<TestServer> =>
  httpServer((_req, res, n) => {
    res.statusCode = n % 10 === 9 ? 503 : 200;
    res.end(BODY);
  });

/** Accepts connections and reads requests, never answers. */
export const silent = (): Promise<TestServer> =>
  rawServer((socket, state) => {
    socket.on('data', () => {
      state.requests++;
    });
  });

/** Answers each request with a malformed status line. */
export const malformed = (): Promise<TestServer> =>
  rawServer((socket, state) => {
    socket.on('data', () => {
      state.requests++;
      socket.write('HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });

/** A port with nothing listening on it. */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
