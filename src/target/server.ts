// server.ts: the built-in target (`ratetest target`, `ratetest demo`): answers every request,
// after an optional fixed delay and across scheduled stalls, and logs numbered requests (/t/<k>)
// in its truth log (GET /__truth reads it, DELETE /__truth resets it). The request handler speaks
// only the request/response surface that node:http and node:http2's compatibility API share, so
// an HTTP/2 listener can serve the same handler; today only HTTP/1.1 listens.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TruthLog, type TruthJson } from './truth-log.js';
import { stallAt, type StallSchedule } from './stall.js';

export interface TargetOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Added to every answer, ns. */
  delayNs: number;
  stall?: StallSchedule;
  /** Body of every answer to a request other than /__truth, bytes. */
  bodySize: number;
  /** Numbered requests the truth log keeps. */
  truthLimit: number;
  /** Called once when the truth log fills up (until the next DELETE /__truth). */
  onTruthFull?: () => void;
}

export interface Target {
  /** http://host:port/ (IPv6 hosts bracketed). */
  url: string;
  port: number;
  /** The truth log as GET /__truth returns it. */
  truth(): TruthJson;
  /** Numbered requests recorded so far. */
  recorded(): number;
  close(): Promise<void>;
}

/** The part of a request both node:http and node:http2's compatibility API give. */
interface TargetRequest {
  method?: string | undefined;
  url?: string | undefined;
}
/** The part of a response both give. */
interface TargetResponse {
  statusCode: number;
  setHeader(name: string, value: string | number): unknown;
  end(body?: string | Buffer): unknown;
}
type Handler = (req: TargetRequest, res: TargetResponse) => void;

const NUMBERED = /^\/t\/(\d{1,15})(?:[/?#]|$)/;
const TRUTH_PATH = /^\/__truth(?:\?|$)/;

const monotonicNs = () => process.hrtime.bigint();

/**
 * Calls `fn` no earlier than `atNs` on the monotonic clock. Node's timers count from the loop's
 * cached time and may fire up to a millisecond early, so re-arm until the moment has come: a
 * 200 ms stall must never release at 199.5 ms.
 */
function at(atNs: bigint, fn: () => void): void {
  const leftMs = Number(atNs - monotonicNs()) / 1e6;
  if (leftMs <= 0) fn();
  else setTimeout(() => at(atNs, fn), Math.ceil(leftMs));
}

/** The handler and its state: the truth log, the clock origin, the stalls in progress. */
function targetHandler(options: TargetOptions, log: TruthLog): { handler: Handler; truth: () => TruthJson; stop: () => void } {
  const body = Buffer.alloc(options.bodySize, 'x');
  // Sampled every 5 ms (200 wake-ups a second): how late this process's own timers ran.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let originNs = monotonicNs();
  // The stall clock starts at the first numbered request after the origin, so a run meets its
  // stalls at known offsets whatever its own start-up time.
  let stallOriginNs: bigint | undefined;
  // The stall now holding answers: its start (since the stall origin) and the answers it holds.
  let holding: { startNs: number; release: (() => void)[] } | undefined;
  const since = (t: bigint) => Number(t - originNs);

  const send = (res: TargetResponse, slot: number) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Content-Length', body.length);
    res.end(body);
    log.answered(slot, since(monotonicNs()));
  };

  /** Answers at `dueNs`, or at the end of the stall that covers it. */
  const answerAt = (res: TargetResponse, slot: number, dueNs: bigint) => {
    const stall = options.stall && stallOriginNs !== undefined ? stallAt(options.stall, Number(dueNs - stallOriginNs)) : undefined;
    if (!stall) {
      if (dueNs <= monotonicNs()) send(res, slot);
      else at(dueNs, () => answerAt(res, slot, dueNs));
      return;
    }
    if (holding?.startNs !== stall.startNs) {
      const current = { startNs: stall.startNs, release: [] as (() => void)[] };
      holding = current;
      const origin = stallOriginNs!;
      at(origin + BigInt(stall.endNs), () => {
        if (holding === current) holding = undefined;
        const releasedNs = since(monotonicNs());
        for (const release of current.release) release();
        log.stalled(since(origin + BigInt(stall.startNs)), releasedNs, current.release.length);
      });
    }
    holding.release.push(() => send(res, slot));
  };

  const handler: Handler = (req, res) => {
    const arrival = monotonicNs();
    const url = req.url ?? '/';
    if (TRUTH_PATH.test(url)) {
      if (req.method === 'GET') {
        const text = JSON.stringify(truth());
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Content-Length', Buffer.byteLength(text));
        res.end(text);
      } else if (req.method === 'DELETE') {
        log.clear();
        loopDelay.reset();
        originNs = monotonicNs();
        stallOriginNs = undefined;
        holding = undefined;
        res.statusCode = 204;
        res.end();
      } else {
        res.statusCode = 405;
        res.setHeader('Allow', 'GET, DELETE');
        res.end('GET /__truth reads the log; DELETE /__truth resets it\n');
      }
      return;
    }
    const numbered = NUMBERED.exec(url);
    let slot = -1;
    if (numbered) {
      stallOriginNs ??= arrival;
      const wasFull = log.full && log.notRecorded > 0;
      slot = log.arrived(Number(numbered[1]), since(arrival));
      if (slot < 0 && !wasFull) options.onTruthFull?.();
    }
    answerAt(res, slot, arrival + BigInt(options.delayNs));
  };

  const truth = () =>
    log.toJson({
      delayNs: options.delayNs,
      eventLoopDelayMaxNs: loopDelay.count > 0 ? loopDelay.max : 0,
      stall: options.stall ? { ...options.stall, originNs: stallOriginNs === undefined ? null : since(stallOriginNs) } : null,
    });
  return { handler, truth, stop: () => loopDelay.disable() };
}

/** An HTTP/1.1 keep-alive listener for the handler. */
async function listenHttp1(handler: Handler, host: string, port: number): Promise<{ server: http.Server; sockets: Set<Socket> }> {
  const server = http.createServer(handler);
  // A load test's connections stay open between bursts: never let Node's idle timers close them.
  server.keepAliveTimeout = 0;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, sockets };
}

export async function startTarget(options: TargetOptions): Promise<Target> {
  const log = new TruthLog(options.truthLimit);
  const { handler, truth, stop } = targetHandler(options, log);
  const { server, sockets } = await listenHttp1(handler, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    truth,
    recorded: () => log.size,
    close: () =>
      new Promise<void>((resolve) => {
        stop();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
