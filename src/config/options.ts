// options.ts: the typed options of a run, their defaults (defined here and nowhere else), and
// validate(), which turns options into a RunConfig or throws one UsageError naming the option.
import { readFileSync } from 'node:fs';
import { UsageError } from '../common/errors.js';
import { loadAddon, type NativeLimits } from '../addon/native.js';
import { formatDurationShort } from '../common/units.js';
import { version } from '../common/version.js';
import type { RequestSpec, ScriptOptions } from './request-spec.js';
import { validateShape, type ShapeConfig, type ShapeOptions } from './shape.js';

/** Options of one run. Numbers carry their unit in their name; rates are per second. */
export interface RunOptions extends ShapeOptions {
  /** Target URL: http://host[:port]/path?query. */
  url: string;
  /**
   * Total requests per second over all threads, or 'max' for closed-loop mode. Required unless
   * `stages` is given: ratetest never guesses a rate.
   */
  rate?: number | 'max';
  /** Length of the measured run in milliseconds. */
  durationMs?: number;
  /** Pump threads, each with its own connections and share of the rate. */
  threads?: number;
  /** Connections kept open, over all threads; at least `threads`. */
  connections?: number;
  /** Per-request timeout in milliseconds, from the request's write. */
  timeoutMs?: number;
  /** Connect timeout in milliseconds: TCP connect plus, for https, the TLS handshake. */
  connectTimeoutMs?: number;
  /** Requests in flight per connection at most (HTTP/1.1 pipelining); 1 = one at a time. */
  pipeline?: number;
  /** HTTP/2: h2 negotiated by ALPN on https:// URLs, h2c with prior knowledge on http:// URLs. */
  http2?: boolean;
  /**
   * HTTP/2 streams in flight per connection at most (h2load's -m); the server's
   * SETTINGS_MAX_CONCURRENT_STREAMS lowers it. Needs `http2`.
   */
  streams?: number;
  /** Connect to this Unix domain socket instead of the URL's host and port (the URL still gives Host and path). */
  unixSocket?: string;
  /** https: skip certificate verification. */
  insecure?: boolean;
  /** https: PEM file of the certificates to trust instead of the system store. */
  caFile?: string;
  /** https: PEM client certificate (chain) for mutual TLS; needs keyFile. */
  certFile?: string;
  /** https: PEM private key of certFile. */
  keyFile?: string;
  /** HTTP method; GET, or POST when a body is given. */
  method?: string;
  /** Extra request headers, "Name: value" each; a Host or User-Agent here replaces ratetest's. */
  headers?: string[];
  /** Request body. */
  body?: string | Buffer;
  /**
   * Request bodies used one per request instead of `body`: body k mod n for request k (in order,
   * then again), or a random one per request with `random` (seeded by `seed`). Bytes as they
   * are, never expanded as templates.
   */
  bodies?: BodyList;
  /** Every request is a gRPC call: count responses by grpc-status (Result.grpc). Needs `http2`. */
  grpc?: boolean;
  /**
   * Send window in microseconds: a pump wakes at most once per window and sends every request
   * due by then (each still timed from its own intended send time). Larger windows cost less CPU
   * and add up to one window of send lag; 0 wakes for each request.
   */
  batchUs?: number;
  /**
   * How the pumps wait and move bytes: 'epoll' (the default; kqueue outside Linux) or 'io_uring'
   * (Linux, plain HTTP/1.1 only: one io_uring_enter submits a window's sends and collects its
   * responses). io_uring costs less CPU per request with a send window of 500us or more.
   */
  ioEngine?: IoEngine;
  /**
   * Width of the series' intervals in milliseconds (result.intervals, the JSON's series, the
   * HdrHistogram interval log, the HTML charts); 10 at the finest. The pumps cut the intervals
   * themselves, so each is exact however fine.
   */
  intervalMs?: number;
  /**
   * Several requests instead of the one given by url/method/headers/body, each chosen per request
   * by its weight (a request file's content). Headers from `headers` apply to every request.
   */
  requests?: RequestSpec[];
  /** CSV file whose rows feed {{csv.column}} placeholders, one row per request. */
  csvFile?: string;
  /** Row order: 'sequential' (file order, wrapping around; the default) or 'random'. */
  csvOrder?: 'sequential' | 'random';
  /**
   * Seed for --arrival poisson (POISSON_SEED_DEFAULT when absent) and for {{rand}}, {{uuid}},
   * {{pick}} and random CSV rows (random when absent); 0 to 2^53 - 1.
   */
  seed?: number;
  /** A process to sample (CPU%, RSS, open fds) each second during the run: the server's pid. */
  monitorPid?: number;
  /** A wrk/wrk2 Lua script or a JavaScript module with wrk's hooks (-s); see src/script/. */
  script?: ScriptOptions;
  /**
   * Keep each interval's corrected and uncorrected histograms in result.intervals (compressed,
   * a few KB a second), as an HdrHistogram interval log (formatHdrLog) needs. Off by default, so
   * that long runs hold only each second's figures.
   */
  intervalHistograms?: boolean;
}

/** Several pre-built request bodies (a gRPC --data-file's encoded messages). */
export interface BodyList {
  /** Names the source in messages, e.g. "--data-file calls.jsonl". */
  source: string;
  bodies: Buffer[];
  random: boolean;
}

export const DEFAULTS = {
  durationMs: 10_000,
  threads: 2,
  connections: 10,
  timeoutMs: 2_000,
  connectTimeoutMs: 2_000,
  pipeline: 1,
  streams: 1,
  batchUs: 100,
  intervalMs: 1000,
  ioEngine: 'epoll',
} as const;

export type IoEngine = 'epoll' | 'io_uring';

/**
 * The limits a run is checked against. The native side owns the one table (native/limits.h) and
 * checks the plan against it again; the CLI's messages quote the same numbers.
 */
export function limits(): NativeLimits {
  return loadAddon().limits;
}

/** Everything a run needs, checked. */
export interface RunConfig extends ShapeConfig {
  url: URL;
  /** Host name or address, IPv6 without its brackets. */
  host: string;
  port: number;
  /** What follows the host on the request line: path and query, "/" at least. */
  pathAndQuery: string;
  threads: number;
  connections: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  pipeline: number;
  /** HTTP/2 (h2 or h2c); false = HTTP/1.1. */
  http2: boolean;
  /** HTTP/2 streams in flight per connection at most (1 without http2). */
  streams: number;
  /** gRPC calls: responses are counted by grpc-status. */
  grpc: boolean;
  /** Unix domain socket to connect to instead of host:port. */
  unixSocket: string | undefined;
  /** https settings; undefined for http. */
  tls: TlsConfig | undefined;
  batchUs: number;
  ioEngine: IoEngine;
  /** Width of the series' intervals. */
  intervalMs: number;
  method: string;
  /** Responses carry no body (HEAD), so the parser must not wait for one. */
  headRequest: boolean;
  headers: string[];
  body: Buffer;
  /** The request exactly as it goes on the wire. */
  request: Buffer;
}

export interface TlsConfig {
  /** SNI and the name the server's certificate must match: the URL's host. */
  serverName: string;
  verify: boolean;
  caFile: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
}

export { version };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkInteger(value: number, flag: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`URL must look like http://host[:port]/path, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`URL must start with http:// or https://, got "${text}"`);
  }
  if (url.hostname === '') throw new UsageError(`URL has no host, got "${text}"`);
  return url;
}

function checkHeader(header: string): void {
  const colon = header.indexOf(':');
  const name = colon > 0 ? header.slice(0, colon) : '';
  if (!TOKEN.test(name) || /[\r\n\0]/.test(header)) {
    throw new UsageError(`--header must look like "Name: value", got "${header}"`);
  }
}

/** A file the run will read, checked now so a typo fails before the run, not in OpenSSL. */
function checkReadable(path: string, flag: string): string {
  try {
    readFileSync(path);
  } catch (err) {
    throw new UsageError(`${flag} cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return path;
}

function tlsConfig(options: RunOptions, url: URL): TlsConfig | undefined {
  if (url.protocol !== 'https:') {
    const flag = options.insecure ? '--insecure' : options.caFile !== undefined ? '--ca' : options.certFile !== undefined ? '--cert' : options.keyFile !== undefined ? '--key' : undefined;
    if (flag) throw new UsageError(`${flag} applies to https:// URLs only, got "${url.href}"`);
    return undefined;
  }
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new UsageError('--cert and --key go together: the client certificate and its private key, both PEM files');
  }
  return {
    serverName: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    verify: !options.insecure,
    caFile: options.caFile === undefined ? undefined : checkReadable(options.caFile, '--ca'),
    certFile: options.certFile === undefined ? undefined : checkReadable(options.certFile, '--cert'),
    keyFile: options.keyFile === undefined ? undefined : checkReadable(options.keyFile, '--key'),
  };
}

function checkStreams(options: RunOptions, http2: boolean, pipeline: number, maxInFlight: number): number {
  if (!http2) {
    if (options.streams !== undefined) throw new UsageError(`--streams applies to --http2 only, got --streams ${options.streams}`);
    return 1;
  }
  if (pipeline > 1) throw new UsageError(`--pipeline applies to HTTP/1.1 only; with --http2 use --streams, got --pipeline ${pipeline}`);
  const streams = options.streams ?? DEFAULTS.streams;
  // Streams take the in-flight slots pipelined requests take: one limit for both.
  checkInteger(streams, '--streams', 1, maxInFlight);
  return streams;
}

/** Header fields HTTP/2 forbids (RFC 9113 8.2.2): an HTTP/2 request leaves them out. */
export const CONNECTION_SPECIFIC_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te'] as const;

/** The user's headers (-H) an HTTP/2 request leaves out, by the names the user gave; "TE: trailers" is allowed and kept. */
export function droppedForHttp2(headers: readonly string[]): string[] {
  const kept = (h: string) => /^\s*te\s*:\s*trailers\s*$/i.test(h);
  return headers.filter((h) => !kept(h)).map((h) => h.slice(0, h.indexOf(':')).trim()).filter((name) => (CONNECTION_SPECIFIC_HEADERS as readonly string[]).includes(name.toLowerCase()));
}

/** io_uring carries plain HTTP/1.1 on Linux; TLS and HTTP/2 stay on epoll for now. */
function checkIoEngine(options: RunOptions, url: URL, http2: boolean): IoEngine {
  const engine = options.ioEngine ?? DEFAULTS.ioEngine;
  if (engine !== 'epoll' && engine !== 'io_uring') throw new UsageError(`--io-engine must be epoll or io_uring, got "${String(engine)}"`);
  if (engine === 'epoll') return engine;
  const only = '--io-engine io_uring carries plain HTTP/1.1 only (http:// without --http2)';
  if (process.platform !== 'linux') throw new UsageError(`--io-engine io_uring needs Linux, this is ${process.platform}`);
  if (options.grpc) throw new UsageError(`${only}, got a gRPC run`);
  if (http2) throw new UsageError(`${only}, got --http2`);
  if (url.protocol === 'https:') throw new UsageError(`${only}, got "${url.href}"`);
  return engine;
}

function checkBodies(options: RunOptions): void {
  const list = options.bodies;
  if (list === undefined) return;
  if (options.body !== undefined || options.requests !== undefined || options.csvFile !== undefined) {
    throw new UsageError(`${list.source} gives every request its body; drop --body, --requests-file and --csv`);
  }
  if (list.bodies.length === 0) throw new UsageError(`${list.source} holds no messages: give at least one`);
}

function checkUnixSocket(path: string | undefined, maxBytes: number): string | undefined {
  if (path === undefined) return undefined;
  if (path === '' || Buffer.byteLength(path) > maxBytes) {
    throw new UsageError(`--unix-socket must be a socket path of 1 to ${maxBytes} bytes, got "${path}"`);
  }
  return path;
}

export function validate(options: RunOptions): RunConfig {
  const limit = limits();
  const url = parseUrl(options.url);
  if (typeof options.rate === 'number' && (!Number.isFinite(options.rate) || options.rate <= 0)) {
    throw new UsageError(`--rate must be > 0, got ${options.rate}`);
  }
  if (options.durationMs !== undefined && (!Number.isFinite(options.durationMs) || options.durationMs <= 0)) {
    throw new UsageError(`--duration must be > 0, got ${options.durationMs}ms`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be > 0, got ${timeoutMs}ms`);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new UsageError(`--connect-timeout must be > 0, got ${connectTimeoutMs}ms`);
  }
  const pipeline = options.pipeline ?? DEFAULTS.pipeline;
  checkInteger(pipeline, '--pipeline', 1, limit.maxPipeline);
  const http2 = options.http2 === true;
  const streams = checkStreams(options, http2, pipeline, limit.maxPipeline);
  if (options.grpc && !http2) throw new UsageError('gRPC calls need HTTP/2: set http2 with grpc');
  const ioEngine = checkIoEngine(options, url, http2);
  checkBodies(options);
  const tls = tlsConfig(options, url);
  const unixSocket = checkUnixSocket(options.unixSocket, limit.maxUnixPathBytes);
  const batchUs = options.batchUs ?? DEFAULTS.batchUs;
  if (!Number.isFinite(batchUs) || batchUs < 0 || batchUs > limit.maxBatchUs) {
    const got = Number.isFinite(batchUs) && batchUs >= 0 ? formatDurationShort(Math.round(batchUs * 1000)) : String(batchUs);
    throw new UsageError(`--batch must be from 0 to ${limit.maxBatchUs / 1000}ms, got ${got}`);
  }
  const intervalMs = options.intervalMs ?? DEFAULTS.intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs < limit.minIntervalMs || intervalMs > limit.maxDurationMs) {
    const got = Number.isFinite(intervalMs) && intervalMs >= 0 ? formatDurationShort(Math.round(intervalMs * 1e6)) : String(intervalMs);
    throw new UsageError(`--interval must be ${limit.minIntervalMs}ms or more, got ${got}`);
  }
  const threads = options.threads ?? DEFAULTS.threads;
  checkInteger(threads, '--threads', 1, limit.maxThreads);
  const connections = options.connections ?? Math.max(DEFAULTS.connections, threads);
  checkInteger(connections, '--connections', 1, limit.maxConnections);
  if (connections < threads) {
    throw new UsageError(`--connections (${connections}) must be >= --threads (${threads}): each thread needs a connection`);
  }
  const shape = validateShape(options, connections, DEFAULTS.durationMs, limit);
  const headers = options.headers ?? [];
  headers.forEach(checkHeader);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const method = (options.method ?? (options.body !== undefined || options.bodies !== undefined ? 'POST' : 'GET')).toUpperCase();
  if (!TOKEN.test(method)) throw new UsageError(`--method must be an HTTP method like GET or POST, got "${options.method}"`);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const config: Omit<RunConfig, 'request'> = {
    url,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    pathAndQuery: `${url.pathname}${url.search}`,
    ...shape,
    threads,
    connections,
    timeoutMs,
    connectTimeoutMs,
    pipeline,
    http2,
    streams,
    grpc: options.grpc === true,
    unixSocket,
    tls,
    batchUs,
    ioEngine,
    intervalMs,
    method,
    headRequest: method === 'HEAD',
    headers,
    body,
  };
  return { ...config, request: buildRequest(config) };
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** One header line of a request; `fromUser` marks the user's own (-H), whose values may be templates. */
export interface HeaderField {
  name: string;
  value: string;
  fromUser: boolean;
}

type RequestParts = Pick<RunConfig, 'url' | 'method' | 'headers' | 'body'>;

/** Host, the user's headers, then defaults the user did not set; Content-Length excluded. */
export function headerFields(config: RequestParts): HeaderField[] {
  const has = (name: string) => config.headers.some((h) => h.slice(0, h.indexOf(':')).trim().toLowerCase() === name);
  const fields: HeaderField[] = [];
  // URL.host already leaves out the default port (80, or 443 for https) and keeps an IPv6
  // literal's brackets, as Host wants.
  if (!has('host')) fields.push({ name: 'Host', value: config.url.host, fromUser: false });
  for (const header of config.headers) {
    const colon = header.indexOf(':');
    fields.push({ name: header.slice(0, colon).trim(), value: header.slice(colon + 1).trim(), fromUser: true });
  }
  if (!has('user-agent')) fields.push({ name: 'User-Agent', value: `ratetest/${version()}`, fromUser: false });
  if (!has('authorization') && (config.url.username || config.url.password)) {
    // http://user:pass@host/ means Basic authentication, as in curl and browsers.
    const credentials = `${decodeURIComponent(config.url.username)}:${decodeURIComponent(config.url.password)}`;
    fields.push({ name: 'Authorization', value: `Basic ${Buffer.from(credentials).toString('base64')}`, fromUser: false });
  }
  return fields;
}

/** Whether ratetest adds a Content-Length: a body, or a method that expects one, and none given by the user. */
export function needsContentLength(config: RequestParts, hasBody: boolean): boolean {
  const userSetsIt = config.headers.some((h) => h.slice(0, h.indexOf(':')).trim().toLowerCase() === 'content-length');
  return !userSetsIt && (hasBody || METHODS_WITH_BODY.has(config.method));
}

/** The request bytes: request line, Host, the user's headers, defaults the user did not set, body. */
export function buildRequest(config: Omit<RunConfig, 'request'>): Buffer {
  const lines = [`${config.method} ${config.pathAndQuery} HTTP/1.1`];
  for (const field of headerFields(config)) lines.push(`${field.name}: ${field.value}`);
  if (needsContentLength(config, config.body.length > 0)) lines.push(`Content-Length: ${config.body.length}`);
  // UTF-8, as curl and wrk send a header typed in a UTF-8 terminal; latin1 would cut "日本" to 2 garbage bytes.
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), config.body]);
}
