// flags.ts: the run's flags: the commander program, and argv -> CliRequest (RunOptions plus how to
// report). find-max reads the same flags through requestFromFlags.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../common/errors.js';
import { formatDurationShort, parseCount, parseDuration, parseRate } from '../common/units.js';
import { DEFAULTS, limits, version, type IoEngine, type RunOptions } from '../config/options.js';
import { parseStages, totalDurationMs } from '../config/stages.js';
import { parseShard, parseStartAt, seedMessage, type Arrival } from '../config/shape.js';
import { parseCriterion, type Criterion } from '../analysis/criteria.js';
import { readRequestFile } from '../requests/request-file.js';

/** What the command line asks for: the run's options plus how to report it. */
export interface CliRequest {
  options: RunOptions;
  latency: boolean;
  uLatency: boolean;
  /** Path for the JSON result, or "-" for stdout. */
  json?: string;
  /** --threshold gates, parsed before the run. */
  thresholds: Criterion[];
  /** Path for the .hgrm percentile distribution. */
  hgrm?: string;
  /** Path for the HdrHistogram interval log. */
  hdrLog?: string;
  /** Path for the self-contained HTML report. */
  html?: string;
  /** No live progress line. */
  quiet: boolean;
  /** The full-screen live view instead of the progress line (on a terminal). */
  dashboard?: boolean;
  /** Serve /metrics here during the run. */
  metricsPort?: number;
  metricsHost?: string;
  /** Write the final metrics here, Prometheus text format. */
  promFile?: string;
}

export interface RawFlags {
  quiet?: boolean;
  dashboard?: boolean;
  metricsPort?: string;
  metricsHost?: string;
  promFile?: string;
  hgrm?: string;
  hdrLog?: string;
  html?: string;
  interval?: string;
  threshold?: string[];
  rate?: string;
  duration?: string;
  connections?: string;
  threads?: string;
  header?: string[];
  latency?: boolean;
  u_latency?: boolean;
  timeout?: string;
  connectTimeout?: string;
  pipeline?: string;
  http2?: boolean;
  streams?: string;
  unixSocket?: string;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  batch?: string;
  ioEngine?: string;
  method?: string;
  body?: string;
  bodyFile?: string;
  json?: string;
  requestsFile?: string;
  csv?: string;
  csvOrder?: string;
  seed?: string;
  stages?: string;
  arrival?: string;
  warmup?: string;
  requests?: string;
  maxConnections?: string;
  shard?: string;
  startAt?: string;
  monitorPid?: string;
  script?: string;
}

// Help text shows the defaults from DEFAULTS, so it cannot drift from what a run uses.
const msToFlag = (ms: number) => formatDurationShort(ms * 1e6);

export function buildProgram(): Command {
  return new Command('ratetest')
    .description('Open-loop HTTP load generator: a constant request rate, latency measured from when each request should have been sent.')
    .argument('<url>', 'target, http[s]://host[:port]/path')
    .argument('[script-args...]', "with -s: passed to the script's init(args) after the URL (put -- before them)")
    .addOption(new Option('-R, --rate <rate>', 'total requests per second, e.g. 2000 or 20k, or max for closed loop (required unless --stages)'))
    .addOption(new Option('--stages <stages>', "linear ramps between target rates, e.g. '30s:1k,2m:20k,10s:0' (sets the duration)"))
    .addOption(new Option('--arrival <kind>', 'request spacing: constant (default) or poisson'))
    .addOption(new Option('--warmup <duration>', 'load at the target rate this long first, reported apart from the results'))
    .addOption(new Option('-n, --requests <count>', 'stop after this many requests instead of a duration'))
    .addOption(new Option('--max-connections <n>', 'open connections up to n when a request is due and all are busy (default -c)'))
    .addOption(new Option('--shard <I/N>', 'send shard I (0-based) of N: the global requests k = I (mod N) of the schedule the other flags give the whole fleet'))
    .addOption(new Option('--start-at <time>', "start the schedule at this instant (ISO-8601 with zone, or unix ms); connections open before it"))
    .addOption(new Option('-d, --duration <duration>', `length of the run, e.g. 30s, 2m (default ${msToFlag(DEFAULTS.durationMs)})`))
    .addOption(new Option('-c, --connections <n>', `connections to keep open, over all threads (default ${DEFAULTS.connections}, or one per thread if more)`))
    .addOption(new Option('-t, --threads <n>', `pump threads (default ${DEFAULTS.threads})`))
    .addOption(new Option('-H, --header <header>', 'add a request header "Name: value" (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('-L, --latency', 'print the detailed percentile spectrum'))
    .addOption(new Option('-U, --u_latency', 'also print the uncorrected latency distribution'))
    .addOption(new Option('--timeout <duration>', `per-request timeout (default ${msToFlag(DEFAULTS.timeoutMs)})`))
    .addOption(new Option('--connect-timeout <duration>', `TCP connect plus TLS handshake timeout (default ${msToFlag(DEFAULTS.connectTimeoutMs)})`))
    .addOption(new Option('--pipeline <n>', `requests in flight per connection at most, HTTP/1.1 pipelining (default ${DEFAULTS.pipeline})`))
    .addOption(new Option('--http2', 'HTTP/2: h2 by ALPN on https://, h2c with prior knowledge on http://'))
    .addOption(new Option('--streams <n>', `with --http2: streams in flight per connection at most; the server's limit lowers it (default ${DEFAULTS.streams})`))
    .addOption(new Option('--unix-socket <path>', 'connect to this Unix domain socket; the URL still gives Host and path'))
    .addOption(new Option('-k, --insecure', 'https: do not verify the server certificate'))
    .addOption(new Option('--ca <file>', 'https: trust the CA certificates in this PEM file instead of the system store'))
    .addOption(new Option('--cert <file>', 'https: client certificate (PEM) for mutual TLS; needs --key'))
    .addOption(new Option('--key <file>', 'https: private key (PEM) of --cert'))
    .addOption(new Option('--batch <duration>', `send window: wake at most once per window, sending all due requests (default ${formatDurationShort(DEFAULTS.batchUs * 1e3)}; 0 = per request)`))
    .addOption(new Option('--io-engine <engine>', `how pumps wait and move bytes: epoll or io_uring (Linux, plain HTTP/1.1; cheaper per request with --batch 500us or more) (default ${DEFAULTS.ioEngine})`))
    .addOption(new Option('-m, --method <method>', 'HTTP method (default GET, or POST with a body)'))
    .addOption(new Option('-b, --body <body>', 'request body'))
    .addOption(new Option('--body-file <path>', 'read the request body from a file'))
    .addOption(new Option('--json <file>', 'write the full result as JSON to a file, or - for stdout'))
    .addOption(new Option('--requests-file <file>', 'several named requests with weights, YAML or JSON (see docs/templates.md)'))
    .addOption(new Option('--csv <file>', 'CSV file (header row first) for {{csv.column}} placeholders, one row per request'))
    .addOption(new Option('--csv-order <order>', 'CSV rows in file order, wrapping around, or a random row per request').choices(['sequential', 'random']))
    .addOption(new Option('--seed <n>', 'seed for --arrival poisson (default 1) and for {{rand}}, {{uuid}}, {{pick}} and random CSV rows (default: random)'))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics during the run (0 = any free port, printed)'))
    .addOption(new Option('--metrics-host <address>', 'address --metrics-port listens on (default 127.0.0.1)'))
    .addOption(new Option('--prom-file <file>', 'write the final metrics in Prometheus text format (node-exporter textfile collector)'))
    .addOption(new Option('-q, --quiet', 'no live progress line (shown only when stdout is a terminal)'))
    .addOption(new Option('--dashboard', 'full-screen live view on a terminal: rate, corrected p50/p99/max, send lag and the self-check, 4 times a second'))
    .addOption(new Option('-s, --script <file>', "wrk/wrk2 Lua script (.lua) or JavaScript module (.mjs, .js) with wrk's hooks: setup, init, request, response, done"))
    .addOption(new Option('--monitor-pid <pid>', "sample this process's CPU%, RSS and open fds each second (the server's, on this machine)"))
    .addOption(new Option('--interval <duration>', `width of the intervals of the JSON series, --hdr-log and the HTML charts, 10ms at the finest (default ${msToFlag(DEFAULTS.intervalMs)}; with --html, ${msToFlag(HTML_SHORT_RUN_INTERVAL_MS)} for runs of ${msToFlag(HTML_SHORT_RUN_MS)} or less)`))
    .addOption(new Option('--hdr-log <file>', 'write an HdrHistogram interval log: corrected and uncorrected histograms for each interval (ratetest merge reads it)'))
    .addOption(new Option('--hgrm <file>', 'write the corrected percentile distribution in HdrHistogram .hgrm text format (ms)'))
    .addOption(new Option('--html <file>', 'write a self-contained HTML report: percentile spectrum, latency, rate and status codes over time'))
    .addOption(new Option('--threshold <expr>', 'fail (exit 1) unless it holds: p99<100ms, max<1s, errors<0.1%, non2xx=0, rate>=99% (repeatable; docs/criteria.md)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText(
      'after',
      '\nOther commands (each with --help):\n' +
        '  ratetest find-max --slo <expr> --from <rate> --to <rate> <url>   the highest rate that meets every SLO\n' +
        '  ratetest merge <files...>                 add the histograms of --hdr-log logs or --json results exactly\n' +
        '  ratetest compare <before.json> <after.json>   two runs side by side, the change and the better one\n' +
        '  ratetest grpc --proto <file> --call <pkg.Service/Method> --data <json> -R <rate> <url>   unary gRPC calls at a fixed rate\n' +
        '  ratetest demo                             a first run with no server: a built-in target, then a check against its own log\n' +
        '  ratetest target [--stall 300ms/2s]        a built-in server for tests on this machine; logs /t/<k> at /__truth\n' +
        '  ratetest truth <truth.json> -R <rate>     the true latency percentiles of a saved /__truth log\n',
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });
}

function readBodyFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`--body-file cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Parses argv (as process.argv: node, script, args...) into a request. Throws UsageError or CommanderError. */
export function parseArgs(argv: string[]): CliRequest {
  const program = buildProgram();
  program.parse(argv);
  const flags = program.opts<RawFlags>();
  const url = program.args[0]!;
  const scriptArgs = program.args.slice(1);
  if (scriptArgs.length > 0 && flags.script === undefined) {
    throw new UsageError(`unexpected argument "${scriptArgs[0]}" after the URL (arguments after the URL go to a script's init(); give -s <script>)`);
  }
  if (flags.rate === undefined && flags.stages === undefined) {
    throw new UsageError('-R/--rate is required: the total requests per second, e.g. -R 2000, -R 20k or -R max (or give --stages)');
  }
  const rate = flags.rate === undefined ? undefined : flags.rate.trim() === 'max' ? 'max' : parseRate(flags.rate, '--rate');
  const request = requestFromFlags(url, flags, rate);
  if (flags.script !== undefined) request.options.script = { file: flags.script, args: scriptArgs };
  return request;
}

/** The run's options from parsed flags; find-max shares it, choosing the rate itself. */
export function requestFromFlags(url: string, flags: RawFlags, rate: number | 'max' | undefined): CliRequest {
  if (flags.body !== undefined && flags.bodyFile !== undefined) throw new UsageError('use either --body or --body-file, not both');
  if (flags.requestsFile !== undefined && (flags.body !== undefined || flags.bodyFile !== undefined || flags.method !== undefined)) {
    throw new UsageError('--requests-file gives each request its method and body; drop -m, -b and --body-file (-H still applies to every request)');
  }
  const options: RunOptions = { url, headers: flags.header ?? [] };
  if (rate !== undefined) options.rate = rate;
  parseShapeFlags(flags, options);
  if (flags.duration !== undefined) options.durationMs = parseDuration(flags.duration, '--duration') / 1e6;
  if (flags.timeout !== undefined) options.timeoutMs = parseDuration(flags.timeout, '--timeout') / 1e6;
  if (flags.connectTimeout !== undefined) options.connectTimeoutMs = parseDuration(flags.connectTimeout, '--connect-timeout') / 1e6;
  if (flags.pipeline !== undefined) options.pipeline = parseCount(flags.pipeline, '--pipeline');
  if (flags.http2) options.http2 = true;
  if (flags.streams !== undefined) options.streams = parseCount(flags.streams, '--streams');
  if (flags.unixSocket !== undefined) options.unixSocket = flags.unixSocket;
  if (flags.insecure) options.insecure = true;
  if (flags.ca !== undefined) options.caFile = flags.ca;
  if (flags.cert !== undefined) options.certFile = flags.cert;
  if (flags.key !== undefined) options.keyFile = flags.key;
  if (flags.batch !== undefined) options.batchUs = parseDuration(flags.batch, '--batch') / 1e3;
  if (flags.ioEngine !== undefined) options.ioEngine = flags.ioEngine as IoEngine;
  if (flags.interval !== undefined) options.intervalMs = parseDuration(flags.interval, '--interval') / 1e6;
  if (flags.connections !== undefined) options.connections = parseCount(flags.connections, '--connections');
  if (flags.threads !== undefined) options.threads = parseCount(flags.threads, '--threads');
  if (flags.method !== undefined) options.method = flags.method;
  if (flags.body !== undefined) options.body = flags.body;
  if (flags.bodyFile !== undefined) options.body = readBodyFile(flags.bodyFile);
  if (flags.requestsFile !== undefined) options.requests = readRequestFile(flags.requestsFile);
  if (flags.csv !== undefined) options.csvFile = flags.csv;
  if (flags.csvOrder !== undefined) options.csvOrder = flags.csvOrder as 'sequential' | 'random';
  if (flags.seed !== undefined) {
    // The range is validate()'s to check; here only that it is a number at all.
    if (!/^\d+$/.test(flags.seed)) throw new UsageError(seedMessage(limits().maxWhole, flags.seed));
    options.seed = Number(flags.seed);
  }
  if (flags.monitorPid !== undefined) options.monitorPid = parseCount(flags.monitorPid, '--monitor-pid');
  const request: CliRequest = { options, latency: Boolean(flags.latency), uLatency: Boolean(flags.u_latency), thresholds: (flags.threshold ?? []).map((t) => parseCriterion(t, '--threshold')), quiet: Boolean(flags.quiet) };
  if (flags.dashboard) {
    if (request.quiet) throw new UsageError('--dashboard and --quiet ask for opposite things: drop one');
    request.dashboard = true;
  }
  if (flags.json !== undefined) request.json = flags.json;
  if (flags.hgrm !== undefined) request.hgrm = flags.hgrm;
  // Streamed to its file as the run goes (main() opens it at onStart), so the run keeps no interval histograms.
  if (flags.hdrLog !== undefined) request.hdrLog = flags.hdrLog;
  if (flags.metricsPort !== undefined) {
    const port = Number(flags.metricsPort);
    if (!/^\d+$/.test(flags.metricsPort) || port > 65535) throw new UsageError(`--metrics-port must be a port number from 0 to 65535, got "${flags.metricsPort}"`);
    request.metricsPort = port;
  }
  if (flags.metricsHost !== undefined) {
    if (request.metricsPort === undefined) throw new UsageError('--metrics-host goes with --metrics-port');
    request.metricsHost = flags.metricsHost;
  }
  if (flags.promFile !== undefined) request.promFile = flags.promFile;
  if (flags.html !== undefined) {
    request.html = flags.html;
    if (options.intervalMs === undefined && runLengthMs(options) <= HTML_SHORT_RUN_MS) options.intervalMs = HTML_SHORT_RUN_INTERVAL_MS;
  }
  // The heatmap and `compare --html` draw from the intervals' histograms.
  if (request.html !== undefined || request.json !== undefined) options.intervalHistograms = true;
  return request;
}

/**
 * A short run's HTML report draws 100 ms intervals unless --interval says otherwise: at 1 s a
 * 10 s run is ten columns, and a 300 ms stall is a blur in one of them.
 */
export const HTML_SHORT_RUN_MS = 30_000;
export const HTML_SHORT_RUN_INTERVAL_MS = 100;

/** The run's planned length: its duration or its stages' (-n runs have none: Infinity). */
function runLengthMs(options: RunOptions): number {
  if (options.requestCount !== undefined) return Infinity;
  if (options.stages) return totalDurationMs(options.stages) + (options.warmupMs ?? 0);
  return (options.durationMs ?? DEFAULTS.durationMs) + (options.warmupMs ?? 0);
}

function parseShapeFlags(flags: RawFlags, options: RunOptions): void {
  if (flags.stages !== undefined) options.stages = parseStages(flags.stages);
  if (flags.arrival !== undefined) {
    if (flags.arrival !== 'constant' && flags.arrival !== 'poisson') throw new UsageError(`--arrival must be constant or poisson, got "${flags.arrival}"`);
    options.arrival = flags.arrival as Arrival;
  }
  if (flags.warmup !== undefined) options.warmupMs = parseDuration(flags.warmup, '--warmup') / 1e6;
  if (flags.requests !== undefined) options.requestCount = parseCount(flags.requests, '--requests');
  if (flags.maxConnections !== undefined) options.maxConnections = parseCount(flags.maxConnections, '--max-connections');
  if (flags.shard !== undefined) options.shard = parseShard(flags.shard);
  if (flags.startAt !== undefined) options.startAt = parseStartAt(flags.startAt);
}

/** Commander's message as one line: it says "error: unknown option '--x'\n(Did you mean --y?)". */
export function usageMessage(err: CommanderError): string {
  return err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
}
