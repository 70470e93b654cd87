// cli.ts: commander wiring only: flags -> RunOptions -> run() -> reports -> exit code.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE, RatetestError, UsageError, exitCodeFor } from './errors.js';
import { DEFAULTS, version, type RunConfig, type RunOptions } from './options.js';
import { toJson } from './report/json.js';
import { HdrLogWriter } from './report/hdr-log.js';
import type { Interval, IntervalHistogramPair } from './series.js';
import { formatHgrm } from './report/hgrm.js';
import { formatText } from './report/text.js';
import { readRequestFile } from './requests/request-file.js';
import { run, type Progress, type RunSnapshot } from './run.js';
import type { RunMetrics } from './report/prometheus.js';
import type { MetricsServer } from './metrics-server.js';
import { ProgressLine } from './report/progress-line.js';
import type { Result } from './result.js';
import { scriptDone } from './script/done.js';
import { ScriptLoadError, type LoadedScript, type ScriptRunError } from './script/types.js';
import { findMaxMain } from './commands/find-max.js';
import { mergeMain } from './commands/merge.js';
import { compareMain } from './commands/compare.js';
import { checkThresholds, formatThresholdFailures, parseThreshold, type Threshold } from './thresholds.js';
import { formatTimeS } from './report/wrk-format.js';
import { checkOutputPath, openStreamingOutput, writeOutput, type StreamingOutput } from './output-file.js';
import { withoutCredentials } from './url-display.js';
import { ignoreClosedPipes } from './pipes.js';
import { formatDurationShort, parseCount, parseDuration, parseRate } from './units.js';
import { parseStages } from './shape/stages.js';
import { UNLIMITED_MS, type Arrival } from './shape/options.js';

/** What the command line asks for: the run's options plus how to report it. */
export interface CliRequest {
  options: RunOptions;
  latency: boolean;
  uLatency: boolean;
  /** Path for the JSON result, or "-" for stdout. */
  json?: string;
  /** --threshold gates, parsed before the run. */
  thresholds: Threshold[];
  /** Path for the .hgrm percentile distribution. */
  hgrm?: string;
  /** Path for the HdrHistogram interval log. */
  hdrLog?: string;
  /** Path for the self-contained HTML report. */
  html?: string;
  /** No live progress line. */
  quiet: boolean;
  /** Serve /metrics here during the run. */
  metricsPort?: number;
  metricsHost?: string;
  /** Write the final metrics here, Prometheus text format. */
  promFile?: string;
}

export interface RawFlags {
  quiet?: boolean;
  metricsPort?: string;
  metricsHost?: string;
  promFile?: string;
  hgrm?: string;
  hdrLog?: string;
  html?: string;
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
    .addOption(new Option('-m, --method <method>', 'HTTP method (default GET, or POST with a body)'))
    .addOption(new Option('-b, --body <body>', 'request body'))
    .addOption(new Option('--body-file <path>', 'read the request body from a file'))
    .addOption(new Option('--json <file>', 'write the full result as JSON to a file, or - for stdout'))
    .addOption(new Option('--requests-file <file>', 'several named requests with weights, YAML or JSON (see README)'))
    .addOption(new Option('--csv <file>', 'CSV file (header row first) for {{csv.column}} placeholders, one row per request'))
    .addOption(new Option('--csv-order <order>', 'CSV rows in file order, wrapping around, or a random row per request').choices(['sequential', 'random']))
    .addOption(new Option('--seed <n>', 'seed for --arrival poisson (default 1) and for {{rand}}, {{uuid}}, {{pick}} and random CSV rows (default: random)'))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics during the run (0 = any free port, printed)'))
    .addOption(new Option('--metrics-host <address>', 'address --metrics-port listens on (default 127.0.0.1)'))
    .addOption(new Option('--prom-file <file>', 'write the final metrics in Prometheus text format (node-exporter textfile collector)'))
    .addOption(new Option('-q, --quiet', 'no live progress line (shown only when stdout is a terminal)'))
    .addOption(new Option('-s, --script <file>', "wrk/wrk2 Lua script (.lua) or JavaScript module (.mjs, .js) with wrk's hooks: setup, init, request, response, done"))
    .addOption(new Option('--monitor-pid <pid>', "sample this process's CPU%, RSS and open fds each second (the server's, on this machine)"))
    .addOption(new Option('--hdr-log <file>', 'write an HdrHistogram interval log: corrected and uncorrected histograms for each second (ratetest merge reads it)'))
    .addOption(new Option('--hgrm <file>', 'write the corrected percentile distribution in HdrHistogram .hgrm text format (ms)'))
    .addOption(new Option('--html <file>', 'write a self-contained HTML report: percentile spectrum, latency, rate and status codes over time'))
    .addOption(new Option('--threshold <expr>', 'fail (exit 1) unless it holds: p99<100ms, max<1s, errors<0.1%, non2xx=0, rate>=99% (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText(
      'after',
      '\nOther commands (each with --help):\n' +
        '  ratetest find-max --slo <expr> --from <rate> --to <rate> <url>   the highest rate that meets every SLO\n' +
        '  ratetest merge <files...>                 add the histograms of --hdr-log logs or --json results exactly\n' +
        '  ratetest compare <before.json> <after.json>   two runs side by side, the change and the better one\n',
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
  if (flags.connections !== undefined) options.connections = parseCount(flags.connections, '--connections');
  if (flags.threads !== undefined) options.threads = parseCount(flags.threads, '--threads');
  if (flags.method !== undefined) options.method = flags.method;
  if (flags.body !== undefined) options.body = flags.body;
  if (flags.bodyFile !== undefined) options.body = readBodyFile(flags.bodyFile);
  if (flags.requestsFile !== undefined) options.requests = readRequestFile(flags.requestsFile);
  if (flags.csv !== undefined) options.csvFile = flags.csv;
  if (flags.csvOrder !== undefined) options.csvOrder = flags.csvOrder as 'sequential' | 'random';
  if (flags.seed !== undefined) {
    if (!/^\d+$/.test(flags.seed) || !Number.isSafeInteger(Number(flags.seed))) {
      throw new UsageError(`--seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got "${flags.seed}"`);
    }
    options.seed = Number(flags.seed);
  }
  if (flags.monitorPid !== undefined) options.monitorPid = parseCount(flags.monitorPid, '--monitor-pid');
  const request: CliRequest = { options, latency: Boolean(flags.latency), uLatency: Boolean(flags.u_latency), thresholds: (flags.threshold ?? []).map(parseThreshold), quiet: Boolean(flags.quiet) };
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
  if (flags.html !== undefined) request.html = flags.html;
  return request;
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
}

/** Commander's message as one line: it says "error: unknown option '--x'\n(Did you mean --y?)". */
export function usageMessage(err: CommanderError): string {
  return err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
}

/** wrk2's opening lines, so scripts that read wrk2's output read ours. */
export function banner(config: RunConfig, url: string): string {
  const length = config.durationMs >= UNLIMITED_MS ? `${config.requestCount} requests` : formatTimeS(config.durationMs / 1000);
  const warmup = config.warmupMs > 0 ? ` after ${formatTimeS(config.warmupMs / 1000)} warm-up` : '';
  return `Running ${length} test${warmup} @ ${url}\n  ${config.threads} threads and ${config.connections} connections\n`;
}

/** One line on stderr for any failure; a stack trace never reaches the user. */
export function fail(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(err instanceof RatetestError ? `ratetest: ${message}\n` : `ratetest: internal error: ${message}\n`);
  return exitCodeFor(err);
}

/**
 * After the report, as wrk does: the script's notes, then done(). Returns the exit code a script
 * error or os.exit() in a hook decides (1 for an error), or undefined when the script ran clean.
 */
function finishScript(script: LoadedScript, result: Result, out: NodeJS.WritableStream): number | undefined {
  const info = result.script!;
  const lines: string[] = [];
  if (info.responsesDropped > 0) lines.push(`  Script: ${info.responsesDropped} responses were not passed to response() (it fell behind; the run did not wait for it)`);
  if (info.responsesTruncated > 0) lines.push(`  Script: ${info.responsesTruncated} responses were passed to response() cut short at 256 KiB`);
  for (const note of info.notes) lines.push(`  Script: ${note}`);
  if (info.error !== undefined) {
    lines.push(`ratetest: script error: ${info.error} (the run stopped there; the results above are what it gathered)`);
    out.write(lines.join('\n') + '\n');
    return info.exitCode ?? EXIT_THRESHOLD;
  }
  if (lines.length > 0) out.write(lines.join('\n') + '\n');
  try {
    scriptDone(script, result);
  } catch (err) {
    out.write(`ratetest: script error in done(): ${(err as Error).message}\n`);
    return (err as ScriptRunError).exitCode ?? EXIT_THRESHOLD;
  }
  return undefined;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  if (argv[2] === 'find-max') return findMaxMain([argv[0]!, argv[1]!, ...argv.slice(3)]);
  if (argv[2] === 'merge') return mergeMain([argv[0]!, argv[1]!, ...argv.slice(3)]);
  if (argv[2] === 'compare') return compareMain([argv[0]!, argv[1]!, ...argv.slice(3)]);
  let request: CliRequest;
  try {
    request = parseArgs(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      process.stderr.write(`ratetest: ${usageMessage(err)} (see ratetest --help)\n`);
      return EXIT_USAGE;
    }
    return fail(err);
  }

  // With --json - stdout carries only JSON, so the text goes to stderr.
  const report = request.json === '-' ? process.stderr : process.stdout;
  const controller = new AbortController();
  // First Ctrl-C: stop and report what was gathered. Second: the user means it, leave now.
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const stdoutOk = { allowStdout: true };
    if (request.json !== undefined) checkOutputPath(request.json, '--json', stdoutOk);
    if (request.hgrm !== undefined) checkOutputPath(request.hgrm, '--hgrm');
    if (request.hdrLog !== undefined) checkOutputPath(request.hdrLog, '--hdr-log');
    if (request.html !== undefined) checkOutputPath(request.html, '--html');
    if (request.promFile !== undefined) checkOutputPath(request.promFile, '--prom-file');
    let progress: ProgressLine | undefined;
    let hdrLog: { file: StreamingOutput; log: HdrLogWriter } | undefined;
    const onStart = (config: RunConfig, _address: string, startedAt: Date) => {
      report.write(banner(config, request.options.url));
      if (request.hdrLog !== undefined) {
        const file = openStreamingOutput(request.hdrLog, '--hdr-log');
        hdrLog = { file, log: new HdrLogWriter((text) => file.write(text), { method: config.method, url: request.options.url, rate: config.rate }, startedAt) };
      }
      // A live line only for a person watching: stdout a terminal, and never into --json - output.
      const stream = request.json === '-' ? process.stderr : process.stdout;
      if (!request.quiet && process.stdout.isTTY && stream.isTTY) progress = new ProgressLine(stream, config);
    };
    // A script's print() and io.write() go with the text report (stderr under --json -).
    if (request.options.script) request.options.script.output = (text) => void report.write(text);
    let script: LoadedScript | undefined;
    const onProgress = (p: Progress) => progress?.update(p);
    // prom-client, wasmoon and the HTML report's chart library load only for the runs that use
    // them: together they would add ~25 MB to every run's RSS.
    const prometheus = request.metricsPort !== undefined || request.promFile !== undefined ? await import('./report/prometheus.js') : undefined;
    const metrics: RunMetrics | undefined = prometheus && new prometheus.RunMetrics({ url: withoutCredentials(request.options.url) }, { closedLoop: request.options.rate === 'max' });
    const onSnapshot = metrics ? (s: RunSnapshot, final: boolean) => metrics.update(s, final) : undefined;
    let metricsServer: MetricsServer | undefined;
    if (metrics && request.metricsPort !== undefined) {
      const { startMetricsServer } = await import('./metrics-server.js');
      metricsServer = await startMetricsServer(metrics, request.metricsPort, request.metricsHost);
      const host = request.metricsHost ?? '127.0.0.1';
      process.stderr.write(`Metrics at http://${host.includes(':') ? `[${host}]` : host}:${metricsServer.port}/metrics\n`);
    }
    const onInterval = request.hdrLog !== undefined ? (interval: Interval, histograms: IntervalHistogramPair) => hdrLog?.log.interval(interval, histograms) : undefined;
    const result = await run(request.options, { signal: controller.signal, onStart, onProgress, onSnapshot, onInterval, onScript: (s) => (script = s) })
      .catch((err: unknown) => {
        hdrLog?.file.discard();
        throw err;
      })
      .finally(() => {
        progress?.clear();
        return metricsServer?.close();
      });
    report.write(formatText(result, { latency: request.latency, uLatency: request.uLatency }));
    const scriptExit = script ? finishScript(script, result, report) : undefined;
    // Every output is attempted, and the thresholds still judged, when one of them cannot be written.
    const outputs: [flag: string, path: string | undefined, text: () => string | Promise<string> | StreamingOutput][] = [
      ['--json', request.json, () => JSON.stringify(toJson(result), null, 2) + '\n'],
      ['--hgrm', request.hgrm, () => formatHgrm(result)],
      ['--hdr-log', request.hdrLog, () => hdrLog!.file],
      ['--prom-file', request.promFile, () => metrics!.text()],
      ['--html', request.html, async () => (await import('./report/html.js')).formatHtml(result, { headers: request.options.headers ?? [] })],
    ];
    let outputFailed = false;
    for (const [flag, path, text] of outputs) {
      if (path === undefined) continue;
      try {
        const output = await text();
        if (typeof output === 'string') writeOutput(path, output, flag, flag === '--json' ? stdoutOk : {});
        else output.commit();
      } catch (err) {
        fail(err);
        outputFailed = true;
      }
    }
    const failures = formatThresholdFailures(checkThresholds(result, request.thresholds));
    report.write(failures);
    if (scriptExit !== undefined) return scriptExit;
    if (result.interrupted) return EXIT_INTERRUPTED;
    if (outputFailed) return EXIT_USAGE;
    return failures ? EXIT_THRESHOLD : EXIT_OK;
  } catch (err) {
    const code = fail(err);
    // os.exit(n) in a script's setup() or init() ends ratetest with the script's own code.
    if (err instanceof ScriptLoadError && err.exitCode !== undefined) return err.exitCode;
    // Ctrl-C before the pumps started (e.g. during DNS) leaves nothing to report; it is still an interrupt.
    return controller.signal.aborted && !(err instanceof UsageError) ? EXIT_INTERRUPTED : code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
