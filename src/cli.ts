// cli.ts: commander wiring only: flags -> RunOptions -> run() -> reports -> exit code.
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE, RatetestError, UsageError, exitCodeFor } from './errors.js';
import { DEFAULTS, version, type RunConfig, type RunOptions } from './options.js';
import { toJson } from './report/json.js';
import { formatHgrm } from './report/hgrm.js';
import { formatText } from './report/text.js';
import { run } from './run.js';
import { checkThresholds, formatThresholdFailures, parseThreshold, type Threshold } from './thresholds.js';
import { formatTimeS } from './report/wrk-format.js';
import { formatDurationShort, parseCount, parseDuration, parseRate } from './units.js';

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

interface RawFlags {
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
  batch?: string;
  method?: string;
  body?: string;
  bodyFile?: string;
  json?: string;
}

// Help text shows the defaults from DEFAULTS, so it cannot drift from what a run uses.
const msToFlag = (ms: number) => formatDurationShort(ms * 1e6);

export function buildProgram(): Command {
  return new Command('ratetest')
    .description('Open-loop HTTP load generator: a constant request rate, latency measured from when each request should have been sent.')
    .argument('<url>', 'target, http://host[:port]/path')
    .addOption(new Option('-R, --rate <rate>', 'total requests per second, e.g. 2000 or 20k (required)'))
    .addOption(new Option('-d, --duration <duration>', `length of the run, e.g. 30s, 2m (default ${msToFlag(DEFAULTS.durationMs)})`))
    .addOption(new Option('-c, --connections <n>', `connections to keep open, over all threads (default ${DEFAULTS.connections}, or one per thread if more)`))
    .addOption(new Option('-t, --threads <n>', `pump threads (default ${DEFAULTS.threads})`))
    .addOption(new Option('-H, --header <header>', 'add a request header "Name: value" (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('-L, --latency', 'print the detailed percentile spectrum'))
    .addOption(new Option('-U, --u_latency', 'also print the uncorrected latency distribution'))
    .addOption(new Option('--timeout <duration>', `per-request timeout (default ${msToFlag(DEFAULTS.timeoutMs)})`))
    .addOption(new Option('--batch <duration>', `send window: wake at most once per window, sending all due requests (default ${formatDurationShort(DEFAULTS.batchUs * 1e3)}; 0 = per request)`))
    .addOption(new Option('-m, --method <method>', 'HTTP method (default GET, or POST with a body)'))
    .addOption(new Option('-b, --body <body>', 'request body'))
    .addOption(new Option('--body-file <path>', 'read the request body from a file'))
    .addOption(new Option('--json <file>', 'write the full result as JSON to a file, or - for stdout'))
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
  if (flags.rate === undefined) throw new UsageError('-R/--rate is required: the total requests per second, e.g. -R 2000 or -R 20k');
  if (flags.body !== undefined && flags.bodyFile !== undefined) throw new UsageError('use either --body or --body-file, not both');
  const options: RunOptions = { url, rate: parseRate(flags.rate, '--rate'), headers: flags.header ?? [] };
  if (flags.duration !== undefined) options.durationMs = parseDuration(flags.duration, '--duration') / 1e6;
  if (flags.timeout !== undefined) options.timeoutMs = parseDuration(flags.timeout, '--timeout') / 1e6;
  if (flags.batch !== undefined) options.batchUs = parseDuration(flags.batch, '--batch') / 1e3;
  if (flags.connections !== undefined) options.connections = parseCount(flags.connections, '--connections');
  if (flags.threads !== undefined) options.threads = parseCount(flags.threads, '--threads');
  if (flags.method !== undefined) options.method = flags.method;
  if (flags.body !== undefined) options.body = flags.body;
  if (flags.bodyFile !== undefined) options.body = readBodyFile(flags.bodyFile);
  const request: CliRequest = { options, latency: Boolean(flags.latency), uLatency: Boolean(flags.u_latency), thresholds: (flags.threshold ?? []).map(parseThreshold) };
  if (flags.json !== undefined) request.json = flags.json;
  if (flags.hgrm !== undefined) request.hgrm = flags.hgrm;
  return request;
}

/** Commander's message as one line: it says "error: unknown option '--x'\n(Did you mean --y?)". */
export function usageMessage(err: CommanderError): string {
  return err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
}

/** wrk2's opening lines, so scripts that read wrk2's output read ours. */
export function banner(config: RunConfig, url: string): string {
  return `Running ${formatTimeS(config.durationMs / 1000)} test @ ${url}\n  ${config.threads} threads and ${config.connections} connections\n`;
}

/** One line on stderr for any failure; a stack trace never reaches the user. */
function fail(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(err instanceof RatetestError ? `ratetest: ${message}\n` : `ratetest: internal error: ${message}\n`);
  return exitCodeFor(err);
}

/** Fails before the run, not after minutes of load, when an output file cannot be written. */
function checkOutputPath(path: string, flag = '--json'): void {
  if (path === '-') return;
  try {
    closeSync(openSync(path, 'a'));
  } catch (err) {
    throw new UsageError(`${flag} cannot write "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function writeJson(path: string, json: string): void {
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
