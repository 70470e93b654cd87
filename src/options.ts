// options.ts: the typed options of a run, their defaults (defined here and nowhere else), and
// validate(), which turns options into a RunConfig or throws one UsageError naming the option.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** Options of one run. Numbers carry their unit in their name; rates are per second. */
export interface RunOptions {
  /** Target URL: http://host[:port]/path?query. */
  url: string;
  /** Total requests per second over all threads. Required: ratetest never guesses a rate. */
  rate: number;
  /** Length of the measured run in milliseconds. */
  durationMs?: number;
  /** Pump threads, each with its own connections and share of the rate. */
  threads?: number;
  /** Connections kept open, over all threads; at least `threads`. */
  connections?: number;
  /** Per-request timeout in milliseconds, from the request's write; also the connect timeout. */
  timeoutMs?: number;
  /** HTTP method; GET, or POST when a body is given. */
  method?: string;
  /** Extra request headers, "Name: value" each; a Host or User-Agent here replaces ratetest's. */
  headers?: string[];
  /** Request body. */
  body?: string | Buffer;
  /**
   * Send window in microseconds: a pump wakes at most once per window and sends every request
   * due by then (each still timed from its own intended send time). Larger windows cost less CPU
   * and add up to one window of send lag; 0 wakes for each request.
   */
  batchUs?: number;
  /** A process to sample (CPU%, RSS, open fds) each second during the run: the server's pid. */
  monitorPid?: number;
}

export const DEFAULTS = {
  durationMs: 10_000,
  threads: 2,
  connections: 10,
  timeoutMs: 2_000,
  batchUs: 100,
} as const;

export const LIMITS = {
  maxThreads: 256,
  maxConnections: 1_000_000,
  maxRate: 100_000_000,
  maxBatchUs: 10_000,
} as const;

/** Everything a run needs, checked. */
export interface RunConfig {
  url: URL;
  /** Host name or address, IPv6 without its brackets. */
  host: string;
  port: number;
  /** What follows the host on the request line: path and query, "/" at least. */
  pathAndQuery: string;
  rate: number;
  durationMs: number;
  threads: number;
  connections: number;
  timeoutMs: number;
  batchUs: number;
  method: string;
  /** Responses carry no body (HEAD), so the parser must not wait for one. */
  headRequest: boolean;
  headers: string[];
  body: Buffer;
  /** The request exactly as it goes on the wire. */
  request: Buffer;
}

const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function version(): string {
  return VERSION;
}

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
  if (url.protocol === 'https:') {
    // TLS lands with the transports work; until then say so rather than fail obscurely.
    throw new UsageError(`https:// is not supported yet; use an http:// URL, got "${text}"`);
  }
  if (url.protocol !== 'http:') {
    throw new UsageError(`URL must start with http://, got "${text}"`);
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

export function validate(options: RunOptions): RunConfig {
  const url = parseUrl(options.url);
  const rate = options.rate;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new UsageError(`--rate must be > 0, got ${rate}`);
  }
  if (rate > LIMITS.maxRate) throw new UsageError(`--rate must be at most ${LIMITS.maxRate}, got ${rate}`);
  const durationMs = options.durationMs ?? DEFAULTS.durationMs;
  if (!Number.isFinite(durationMs) || durationMs <= 0) throw new UsageError(`--duration must be > 0, got ${durationMs}ms`);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be > 0, got ${timeoutMs}ms`);
  const batchUs = options.batchUs ?? DEFAULTS.batchUs;
  if (!Number.isFinite(batchUs) || batchUs < 0 || batchUs > LIMITS.maxBatchUs) {
    throw new UsageError(`--batch must be from 0 to ${LIMITS.maxBatchUs / 1000}ms, got ${batchUs}us`);
  }
  const threads = options.threads ?? DEFAULTS.threads;
  checkInteger(threads, '--threads', 1, LIMITS.maxThreads);
  const connections = options.connections ?? Math.max(DEFAULTS.connections, threads);
  checkInteger(connections, '--connections', 1, LIMITS.maxConnections);
  if (connections < threads) {
    throw new UsageError(`--connections (${connections}) must be >= --threads (${threads}): each thread needs a connection`);
  }
  const headers = options.headers ?? [];
  headers.forEach(checkHeader);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const method = (options.method ?? (options.body !== undefined ? 'POST' : 'GET')).toUpperCase();
  if (!TOKEN.test(method)) throw new UsageError(`--method must be an HTTP method like GET or POST, got "${options.method}"`);
  const port = url.port === '' ? 80 : Number(url.port);
  const config: Omit<RunConfig, 'request'> = {
    url,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    pathAndQuery: `${url.pathname}${url.search}`,
    rate,
    durationMs,
    threads,
    connections,
    timeoutMs,
    batchUs,
    method,
    headRequest: method === 'HEAD',
    headers,
    body,
  };
  return { ...config, request: buildRequest(config) };
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** The request bytes: request line, Host, the user's headers, defaults the user did not set, body. */
export function buildRequest(config: Omit<RunConfig, 'request'>): Buffer {
  const has = (name: string) => config.headers.some((h) => h.slice(0, h.indexOf(':')).trim().toLowerCase() === name);
  const lines = [`${config.method} ${config.pathAndQuery} HTTP/1.1`];
  // URL.host already leaves out the default port 80 and keeps an IPv6 literal's brackets, as Host wants.
  if (!has('host')) lines.push(`Host: ${config.url.host}`);
  for (const header of config.headers) {
    const colon = header.indexOf(':');
    lines.push(`${header.slice(0, colon).trim()}: ${header.slice(colon + 1).trim()}`);
  }
  if (!has('user-agent')) lines.push(`User-Agent: ratetest/${VERSION}`);
  if (!has('authorization') && (config.url.username || config.url.password)) {
    // http://user:pass@host/ means Basic authentication, as in curl and browsers.
    const credentials = `${decodeURIComponent(config.url.username)}:${decodeURIComponent(config.url.password)}`;
    lines.push(`Authorization: Basic ${Buffer.from(credentials).toString('base64')}`);
  }
  if (!has('content-length') && (config.body.length > 0 || METHODS_WITH_BODY.has(config.method))) {
    lines.push(`Content-Length: ${config.body.length}`);
  }
  // UTF-8, as curl and wrk send a header typed in a UTF-8 terminal; latin1 would cut "日本" to 2 garbage bytes.
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), config.body]);
}
