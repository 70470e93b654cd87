// cli.ts: commander wiring only: flags -> RunOptions -> run() -> reports -> exit code.
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE, RatetestError, UsageError, exitCodeFor } from './errors.js';
import { DEFAULTS, version, type RunConfig, type RunOptions } from './options.js';
import { toJson } from './report/json.js';
import { formatHgrm } from './report/hgrm.js';
import { formatText } from './report/text.js';
import { readRequestFile } from './requests/request-file.js';
import { run } from './run.js';
import { findMaxMain } from './commands/find-max.js';
import { checkThresholds, formatThresholdFailures, parseThreshold, type Threshold } from './thresholds.js';
import { formatTimeS } from './report/wrk-format.js';
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
}

export interface RawFlags {
  hgrm?: string;
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
}

// Help text shows the defaults from DEFAULTS, so it cannot drift from what a run uses.
const msToFlag = (ms: number) => formatDurationShort(ms * 1e6);

export function buildProgram(): Command {
  return new Command('ratetest')
    .description('Open-loop HTTP load generator: a constant request rate, latency measured from when each request should have been sent.')
    .argument('<url>', 'target, http[s]://host[:port]/path')
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
    .addOption(new Option('--monitor-pid <pid>', "sample this process's CPU%, RSS and open fds each second (the server's, on this machine)"))
    .addOption(new Option('--hgrm <file>', 'write the corrected percentile distribution in HdrHistogram .hgrm text format (ms)'))
    .addOption(new Option('--threshold <expr>', 'fail (exit 1) unless it holds: p99<100ms, max<1s, errors<0.1%, non2xx=0, rate>=99% (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
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
  if (flags.rate === undefined && flags.stages === undefined) {
    throw new UsageError('-R/--rate is required: the total requests per second, e.g. -R 2000, -R 20k or -R max (or give --stages)');
  }
  const rate = flags.rate === undefined ? undefined : flags.rate.trim() === 'max' ? 'max' : parseRate(flags.rate, '--rate');
  return requestFromFlags(url, flags, rate);
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
  const request: CliRequest = { options, latency: Boolean(flags.latency), uLatency: Boolean(flags.u_latency), thresholds: (flags.threshold ?? []).map(parseThreshold) };
  if (flags.json !== undefined) request.json = flags.json;
  if (flags.hgrm !== undefined) request.hgrm = flags.hgrm;
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

/** Fails before the run, not after minutes of load, when an output file cannot be written. */
export function checkOutputPath(path: string, flag = '--json'): void {
  if (path === '-') return;
  try {
    closeSync(openSync(path, 'a'));
  } catch (err) {
    throw new UsageError(`${flag} cannot write "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function writeJson(path: string, json: string): void {
  if (path === '-') {
    process.stdout.write(json);
    return;
  }
  try {
    writeFileSync(path, json);
  } catch (err) {
    throw new UsageError(`--json cannot write "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[2] === 'find-max') return findMaxMain([argv[0]!, argv[1]!, ...argv.slice(3)]);
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
    if (request.json !== undefined) checkOutputPath(request.json);
    if (request.hgrm !== undefined) checkOutputPath(request.hgrm, '--hgrm');
    const onStart = (config: RunConfig) => report.write(banner(config, request.options.url));
    const result = await run(request.options, { signal: controller.signal, onStart });
    report.write(formatText(result, { latency: request.latency, uLatency: request.uLatency }));
    if (request.json !== undefined) writeJson(request.json, JSON.stringify(toJson(result), null, 2) + '\n');
    if (request.hgrm !== undefined) writeFileSync(request.hgrm, formatHgrm(result));
    const failures = formatThresholdFailures(checkThresholds(result, request.thresholds));
    report.write(failures);
    if (result.interrupted) return EXIT_INTERRUPTED;
    return failures ? EXIT_THRESHOLD : EXIT_OK;
  } catch (err) {
    const code = fail(err);
    // Ctrl-C before the pumps started (e.g. during DNS) leaves nothing to report; it is still an interrupt.
    return controller.signal.aborted && !(err instanceof UsageError) ? EXIT_INTERRUPTED : code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
