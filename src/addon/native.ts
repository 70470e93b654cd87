// native.ts: the one loader of the C++ addon and the types of everything that crosses the
// boundary. Only plain data crosses: numbers, strings, Buffers and Float64Arrays.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RatetestError, UsageError } from '../common/errors.js';

/** What the pump needs to run: already validated and resolved (numeric address, final bytes). */
export interface NativePlan {
  threads: number;
  connections: number;
  /** Total requests per second over all threads. */
  rate: number;
  durationNs: number;
  /** Per-request timeout, measured from the request's write. */
  timeoutNs: number;
  /** TCP connect plus TLS handshake. */
  connectTimeoutNs: number;
  /** Requests in flight per connection at most (1 = no pipelining). */
  pipeline: number;
  /** After the schedule ends, how long to wait for responses still in flight. */
  drainNs: number;
  /** A pump wakes at most once per this long, sending every request due by then; 0 = at each request's own time. */
  batchNs: number;
  /** --interval: the width of the series' intervals. */
  intervalNs?: number;
  /** Numeric IPv4 or IPv6 address (no brackets); ignored when unixPath is given. */
  address: string;
  port: number;
  /** Connect to this Unix domain socket instead. */
  unixPath?: string;
  /** https; absent for http. Empty strings mean "not given". */
  tls?: NativeTlsPlan;
  /** The complete request as it goes on the wire. */
  request: Buffer;
  /** Responses to this request carry no body (HEAD). */
  headRequest: boolean;
  /** Linear ramps instead of the constant `rate` (--stages). */
  stages?: { durationNs: number; fromRate: number; toRate: number }[];
  arrival?: 'constant' | 'poisson';
  seed?: number;
  /** Scheduled before the measured `durationNs`, recorded apart (--warmup). */
  warmupNs?: number;
  /** Stop after this many requests over all pumps (0 = no limit). */
  maxRequests?: number;
  /** -R max: each connection sends its next request when its response is in. */
  closedLoop?: boolean;
  /** Open connections up to this many when a request is due and all are busy. */
  maxConnections?: number;
  /** --shard I/N: send the global requests k = shardIndex (mod shardCount) of the fleet's schedule. */
  shardIndex?: number;
  shardCount?: number;
  /** --start-at: the schedule's start as a wall-clock instant, unix milliseconds. */
  startAtUnixMs?: number;
  /** Request templates (src/requests/compile.ts); when present they replace `request`. */
  templates?: NativeTemplates;
  /** A script run (-s): requests come from rings the JavaScript side fills (see ScriptChannelsHandle). */
  script?: { requestRingBytes: number; responseRingBytes: number; maxRequestBytes: number; captureLimit: number };
  /** One numeric address per thread (a script's thread.addr), instead of `address` and `port`. */
  pumpAddresses?: { address: string; port: number }[];
  /** HTTP/2 (h2 by ALPN with tls, else h2c); `pipeline` is then the streams per connection. */
  http2?: { authority: string; nghttp2Version: string };
  /** Every request is a gRPC call (needs http2): responses are counted by grpc-status. */
  grpc?: boolean;
  /** --io-engine io_uring (Linux, plain HTTP/1.1); epoll when absent. */
  ioEngine?: 'epoll' | 'io_uring';
}

/** A script run's side of the pumps' rings (native/script_channels.h). */
export interface ScriptChannelsHandle {
  /** Copies requests (back to back in `bytes`) into thread i's ring; returns how many fitted. */
  feed(thread: number, bytes: Buffer, lengths: Uint32Array): number;
  /** Requests waiting in thread i's ring. */
  queued(thread: number): number;
  /** The largest request thread i's ring takes (half its size). */
  largestRequest(thread: number): number;
  /** Responses tapped since the last call: [u32 size][u32 status][raw response] records, or null. */
  takeResponses(thread: number): Buffer | null;
  /** wrk.thread:stop(): thread i's schedule ends now. */
  stopThread(thread: number): void;
  /** starved: times a thread's ring ran dry with a request due (the script was behind). */
  scriptCounts(): { responsesDropped: number; responsesTruncated: number; starved: number };
}

/**
 * Compiled request templates, as native/template_program.h reads them. Steps are 4 numbers each:
 * op (0 literal, 1 seq, 2 rand, 3 uuid, 4 pick, 5 now, 6 now_ms, 7 csv), pathEscape (0/1), a, b.
 */
export interface NativeTemplates {
  /** Every literal byte run and pick choice, back to back. */
  pool: Buffer;
  steps: Float64Array;
  /** (offset, length) in pool of each pick choice. */
  choices: Float64Array;
  /** Each request's head steps (request line and headers) and body steps. */
  requests: { headFirst: number; headCount: number; bodyFirst: number; bodyCount: number; hasBody: boolean; headResponse: boolean }[];
  /** Request index sent as global request k: mix[k % mix.length]. */
  mix: Float64Array;
  /** CSV cells back to back, rows*columns + 1 offsets into them. */
  csv?: { bytes: Buffer; offsets: Float64Array; columns: number; random: boolean };
  /** Seeds each pump's random numbers (pump i uses stream i). */
  seed: number;
  /** Record statistics per request (result byName). */
  named: boolean;
}

export interface NativeTlsPlan {
  serverName: string;
  verify: boolean;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** https runs only. */
export interface NativeTls {
  /** Handshakes completed, and how many of them resumed a saved session. */
  handshakes: number;
  resumed: number;
  /** Failed handshakes by kind: verify = the certificate was rejected; handshake = anything else. */
  errors: { handshake: number; verify: number };
  /** OpenSSL's text for the first failure; "" when none. */
  firstError: string;
  /** TCP connected -> handshake complete. */
  handshakeNs: NativeBuckets;
}

/** --http2 runs only (native/recorder.h H2Counters, summed over pumps). */
export interface NativeHttp2 {
  goaways: number;
  /** Streams above a GOAWAY's last-stream-id, sent again on another connection. */
  resent: number;
  /** RST_STREAM frames received, indexed by error code (the last slot: any code above 0xd). */
  resets: Float64Array;
  /** Times a request body waited on a zero flow-control window from the server. */
  stalls: number;
  protocolErrors: number;
  /** The smallest SETTINGS_MAX_CONCURRENT_STREAMS below the streams asked for; 0 = none. */
  cappedTo: number;
  allocatorCalls: number;
  systemAllocations: number;
  /** Streams in flight on the connection at each send. */
  streamsInFlight: NativeBuckets;
}

/** gRPC runs only (native/grpc_response.h GrpcCounters, summed over pumps). */
export interface NativeGrpc {
  /** Calls by grpc-status, indexed by code 0..16; the last slot: codes above 16. */
  status: Float64Array;
  /** Answers without a grpc-status, or with an HTTP status other than 200. */
  httpErrors: number;
  /** Answers whose grpc-status was no number, or whose DATA stopped inside a message. */
  malformed: number;
  /** The first non-OK status that came with a grpc-message (absent when none did). */
  firstErrorCode?: number;
  firstErrorMessage?: string;
}

/** The --warmup period's counts, kept out of the results. */
export interface NativeWarmup {
  durationNs: number;
  scheduled: number;
  sent: number;
  completed: number;
  queued: number;
}

/** Latency histograms cross as interleaved [valueNs, count, valueNs, count, ...] pairs (non-zero buckets only). */
export type NativeBuckets = Float64Array;

export interface NativeErrors {
  connect: number;
  read: number;
  write: number;
  timeout: number;
  parse: number;
}

export interface NativeSnapshot {
  /** Nanoseconds since the schedule's start (0 while connections are still opening). */
  elapsedNs: number;
  /** Requests written to a socket. */
  sent: number;
  /** Responses received completely. */
  completed: number;
  bytesRead: number;
  bytesWritten: number;
  errors: NativeErrors;
  /** errno of the first error of each kind (0 = none, or not an OS error, e.g. parse). */
  firstErrno: NativeErrors;
  /** Interleaved [statusCode, count, ...]. */
  status: Float64Array;
  /** Requests written and not yet answered. */
  inFlight: number;
  /** Connections currently established. */
  connectionsOpen: number;
  /** Requests that were due while every connection was busy, and so waited for one. */
  queued: number;
  corrected: NativeBuckets;
  uncorrected: NativeBuckets;
  sendLag: NativeBuckets;
  tls?: NativeTls;
  http2?: NativeHttp2;
  grpc?: NativeGrpc;
  /** Requests the schedule had due so far from its start, warm-up included (the target, for target-vs-achieved series); in closed loop, the result's sent count. */
  due: number;
  /** Connections opened beyond -c because every one was busy (--max-connections). */
  connectionsOpened: number;
  /** Each pump thread's CPU time and run delay so far, from the kernel: [cpuNs, runDelayNs] per thread; empty where the kernel does not say. */
  threadCpu: Float64Array;
}

export interface NativeThreadResult {
  completed: number;
  /** CPU time the pump thread used, nanoseconds. */
  cpuNs: number;
  /** Time the pump thread was ready to run but waiting for a CPU, nanoseconds (0 where the OS does not say). */
  runDelayNs: number;
  /** Responses completed in each whole second of the schedule. */
  perSecond: Float64Array;
}

/** One request name's figures, summed over pumps. */
export interface NativeNameResult {
  sent: number;
  completed: number;
  /** Read, write, timeout and parse errors of requests of this name. */
  errors: number;
  /** Interleaved [statusCode, count, ...]. */
  status: Float64Array;
  corrected: NativeBuckets;
}

export interface NativeResult extends NativeSnapshot {
  /** From the schedule's start to its end (the requested duration, or less after stop()). */
  durationNs: number;
  /** Requests whose intended send time fell within the run. */
  scheduled: number;
  /** Scheduled requests that were never written (no connection became free in time). */
  notSent: number;
  /** True when stop() ended the run early. */
  stopped: boolean;
  threads: NativeThreadResult[];
  /** Per request name, in the order of the program's names; empty unless the templates are named. */
  byName: NativeNameResult[];
  /** Extra connections opened in each second of the measured run. */
  openedPerSecond: Float64Array;
  /** Present when the run had a warm-up. */
  warmup?: NativeWarmup;
  /** With startAtUnixMs: how long after that instant the schedule started (0 when on time). */
  lateNs?: number;
}

/** The schedule's fields of a NativePlan: what scheduleFigures reads. */
export type NativeSchedulePlan = Pick<NativePlan, 'rate' | 'durationNs' | 'stages' | 'arrival' | 'seed' | 'warmupNs' | 'maxRequests' | 'closedLoop' | 'shardIndex' | 'shardCount'>;

/** What the native schedule says of a plan (native/schedule_query.cc). */
export interface NativeScheduleFigures {
  /** This shard's requests due from the schedule's start (warm-up included) to each asked time; the mean for Poisson. */
  dueAt: Float64Array;
  /** This shard's requests over the whole schedule, warm-up included, within -n. */
  totalDue: number;
  /** The fleet's mean rate over the measured part, requests per second (0 in closed loop). */
  meanRate: number;
  /** The stages as the pumps run them, warm-up left out; absent for a constant rate. */
  stages?: { durationNs: number; fromRate: number; toRate: number }[];
}

/** The limits a run is checked against, from native/limits.h: the one table. */
export interface NativeLimits {
  maxThreads: number;
  maxConnections: number;
  /** Requests per second. */
  maxRate: number;
  maxPipeline: number;
  maxStages: number;
  maxBatchUs: number;
  /** The finest --interval. */
  minIntervalMs: number;
  maxDurationMs: number;
  /** 2^53 - 1: for --seed and -n. */
  maxWhole: number;
  maxShards: number;
  maxUnixPathBytes: number;
}

/**
 * One pump's record of one interval (or, where its ring was full, of intervals first..last), as
 * native/interval_recorder.h queues it: exact counts and histograms of what the pump recorded in it.
 */
export interface NativeInterval {
  pump: number;
  /** Interval indexes from the end of the warm-up: the record covers intervals first..last. */
  first: number;
  last: number;
  /** Its end, nanoseconds from the end of the warm-up (the run's last one ends with the pump). */
  endNs: number;
  /** Requests the schedule had due in it (sent, in closed loop). */
  due: number;
  sent: number;
  completed: number;
  errors: number;
  /** Interleaved [statusCode, count, ...]. */
  status: Float64Array;
  corrected: NativeBuckets;
  uncorrected: NativeBuckets;
}

export interface NativeRun extends Partial<ScriptChannelsHandle> {
  snapshot(): NativeSnapshot;
  /** The interval records queued since the last call; finished (once `done` has settled): the pumps' last ones too. */
  intervals(finished?: boolean): NativeInterval[];
  stop(): void;
  done: Promise<NativeResult>;
}

interface Addon {
  start(plan: NativePlan): NativeRun;
  /** Raise the soft RLIMIT_NOFILE to at least `needed`; returns the soft limit now in force. */
  ensureFdLimit(needed: number): number;
  /** Throws ERR_IO_URING (one line naming the refused step and why) where io_uring cannot run. */
  checkIoUring(): void;
  /** Figures of a plan's schedule at the given times (ns from its start). */
  scheduleFigures(plan: NativeSchedulePlan, timesNs: Float64Array): NativeScheduleFigures;
  limits: NativeLimits;
}

/**
 * The codes native errors carry (native/error_codes.h), as RatetestErrors: a --ca/--cert/--key
 * file OpenSSL rejected is bad input (exit 2); too few file descriptors keeps its own code; any
 * other native throw is a failure of the addon, named with `doing` ("the native pump failed to start").
 */
export function fromNativeError(err: unknown, doing: string): RatetestError {
  if (err instanceof RatetestError) return err;
  const message = (err as Error).message;
  switch ((err as { code?: string }).code) {
    case 'ERR_TLS_CONFIG':
    case 'ERR_IO_URING':
      return new UsageError(message);
    case 'ERR_FD_LIMIT':
      return new RatetestError('ERR_FD_LIMIT', message);
    case 'ERR_HTTP2_VERSION':
      return new RatetestError('ERR_HTTP2_VERSION', message);
    default:
      return new RatetestError('ERR_ADDON', `${doing}: ${message}`);
  }
}

let addon: Addon | undefined;

/** binding.gyp's production target; other targets there (test-only addons) are never loaded here. */
const ADDON_NAME = 'ratetest';
/** A prebuild as prebuildify names it: the target, then tags (ratetest.glibc.node, ratetest.napi.node). */
const PREBUILD_FILE = new RegExp(`^${ADDON_NAME}(\\.[a-z0-9]+)*\\.node$`);
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Which file holds the addon: RATETEST_ADDON (another build, e.g. the sanitizer build in CI), else
 * a compiled build/Release/ratetest.node (a checkout, or an install that found no prebuild), else
 * the prebuild for this platform, chosen by node-gyp-build's tag matching, the same matching its
 * install step used to decide not to compile.
 */
function addonPath(): string {
  const override = process.env.RATETEST_ADDON;
  if (override) return override;
  const compiled = join(PACKAGE_ROOT, 'build', 'Release', `${ADDON_NAME}.node`);
  if (existsSync(compiled)) return compiled;
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  const found = nodeGypBuild.resolve(PACKAGE_ROOT);
  if (!PREBUILD_FILE.test(basename(found))) throw new Error(`${found} is not the ${ADDON_NAME} addon`);
  return found;
}

export function loadAddon(): Addon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require(addonPath()) as Addon;
  } catch (err) {
    throw new RatetestError(
      'ERR_ADDON',
      `the native addon is not built (${(err as Error).message.split('\n')[0]}); run "npm install"`,
    );
  }
  return addon;
}
