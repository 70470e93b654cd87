// result.ts: the shape of a finished run, as the API returns it and every report reads it.
// Durations are nanoseconds unless the name says otherwise; rates are requests per second.
import type { Histogram } from 'hdr-histogram-js';
import type { Interval } from './series.js';
import type { MonitorSeries } from './monitor-series.js';

export interface ErrorCounts {
  connect: number;
  read: number;
  write: number;
  timeout: number;
  parse: number;
}

/** https runs: the TLS handshakes and their failures. */
export interface TlsResult {
  /** Handshakes completed (one per connection opened). */
  handshakes: number;
  /** Of those, how many resumed a saved session instead of a full handshake. */
  resumed: number;
  /** Failed handshakes: verify = the server's certificate was rejected; handshake = any other failure. */
  errors: { handshake: number; verify: number };
  /** OpenSSL's text for the first failure (absent when none). */
  firstError?: string;
  /** Handshake time, TCP connected -> handshake complete, nanoseconds. */
  handshake: Histogram;
}

/** --http2 runs: what the sessions saw. */
export interface Http2Result {
  /** --streams: the most streams in flight per connection asked for. */
  streams: number;
  /** The smallest SETTINGS_MAX_CONCURRENT_STREAMS a server sent below `streams` (absent when none did). */
  cappedTo?: number;
  /** Streams in flight on a connection, sampled at each request sent. */
  streamsInFlight: { p50: number; max: number };
  /** GOAWAY frames received; each connection is then replaced. */
  goaways: number;
  /** Streams above a GOAWAY's last-stream-id, sent again on another connection with their intended times. */
  resent: number;
  /** RST_STREAM frames received, by error code name (e.g. REFUSED_STREAM); only codes seen. */
  resets: Record<string, number>;
  /** Times a request body waited on a zero flow-control window from the server. */
  stalledWindows: number;
  /** Connection-level protocol errors (the server broke HTTP/2, or sent GOAWAY with an error). */
  protocolErrors: number;
  /** nghttp2's allocations, all served by each thread's pool; `systemAllocations` of them reached malloc. */
  allocatorCalls: number;
  systemAllocations: number;
  /** Connection-specific -H fields HTTP/2 forbids, left out of every request. */
  droppedHeaders: string[];
}

/** gRPC runs: every answered call in exactly one of status, httpErrors, malformed. */
export interface GrpcResult {
  /** Calls by grpc-status code name ("OK", "UNAVAILABLE", ...); only codes seen. */
  status: Record<string, number>;
  /** Answers without a grpc-status, or with an HTTP status other than 200: HTTP-level errors (`status` of the Result shows which). */
  httpErrors: number;
  /** Answers with a grpc-status that is no number, or whose DATA stopped inside a length-prefixed message. */
  malformed: number;
  /** The first non-OK status that came with a grpc-message, the message decoded. */
  firstError?: { status: string; message: string };
}

/** The settings a run actually used (after defaults and validation). */
export interface ResultConfig {
  url: string;
  method: string;
  /** Requested total rate, requests per second. */
  rate: number;
  threads: number;
  connections: number;
  durationNs: number;
  timeoutNs: number;
  /** Send window: a pump wakes at most once per this long (0 = per request). */
  batchNs: number;
  connectTimeoutNs: number;
  /** --interval: the width of the series' intervals (absent in results from before it existed). */
  intervalNs?: number;
  /** Requests in flight per connection at most. */
  pipeline: number;
  /** --http2, and its --streams (HTTP/2 streams in flight per connection at most). */
  http2?: boolean;
  streams?: number;
  /** The Unix domain socket connected to, when one was. */
  unixSocket?: string;
  /** --io-engine, when not the default epoll. */
  ioEngine?: 'io_uring';
  /** Load shape (present when not the default): --stages ramps, --arrival/--seed, --warmup, -n, -R max, --max-connections. */
  stages?: { durationNs: number; fromRate: number; toRate: number }[];
  arrival?: 'constant' | 'poisson';
  seed?: number;
  warmupNs?: number;
  requestCount?: number;
  /** -R max: closed loop; `rate` is then 0 and latency is uncorrected. */
  closedLoop?: boolean;
  maxConnections?: number;
}

/** The --warmup period: run at the target rate before the measured part, its counts kept out of it. */
export interface WarmupResult {
  durationNs: number;
  scheduled: number;
  sent: number;
  completed: number;
  queued: number;
}

export interface ThreadResult {
  completed: number;
  /** CPU time the pump thread used. */
  cpuNs: number;
  /** Time the pump thread was ready to run but waited for a CPU that other work held (0 where the OS does not say; absent in a result merged from files). */
  runDelayNs?: number;
  /** Responses completed in each whole second of the run. */
  perSecond: number[];
}

/** One named request's share of a run with several requests (a request file). */
export interface RequestResult {
  name: string;
  /** Its weight, as given. */
  weight: number;
  sent: number;
  completed: number;
  /** Read, write, timeout and parse errors of this request. */
  errors: number;
  status: Record<number, number>;
  non2xx3xx: number;
  /** Response complete − intended send time, nanoseconds. */
  corrected: Histogram;
}

export interface Result {
  config: ResultConfig;
  /** The protocol spoken: HTTP/1.1 (when absent too), or HTTP/2 over TLS (h2) or in clear text (h2c). */
  protocol?: 'http/1.1' | 'h2' | 'h2c';
  /** Wall-clock time the schedule started, ISO 8601. */
  startedAt: string;
  /** Length of the measured run (the requested duration, or less when interrupted). */
  durationNs: number;
  /** Requests whose intended send time fell within the run. */
  scheduled: number;
  /** Requests written. */
  sent: number;
  /** Responses received completely. */
  completed: number;
  /** Scheduled but never written: the generator or its connections could not keep up. */
  notSent: number;
  /** Written but unanswered when the run ended (after waiting up to the timeout). */
  inFlight: number;
  /** Requests that were due while every connection was busy, and so waited for one. */
  queued: number;
  bytesRead: number;
  bytesWritten: number;
  errors: ErrorCounts;
  /** First OS error of each kind, as a code such as "ECONNREFUSED" (absent when none). */
  errorCodes: Partial<Record<keyof ErrorCounts, string>>;
  /** Responses by status code. */
  status: Record<number, number>;
  /** Responses whose status was not 2xx or 3xx (wrk2's "Non-2xx or 3xx responses"). */
  non2xx3xx: number;
  /** completed / duration, requests per second. */
  achievedRate: number;
  /** Histograms in nanoseconds: complete − intended send, complete − actual write, actual write − intended send. */
  corrected: Histogram;
  uncorrected: Histogram;
  sendLag: Histogram;
  threads: ThreadResult[];
  /** https runs only. */
  tls?: TlsResult;
  /** --http2 runs only. */
  http2?: Http2Result;
  /** gRPC runs only (`ratetest grpc`). */
  grpc?: GrpcResult;
  /** Present when the run had a warm-up. */
  warmup?: WarmupResult;
  /** Target requests in each second of the measured run (stages or constant; absent in closed loop). */
  targetPerSecond?: number[];
  /** Connections opened beyond -c (--max-connections): in total, and in each second of the run. */
  connectionsOpened: number;
  openedPerSecond: number[];
  /** True when the run was stopped early (Ctrl-C or an AbortSignal). */
  interrupted: boolean;
  /** Per request name, when the run sent several named requests (a request file). */
  requests?: RequestResult[];
  /** The run in intervals of about a second, adding up to the totals (absent when the Result was built without a run). */
  intervals?: Interval[];
  /** --monitor-pid: the watched process, sampled each second (absent without the flag). */
  monitor?: MonitorSeries;
  /** Why a run bounded only by -n ended before its requests were sent (a target that never accepted a connection). */
  endedEarly?: string;
  /** A script run (-s). */
  script?: ScriptResult;
  /** One shard of a fleet's schedule (--shard I/N). */
  shard?: ShardInfo;
  /** A merged fleet (`ratetest merge`): what each input contributed. */
  shards?: ShardsSummary;
}

/** Which slice of a fleet's global schedule this run sent. */
export interface ShardInfo {
  /** 0-based. */
  index: number;
  count: number;
  /** The --start-at instant, ISO 8601. */
  startAt?: string;
  /** How late the schedule started after startAt, nanoseconds. */
  lateNs?: number;
  /** 16 hex digits over the settings every shard must share (URL, rate or stages, arrival, seed, duration, request mix, protocol). */
  fingerprint: string;
}

/** One input of a merge: where it came from and its own headline figures. */
export interface MergedInput {
  /** The file (or "-#2": the second document on stdin). */
  source: string;
  startedAt: string;
  shard?: ShardInfo;
  sent: number;
  completed: number;
  /** All error kinds together. */
  errors: number;
  achievedRate: number;
  /** Its own corrected p99 (0 when it timed no response). */
  p99Ns: number;
}

/** The merge's own section: the inputs, and how far apart their schedules started. */
export interface ShardsSummary {
  /** Inputs merged. */
  count: number;
  /** The fingerprint the shards share (absent when the inputs were not shards, or differ). */
  fingerprint?: string;
  /** Latest startedAt − earliest, nanoseconds (millisecond resolution: startedAt is ISO 8601). */
  startSkewNs: number;
  inputs: MergedInput[];
}

/** What a script run adds to the result. */
export interface ScriptResult {
  file: string;
  language: 'lua' | 'javascript';
  /** Requests each request() call returned (more than 1: pipelined, as wrk's pipeline.lua). */
  requestsPerCall: number;
  /** Responses response() did not see because the tap's ring was full (the pump never waits). */
  responsesDropped: number;
  /** Times a thread's ring of generated requests ran dry with a request due (the request waited, its latency clock running). */
  starved: number;
  /** Responses longer than the capture limit, handed to response() cut short. */
  responsesTruncated: number;
  /** Things the run could not do as the script asked, said once each. */
  notes: string[];
  /** The error a hook raised during the run, "file:line: message"; the run stopped there. */
  error?: string;
  /** os.exit(code) during the run. */
  exitCode?: number;
}
